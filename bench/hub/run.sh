#!/usr/bin/env bash
# bench/hub/run.sh BUILD: the hub's benchmarks (docs/PERFORMANCE.md, "Hub"), run by
# `make bench` (and alone by `make bench-hub`).
#
# Builds nothing: BUILD must hold cunxiang-hub, cunxiangctl, bench/swarm and bench/verify.
# One mosquitto on loopback (the shipped set_tcp_nodelay and max_packet_size, anonymous,
# no connection limit, queues raised for the hub), the open-file limit raised for N
# connections, and bench/swarm: N emulated nodes (default 10,000 in villages of 100),
# each with its own Ed25519 key and MQTT connection.
#  1. Ed25519 verification, libsodium (sig_verify) beside OpenSSL 3 (EVP_DigestVerify),
#     on a warning and on a receipt body (bench/verify);
#  2. the bare broker: one QoS 1 message to N subscribers and a reply from each
#     (bench/swarm -B), ROUNDS times;
#  3. the hub enrolled with the N nodes: WARNINGS signed warnings (cunxiangctl warn) to the
#     township; the clock stops when the hub's database holds a "done" receipt of every
#     node (sqlite, read-only, polled every 5 ms by one python3 process started before the
#     warning); the hub's quarantine must stay empty; then HELD more with the hub stopped
#     (SIGSTOP) until every node has answered, timed from SIGCONT: the hub alone, without
#     the swarm and broker competing for the two cores;
#  4. the N nodes heartbeating every HB_S seconds for HB_MIN minutes: the hub's CPU
#     (utime + stime from /proc/PID/stat over the window) and memory (VmRSS, VmHWM).
# Without a working hub (`cunxiang-hub -n -c FILE` fails), 3 measures the same warnings
# at the swarm (every node's "done" acknowledged by the broker) and 4 is skipped.
# Prints Markdown tables; exits 0 unless the rig could not be set up.
# Knobs (environment): N VILLAGE ROUNDS WARNINGS HELD HB_S HB_MIN ACK VERIFY_S KEEP_RIG=1.
# The swarm's statuses do not say heartbeat_s: the hub assumes 60 s, so an HB_S above
# 60 would show nodes offline.
set -u
BUILD=${1:-build}
cd "$(dirname "$0")/../.."
case $BUILD in /*) ;; *) BUILD=$(pwd)/$BUILD ;; esac
N=${N:-10000}
VILLAGE=${VILLAGE:-100}
ROUNDS=${ROUNDS:-5}
WARNINGS=${WARNINGS:-5}
HELD=${HELD:-2}                # warnings answered while the hub is stopped, then resumed
HB_S=${HB_S:-60}
HB_MIN=${HB_MIN:-3}
ACK=${ACK:-0.1}                # fraction of nodes where a person acknowledges each warning
VERIFY_S=${VERIFY_S:-1.5}
TOWNSHIP=430682101
PREFIX=cx
HUB=$BUILD/cunxiang-hub
CTL=$BUILD/cunxiangctl
SWARM=$BUILD/bench/swarm
VERIFY=$BUILD/bench/verify

for f in "$HUB" "$CTL" "$SWARM" "$VERIFY"; do
	[ -x "$f" ] || { echo "bench/hub: $f missing (run: make bench)"; exit 1; }
done
for c in mosquitto python3; do
	command -v "$c" >/dev/null || { echo "bench/hub: $c missing (run: make deps)"; exit 1; }
done
ulimit -n "$(ulimit -Hn)" 2>/dev/null
if [ "$(ulimit -n)" -lt $((N + 200)) ]; then
	echo "bench/hub: only $(ulimit -n) open files allowed, $((N + 200)) needed"; exit 1
fi

RIG=$(mktemp -d /tmp/cx-hub-bench.XXXXXX)
chmod 755 "$RIG"
RES=$RIG/results
: > "$RES"
BENCH=bench/hub
. bench/lib.sh
note() { echo "$*" >> "$RES"; }
collect() { tee -a "$RIG/bench.out" | grep '^R ' | cut -c3- >> "$RES"; }
ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
now_ms() { date +%s%3N; }

START=$(date +%s)
CPU=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')
MEM=$(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo)
say "machine: $(nproc) cores, $CPU, $MEM, kernel $(uname -r), Debian $(cat /etc/debian_version)"
say "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
note "load.start $(cut -d' ' -f1-3 /proc/loadavg)"
note "clk_tck $(getconf CLK_TCK)"
if git rev-parse --git-dir >/dev/null 2>&1; then
	say "source: commit $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- . 2>/dev/null ||
		echo ' plus uncommitted changes')"
fi

# ---- 1. Ed25519: libsodium beside OpenSSL ------------------------------------------
say "Ed25519 verification, one thread, ${VERIFY_S} CPU s per case"
"$VERIFY" -t "$VERIFY_S" -m ed25519 | collect

# ---- the broker ---------------------------------------------------------------------
touch "$RIG/broker.log"; chmod 666 "$RIG/broker.log"
swarm_broker "log_dest file $RIG/broker.log
log_type error
log_type warning"

# ---- 2. the bare broker --------------------------------------------------------------
say "bare broker: one QoS 1 message to $N subscribers and a reply from each, $ROUNDS rounds"
"$SWARM" -B -n "$N" -p "$PORT" -R "$ROUNDS" 2> "$RIG/bare.err" | collect
ok=$(grep -c '^bare.round' "$RES")
[ "$ok" -gt 0 ] || { echo "bench/hub: the bare run failed"; tail "$RIG/bare.err"; exit 1; }

# ---- keys, enrolment, the hub ----------------------------------------------------------
say "keys and enrolment for $N nodes in $RIG"
mkdir -p "$RIG/swarm" "$RIG/hub"
"$SWARM" -n "$N" -v "$VILLAGE" -z "$TOWNSHIP" -k "$RIG/swarm" -E | collect
"$CTL" keygen --out "$RIG/township.pem" --kid township-$TOWNSHIP --zones $TOWNSHIP \
	2>/dev/null | head -1 > "$RIG/township.pub"
"$CTL" keygen --out "$RIG/hub.pem" --kid hub-$TOWNSHIP > /dev/null 2>&1
[ -s "$RIG/township.pub" ] && [ -s "$RIG/hub.pem" ] || { echo "bench/hub: keygen failed"; exit 1; }
cat > "$RIG/ctl.conf" <<CONF
[mqtt]
host = 127.0.0.1
port = $PORT
prefix = $PREFIX

[signer]
key = $RIG/township.pem
kid = township-$TOWNSHIP
CONF
{
	cat <<CONF
[hub]
id = hub-$TOWNSHIP
state_dir = $RIG/hub
key = $RIG/hub.pem
prefix = $PREFIX

[mqtt]
host = 127.0.0.1
port = $PORT

[http]
listen = off

CONF
	cat "$RIG/swarm/hub-nodes.conf"
} > "$RIG/hub.conf"
DB=$RIG/hub/hub.db
HAVE_HUB=0
if "$HUB" -n -s -c "$RIG/hub.conf" > "$RIG/hubcheck.out" 2>&1; then
	HAVE_HUB=1
	"$HUB" -c "$RIG/hub.conf" >> "$RIG/hub.log" 2>&1 &
	PID[hub]=$!
	wait_for 30 test -s "$DB" || { echo "bench/hub: no $DB"; tail "$RIG/hub.log"; exit 1; }
	sleep 1
	note "hub.mem.start $(awk '/^VmRSS/ {print $2}' "/proc/${PID[hub]}/status")"
else
	say "no working hub ($(head -1 "$RIG/hubcheck.out")): measured at the swarm only"
fi

# ---- the swarm -------------------------------------------------------------------------
say "swarm: $N nodes, villages of $VILLAGE, heartbeat every $HB_S s"
"$SWARM" -n "$N" -v "$VILLAGE" -z "$TOWNSHIP" -k "$RIG/swarm" -p "$PORT" -b "$HB_S" \
	-a "$ACK" -T "township-$TOWNSHIP:$(cat "$RIG/township.pub")" > "$RIG/swarm.out" 2> "$RIG/swarm.err" &
PID[swarm]=$!
wait_for 120 grep -q '^R swarm.ready' "$RIG/swarm.out" ||
	{ echo "bench/hub: the swarm did not connect"; tail "$RIG/swarm.err"; exit 1; }
grep '^R swarm.ready' "$RIG/swarm.out" | cut -c3- >> "$RES"
# the connection storm: every node's first status reaches the hub
if [ $HAVE_HUB = 1 ]; then
	t=$(now_ms)
	python3 - "$DB" "$N" <<'PY' || echo "bench/hub: not every node online at the hub"
import sqlite3, sys, time
db, n = sys.argv[1], int(sys.argv[2])
end = time.time() + 120
while time.time() < end:
    try:
        con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1)
        c = con.execute("SELECT count(*) FROM node_state WHERE online = 1").fetchone()[0]
        con.close()
        if c >= n:
            sys.exit(0)
    except sqlite3.Error:
        pass
    time.sleep(0.1)
sys.exit(1)
PY
	note "hub.online_ms $(( $(now_ms) - t ))"
	note "hub.mem.online $(awk '/^VmRSS/ {print $2}' "/proc/${PID[hub]}/status")"
fi
sleep 3

# ---- 3. warnings to every node -----------------------------------------------------------
# poll_done ID N: prints "<wall ms when the hub held N done receipts for ID> <count>"
poll_done() {
	python3 - "$DB" "$1" "$2" <<'PY'
import sqlite3, sys, time
db, ref, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1)
print("polling", flush=True)
end, c = time.time() + 60, -1
while time.time() < end:
    try:
        c = con.execute("SELECT count(*) FROM receipts WHERE ref = ? AND state = 'done'",
                        (ref,)).fetchone()[0]
    except sqlite3.Error:
        c = -1
    if c >= n:
        break
    time.sleep(0.005)
print(int(time.time() * 1000), c, flush=True)
PY
}
for ((w = 1; w <= WARNINGS; w++)); do
	id=bench-$(date +%s)-$w
	if [ $HAVE_HUB = 1 ]; then
		poll_done "$id" "$N" > "$RIG/poll.$w" &
		ppid=$!
		wait_for 10 grep -q polling "$RIG/poll.$w"
	fi
	c0="$(ticks "${PID[swarm]}") $(ticks "${PID[broker]}") ${PID[hub]:+$(ticks "${PID[hub]}")}"
	t0=$(now_ms)
	"$CTL" warn -c "$RIG/ctl.conf" --id "$id" --zone $TOWNSHIP --event flood --severity 2 \
		--title "bench $w" --siren pre-warning > /dev/null ||
		{ echo "bench/hub: warn failed"; exit 1; }
	t1=$(now_ms)
	wait_for 60 grep -q "^R swarm.warning $id " "$RIG/swarm.out" ||
		echo "bench/hub: warning $id not answered by every node"
	sw=$(grep "^R swarm.warning $id " "$RIG/swarm.out" | cut -d' ' -f4-)
	hub="- -"
	if [ $HAVE_HUB = 1 ]; then
		wait "$ppid"
		hub=$(tail -1 "$RIG/poll.$w")
	fi
	read -r cs cb ch <<< "$c0"
	cpu="$(( $(ticks "${PID[swarm]}") - cs )) $(( $(ticks "${PID[broker]}") - cb ))"
	cpu="$cpu $([ -n "${ch:-}" ] && echo $(( $(ticks "${PID[hub]}") - ch )) || echo -)"
	note "warn $w $t0 $t1 ${sw:-0 0 0 0} $hub $cpu"
	printf '   warning %d: sent %d ms, swarm %s, hub %s\n' "$w" $((t1 - t0)) "${sw:-none}" "$hub"
	sleep 3
done
# the same with the hub held (SIGSTOP) until every node has answered: then resumed, the hub
# alone works through the queued warning and receipts (as after a restart mid-warning)
for ((w = 1; HAVE_HUB == 1 && w <= HELD; w++)); do
	id=bench-held-$(date +%s)-$w
	poll_done "$id" "$N" > "$RIG/poll.held.$w" &
	ppid=$!
	wait_for 10 grep -q polling "$RIG/poll.held.$w"
	kill -STOP "${PID[hub]}"
	t0=$(now_ms)
	"$CTL" warn -c "$RIG/ctl.conf" --id "$id" --zone $TOWNSHIP --event flood --severity 2 \
		--title "bench held $w" --siren pre-warning > /dev/null ||
		{ kill -CONT "${PID[hub]}"; echo "bench/hub: warn failed"; exit 1; }
	wait_for 30 grep -q "^R swarm.warning $id " "$RIG/swarm.out"
	sleep 0.5
	ch=$(ticks "${PID[hub]}")
	tc=$(now_ms)
	kill -CONT "${PID[hub]}"
	wait "$ppid"
	read -r t1 cnt < <(tail -1 "$RIG/poll.held.$w")
	note "held $w $t0 $tc $t1 $cnt $(( $(ticks "${PID[hub]}") - ch ))"
	printf '   held warning %d: hub resumed %d ms after the warning, complete %d ms later\n' \
		"$w" $((tc - t0)) $((t1 - tc))
	sleep 3
done
if [ $HAVE_HUB = 1 ]; then
	python3 - "$DB" <<'PY' >> "$RES"
import sqlite3, sys
con = sqlite3.connect(f"file:{sys.argv[1]}?mode=ro", uri=True)
for t in ("receipts", "statuses", "quarantine", "events"):
    print(f"hub.rows.{t}", con.execute(f"SELECT count(*) FROM {t}").fetchone()[0])
PY
	note "hub.mem.after_warnings $(awk '/^VmRSS/ {print $2}' "/proc/${PID[hub]}/status")"
fi

# ---- 4. heartbeats ------------------------------------------------------------------------
if [ $HAVE_HUB = 1 ] && [ "$HB_MIN" -gt 0 ]; then
	say "heartbeats: $N nodes every $HB_S s, hub CPU over $HB_MIN min"
	sleep "$HB_S"              # one whole interval after the warnings first
	h0=$(ticks "${PID[hub]}"); b0=$(ticks "${PID[broker]}"); s0=$(ticks "${PID[swarm]}")
	t0=$(now_ms)
	sleep $((HB_MIN * 60))
	h1=$(ticks "${PID[hub]}"); b1=$(ticks "${PID[broker]}"); s1=$(ticks "${PID[swarm]}")
	t1=$(now_ms)
	note "hb $HB_S $((t1 - t0)) $((h1 - h0)) $((b1 - b0)) $((s1 - s0)) $(getconf CLK_TCK)"
	awk '/^(VmRSS|VmHWM|RssAnon|RssFile):/ { sub(":", "", $1); print "hub.mem.final." $1, $2 }' \
		"/proc/${PID[hub]}/status" >> "$RES"
	python3 - "$DB" "$((t0 - 1000))" <<'PY' >> "$RES"
import sqlite3, sys
con = sqlite3.connect(f"file:{sys.argv[1]}?mode=ro", uri=True)
print("hub.hb.online", con.execute("SELECT count(*) FROM node_state WHERE online = 1").fetchone()[0])
print("hub.hb.fresh", con.execute("SELECT count(*) FROM node_state WHERE last_status_ms >= ?",
                                  (int(sys.argv[2]),)).fetchone()[0])
PY
fi
note "load.end $(cut -d' ' -f1-3 /proc/loadavg)"

# ---- results --------------------------------------------------------------------------------
END=$(date +%s)
python3 - "$RES" "$N" "$HAVE_HUB" "$((END - START))" <<'PY'
import sys
res, n, have_hub, secs = sys.argv[1], int(sys.argv[2]), sys.argv[3] == "1", int(sys.argv[4])
r = {}
for line in open(res):
    f = line.split()
    if f:
        r.setdefault(f[0], []).append(f[1:])

def table(head, body):
    print()
    print("| " + " | ".join(head) + " |")
    print("|" + "|".join("---" for _ in head) + "|")
    for row in body:
        print("| " + " | ".join(str(c) for c in row) + " |")

def med(v):
    v = sorted(v)
    return v[len(v) // 2] if v else float("nan")

body = []
for k, name in (("ed25519.sig_verify", "warning body, libsodium (sig_verify)"),
                ("ed25519.sig_verify_evp", "warning body, OpenSSL 3 EVP_DigestVerify"),
                ("ed25519.receipt", "receipt body, libsodium (sig_verify)"),
                ("ed25519.receipt_evp", "receipt body, OpenSSL 3 EVP_DigestVerify"),
                ("ed25519.verify_alert", "whole verify_alert pipeline (libsodium)")):
    v = r.get("verify." + k)
    if v:
        v = v[-1]
        body.append([name, f"{float(v[2]):,.0f}", f"{float(v[0]):,.0f}", f"{1e6 / float(v[0]):.1f}"])
print("\nEd25519 verification, one thread, per CPU second (best / median of 5 slices)")
table(["case", "best per s", "median per s", "us each (median)"], body)
a, b = r.get("verify.ed25519.receipt"), r.get("verify.ed25519.receipt_evp")
if a and b:
    print(f"\nlibsodium / OpenSSL on a receipt: {float(a[-1][0]) / float(b[-1][0]):.2f}x")

bare = r.get("bare.round", [])
if bare:
    ms = [float(x[2]) for x in bare]
    print(f"\nBare broker, one QoS 1 message to {n:,} subscribers, a QoS 1 reply from each, "
          f"at one collector: {len(ms)} rounds")
    table(["round", "replies", "last reply ms", "first reply ms"],
          [[x[0], x[1], x[2], x[3]] for x in bare])
    print(f"\nmedian {med(ms):.0f} ms, min {min(ms):.0f}, max {max(ms):.0f}")

rd = r.get("swarm.ready")
if rd:
    print(f"\nswarm: {rd[-1][0]} nodes connected and subscribed in {rd[-1][1]} s")
if "hub.online_ms" in r:
    print(f"hub: every node online {int(r['hub.online_ms'][-1][0]) / 1000:.1f} s after that")

body, tot = [], []
for x in r.get("warn", []):
    w, t0, t1 = x[0], int(x[1]), int(x[2])
    got, first, last, acked = int(x[3]), int(x[4]), int(x[5]), int(x[6])
    hub_ms = hub_n = "-"
    if x[7] != "-":
        hub_ms, hub_n = int(x[7]) - t0, int(x[8])
        tot.append(hub_ms)
    tck = float(r.get("clk_tck", [["100"]])[-1][0])
    cpu = ["-" if v == "-" else f"{int(v) / tck:.2f}" for v in x[9:12]] if len(x) >= 12 else ["-"] * 3
    body.append([w, t1 - t0, got, first - t0 if first else "-", last - t0 if last else "-",
                 acked - t0 if acked else "-", hub_n, hub_ms,
                 ("ok" if hub_ms <= 2000 and hub_n >= n else "**over**") if hub_ms != "-" else "-",
                 cpu[2], cpu[0], cpu[1]])
print(f"\nA warning to {n:,} nodes (one township topic); ms from just before `cunxiangctl warn`; "
      "CPU seconds used by each process from the warning to the hub's last done receipt")
table(["#", "warn returned (PUBACK)", "nodes answered", "first node got it", "last node got it",
       "last done acked by broker", "done receipts in hub db", "hub db complete", "<= 2 s",
       "hub CPU s", "swarm CPU s", "broker CPU s"], body)
if tot:
    print(f"\nhub complete: median {med(tot)} ms, min {min(tot)}, max {max(tot)}")
held = r.get("held", [])
if held:
    tck = float(r.get("clk_tck", [["100"]])[-1][0])
    print(f"\nThe hub stopped while {n:,} nodes answer, then resumed: ms from SIGCONT")
    table(["#", "done receipts in hub db", "hub db complete", "<= 2 s", "hub CPU s"],
          [[x[0], x[4], int(x[3]) - int(x[2]),
            "ok" if int(x[3]) - int(x[2]) <= 2000 and int(x[4]) >= n else "**over**",
            f"{int(x[5]) / tck:.2f}"] for x in held])
for k in ("receipts", "statuses", "quarantine", "events"):
    if "hub.rows." + k in r:
        print(f"hub rows: {k} {r['hub.rows.' + k][-1][0]}")

hb = r.get("hb")
if hb:
    hbs, ms, ht, bt, st, tck = (int(v) for v in hb[-1])
    pct = lambda t: 100.0 * t / tck / (ms / 1000)
    fin = {k.split(".")[-1]: int(v[-1][0]) for k, v in r.items() if k.startswith("hub.mem.final.")}
    print(f"\n{n:,} nodes heartbeating every {hbs} s, over {ms / 1000:.0f} s "
          f"({n / hbs:.0f} signed statuses per second)")
    table(["process", "CPU % of one core", "target"],
          [["cunxiang-hub", f"{pct(ht):.2f}", "ok" if pct(ht) < 5 else "**over** (< 5 %)"],
           ["mosquitto", f"{pct(bt):.2f}", ""], ["swarm (all nodes)", f"{pct(st):.2f}", ""]])
    print(f"\nhub memory: VmRSS {fin.get('VmRSS', '?')} kB, VmHWM {fin.get('VmHWM', '?')} kB "
          f"(RssAnon {fin.get('RssAnon', '?')} / RssFile {fin.get('RssFile', '?')} kB); at start "
          f"{r.get('hub.mem.start', [['?']])[-1][0]} kB, all online "
          f"{r.get('hub.mem.online', [['?']])[-1][0]} kB")
    print(f"nodes online at the hub: {r.get('hub.hb.online', [['?']])[-1][0]}, "
          f"status newer than the window: {r.get('hub.hb.fresh', [['?']])[-1][0]}")
elif not have_hub:
    print("\nno hub: heartbeat load not measured")
print(f"\nload average: start {' '.join(r.get('load.start', [[]])[-1])}, "
      f"end {' '.join(r.get('load.end', [[]])[-1])}; total {secs} s")
PY
exit 0
