#!/usr/bin/env bash
# bench/run.sh BUILD: the benchmarks of docs/PERFORMANCE.md, run by `make bench`.
#
# Builds nothing: BUILD must hold cunxiangd and bench/{verify,latency,storage}.
#  1. signature verification rate, one thread (bench/verify);
#  2. real mosquitto brokers (password + ACL, the settings of
#     firmware-config/broker/cunxiang.conf) and real cunxiangd nodes on
#     loopback, simulated GPIO (sim:DIR), WAV file sinks, 50 ms warm-up,
#     20 ms hold; bench/latency sends signed warnings one at a time and
#     measures publish -> amplifier relay closed and publish -> first sample.
#     Three nodes run side by side, one per set-up:
#       A  village-201: broker with Nagle (set_tcp_nodelay false), state_dir on disk
#       B  village-202: broker as shipped (set_tcp_nodelay true), state_dir on disk
#       C  village-203: broker with set_tcp_nodelay true, state_dir on tmpfs
#       D  village-204: as C, but every fsync(2) made FSYNC_DELAY_MS slower by
#          an LD_PRELOAD shim compiled here: the node on slow flash storage
#     and are measured in interleaved blocks, so that all four see the same
#     machine (this kind of VM shares its disk and CPUs with other tenants,
#     and their load drifts over minutes);
#  3. valid warnings under a flood of forged messages (B and C), in blocks
#     alternating with and without the flood;
#  4. the nodes' resident memory idle, while playing, and the peak;
#  5. the fsync cost of the disk under the state_dir, before and after.
# Everything runs in temporary directories, removed at the end (KEEP_RIG=1
# keeps them).  Prints the results as Markdown tables; exits 0 unless the
# rig could not be set up.
# Knobs (environment): ROUNDS BLOCK N_SM2_BLOCK N_GAP_BLOCK N_SLOW_BLOCK
# FSYNC_DELAY_MS N_FLOOD FLOOD_BLOCK N_FLOOD_SM2 FLOOD_RATE VERIFY_S.
set -u
BUILD=${1:-build}
cd "$(dirname "$0")/.."
case $BUILD in /*) ;; *) BUILD=$(pwd)/$BUILD ;; esac
D=$BUILD/cunxiangd
VERIFY=$BUILD/bench/verify
LATENCY=$BUILD/bench/latency
STORAGE=$BUILD/bench/storage
ROUNDS=${ROUNDS:-10}           # interleaved rounds of the baseline runs
BLOCK=${BLOCK:-25}             # Ed25519 warnings per node and round (250 per set-up)
N_SM2_BLOCK=${N_SM2_BLOCK:-10} # SM2 warnings to node B per round (100)
N_FLOOD=${N_FLOOD:-200}        # warnings per flood run, half of them under the flood
FLOOD_BLOCK=${FLOOD_BLOCK:-25} # flood on / off every FLOOD_BLOCK warnings
N_FLOOD_SM2=${N_FLOOD_SM2:-12} # same for the flood of forged SM2 signatures
N_GAP_BLOCK=${N_GAP_BLOCK:-5}  # warnings to A per round sent 300 ms after the last
N_SLOW_BLOCK=${N_SLOW_BLOCK:-10} # warnings to D per round
FSYNC_DELAY_MS=${FSYNC_DELAY_MS:-10} # added to every fsync of node D
FLOOD_RATE=${FLOOD_RATE:-2000} # forged messages per second
VERIFY_S=${VERIFY_S:-1.5}      # CPU seconds per verification case
WARMUP_MS=50                   # short, so 250 warnings take about a minute
HOLD_MS=20
PREFIX=cx

for f in "$D" "$VERIFY" "$LATENCY" "$STORAGE"; do
	[ -x "$f" ] || { echo "bench: $f missing (run: make bench)"; exit 1; }
done
for c in mosquitto mosquitto_passwd openssl sox opusenc python3 cc; do
	command -v "$c" >/dev/null || { echo "bench: $c missing (run: make deps)"; exit 1; }
done

RIG=$(mktemp -d /tmp/cx-bench.XXXXXX)
chmod 755 "$RIG"
SHM=
if [ "$(stat -f -c %T /dev/shm 2>/dev/null)" = tmpfs ]; then
	SHM=$(mktemp -d /dev/shm/cx-bench.XXXXXX)
fi
RES=$RIG/results               # "name values..." lines
CSV=$RIG/samples.csv           # one row per warning, from bench/latency
: > "$RES"
echo "label,seq,flood,relay_ms,first_ms,first_rcpt_ms,underruns" > "$CSV"
declare -A NODE_PID=() BROKER_PID=() PORT=()
cleanup() {
	local p
	for p in "${NODE_PID[@]}"; do kill -TERM "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
	for p in "${BROKER_PID[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
	if [ "${KEEP_RIG:-0}" = 1 ]; then
		echo "rig kept: $RIG ${SHM:+and $SHM}"
	else
		rm -rf "$RIG" ${SHM:+"$SHM"}
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

say() { printf '== %s\n' "$*"; }
free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}
wait_for() {   # wait_for SECONDS COMMAND...
	local t=$1 i; shift
	for ((i = 0; i < t * 20; i++)); do "$@" 2>/dev/null && return 0; sleep 0.05; done
	return 1
}
pub_b64() { openssl pkey -in "$1" -pubout -outform DER 2>/dev/null | base64 -w0; }
# "R name values..." lines of a benchmark program -> $RES; all output -> bench.out
collect() { tee -a "$RIG/bench.out" | grep '^R ' | cut -c3- >> "$RES"; }
note() { echo "$*" >> "$RES"; }
# 430682101202 -> 43/06/82/101/202
zone_path() { echo "${1:0:2}/${1:2:2}/${1:4:2}/${1:6:3}/${1:9:3}"; }

START=$(date +%s)
CPU=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')
MEM=$(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo)
say "machine: $(nproc) cores, $CPU, $MEM, kernel $(uname -r), Debian $(cat /etc/debian_version)"
say "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
if git rev-parse --git-dir >/dev/null 2>&1; then
	say "source: commit $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- . 2>/dev/null ||
		echo ' plus uncommitted changes'), binary built $(date -r "$D" '+%F %T')"
fi
note "load.start $(cut -d' ' -f1-3 /proc/loadavg)"

# ---- 1. signature verification ---------------------------------------------
say "signature verification, one thread, ${VERIFY_S} CPU s per case"
"$VERIFY" -t "$VERIFY_S" | collect
# reference: OpenSSL's own harness on the same machine
openssl speed -seconds 1 ed25519 sm2 2>/dev/null |
	awk '/Ed25519\)/ { print "ossl.ed25519", $NF } /CurveSM2\)/ { print "ossl.sm2", $NF }' >> "$RES"

# ---- 2. rig: keys, clips, brokers, nodes --------------------------------------
say "rig in $RIG${SHM:+ and $SHM}"
openssl genpkey -algorithm ED25519 -out "$RIG/township.pem" 2>/dev/null
openssl genpkey -algorithm ED25519 -out "$RIG/rogue.pem" 2>/dev/null
openssl genpkey -algorithm SM2 -out "$RIG/county-sm2.pem" 2>/dev/null
openssl genpkey -algorithm SM2 -out "$RIG/rogue-sm2.pem" 2>/dev/null
mkdir -p "$RIG/clips"
# 0.1 s clip for the latency runs; 3 s for memory while playing
sox -n -r 48000 -c 1 -b 16 "$RIG/clips/beep.wav" synth 0.1 sine 1000 vol 0.5 2>/dev/null
sox -n -r 48000 -c 1 -b 16 "$RIG/clips/long.wav" synth 3 sine 700 vol 0.5 2>/dev/null
opusenc --quiet --bitrate 48 "$RIG/clips/beep.wav" "$RIG/clips/beep.opus"
opusenc --quiet --bitrate 48 "$RIG/clips/long.wav" "$RIG/clips/long.opus"
rm -f "$RIG"/clips/*.wav

say "storage: fsync cost where nodes A and B keep their state ($(findmnt -no FSTYPE -T "$RIG" 2>/dev/null))"
"$STORAGE" -n 100 "$RIG" | sed 's/^R storage\./R storage.before./' | collect

# node D's slow storage: fsync and fdatasync sleep first (a test shim, not
# part of the project, so it is built here rather than by the Makefile)
cat > "$RIG/slowfsync.c" <<'SHIM'
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdlib.h>
#include <time.h>
static void lag(void)
{
	const char *s = getenv("CX_FSYNC_DELAY_MS");
	long ms = s ? atol(s) : 0;
	struct timespec t = { ms / 1000, (ms % 1000) * 1000000L };
	nanosleep(&t, NULL);
}
int fsync(int fd)
{
	static int (*real)(int);
	if (!real)
		*(void **)&real = dlsym(RTLD_NEXT, "fsync");
	lag();
	return real(fd);
}
int fdatasync(int fd)
{
	static int (*real)(int);
	if (!real)
		*(void **)&real = dlsym(RTLD_NEXT, "fdatasync");
	lag();
	return real(fd);
}
SHIM
cc -O2 -shared -fPIC -o "$RIG/slowfsync.so" "$RIG/slowfsync.c" -ldl ||
	{ echo "bench: cannot build the fsync shim"; exit 1; }

# set-up -> node id, zone, broker, state_dir
declare -A NODE=([a]=village-201 [b]=village-202 [c]=village-203 [d]=village-204)
declare -A ZONE=([a]=430682101201 [b]=430682101202 [c]=430682101203 [d]=430682101204)
declare -A BROKER_OF=([a]=shipped [b]=nodelay [c]=nodelay [d]=nodelay)
declare -A STATE=([a]=$RIG/a/state [b]=$RIG/b/state [c]=${SHM:-$RIG/c}/state
	[d]=${SHM:-$RIG/d}/d-state)

: > "$RIG/passwd"
for u in "${NODE[@]}" sender attacker; do
	mosquitto_passwd -b "$RIG/passwd" "$u" "pw-$u" 2>/dev/null
done
{
	echo "pattern read $PREFIX/node/%u/cmd"
	echo "pattern write $PREFIX/node/%u/receipt"
	echo "pattern write $PREFIX/node/%u/status"
	echo "user sender"
	echo "topic write $PREFIX/alert/#"
	echo "topic read $PREFIX/node/+/receipt"
	echo "user attacker"
	echo "topic write $PREFIX/alert/#"
	for s in a b c d; do
		echo "user ${NODE[$s]}"
		p=$(zone_path "${ZONE[$s]}")
		for l in 2 5 8 12 16; do echo "topic read $PREFIX/alert/${p:0:$l}"; done
	done
} > "$RIG/acl"
chmod 644 "$RIG/passwd" "$RIG/acl"

# broker_start NAME [EXTRA_LINE]: the settings of
# firmware-config/broker/cunxiang.conf on a loopback port, plus EXTRA_LINE
broker_start() {
	local name=$1 port
	port=$(free_port)
	mkdir -p "$RIG/broker-$name"
	[ "$(id -u)" = 0 ] && chown mosquitto "$RIG/broker-$name" 2>/dev/null
	touch "$RIG/broker-$name.log"; chmod 666 "$RIG/broker-$name.log"
	cat > "$RIG/broker-$name.conf" <<CONF
per_listener_settings false
listener $port 127.0.0.1
allow_anonymous false
password_file $RIG/passwd
acl_file $RIG/acl
persistence true
persistence_location $RIG/broker-$name/
autosave_interval 30
max_queued_messages 10000
log_dest file $RIG/broker-$name.log
log_type error
log_type warning
log_type notice
${2:-}
CONF
	mosquitto -c "$RIG/broker-$name.conf" >> "$RIG/broker-$name.out" 2>&1 &
	BROKER_PID[$name]=$!
	PORT[$name]=$port
	wait_for 10 bash -c "exec 3<>/dev/tcp/127.0.0.1/$port" ||
		{ echo "bench: broker $name did not start"; cat "$RIG/broker-$name.out"; exit 1; }
}

# node_start SETUP
node_start() {
	local s=$1 dir=$RIG/$1
	mkdir -p "$dir/sim" "${STATE[$s]}"
	cat > "$dir/node.conf" <<CONF
[node]
id = ${NODE[$s]}
zone = ${ZONE[$s]}
state_dir = ${STATE[$s]}
clip_dir = $RIG/clips
volume = 100

[mqtt]
host = 127.0.0.1
port = ${PORT[${BROKER_OF[$s]}]}
password = pw-${NODE[$s]}
prefix = $PREFIX
keepalive_s = 30
reconnect_max_s = 2

[gpio]
device = sim:$dir/sim
amp = AMP_EN
siren = SIREN_EN

[audio]
device = file:$dir/out.wav
warmup_ms = $WARMUP_MS
hold_ms = $HOLD_MS
max_on_s = 120
siren_output = both

[siren bench-short]
on_ms = 500
off_ms = 250
cycles = 2
tone = wail
freq_hz = 800

[key township-101]
alg = ed25519
pubkey = $(pub_b64 "$RIG/township.pem")
zones = 430682101
actions = warn,cancel,drill,test

[key county-sm2]
alg = sm2-sm3
pubkey = $(pub_b64 "$RIG/county-sm2.pem")
zones = 430682
actions = warn,cancel,drill,test
CONF
	"$D" -n -s -c "$dir/node.conf" >/dev/null || { echo "bench: node $s config rejected"; exit 1; }
	if [ "$s" = d ]; then
		LD_PRELOAD=$RIG/slowfsync.so CX_FSYNC_DELAY_MS=$FSYNC_DELAY_MS \
			"$D" -d -c "$dir/node.conf" >> "$dir/node.log" 2>&1 &
	else
		"$D" -d -c "$dir/node.conf" >> "$dir/node.log" 2>&1 &
	fi
	NODE_PID[$s]=$!
	wait_for 15 grep -q "mqtt: subscribed" "$dir/node.log" ||
		{ echo "bench: node $s did not connect"; tail -20 "$dir/node.log"; exit 1; }
}

broker_start shipped "set_tcp_nodelay false"
broker_start nodelay "set_tcp_nodelay true"
for s in a b c d; do node_start $s; done
sleep 2                        # settle: status published, nothing pending

# lat SETUP LABEL KEY KID CLIP [extra bench/latency options...]
lat() {
	local s=$1 label=$2 key=$3 kid=$4 clip=$5; shift 5
	"$LATENCY" -h 127.0.0.1 -p "${PORT[${BROKER_OF[$s]}]}" -u sender -P pw-sender \
		-t "$PREFIX/alert/$(zone_path "${ZONE[$s]}")" -r "$PREFIX/node/${NODE[$s]}/receipt" \
		-z "${ZONE[$s]}" -k "$key" -K "$kid" -c "$RIG/clips/$clip" -S "$RIG/$s/sim" \
		-L AMP_EN -w "$RIG/$s/out.wav" -W "$WARMUP_MS" -l "$label" -o "$CSV" \
		-m "${NODE_PID[$s]}" "$@" 2>&1 | collect
}
rejections() { grep -c "rejected message" "$RIG/$1/node.log"; }
drops() { cat "$RIG"/broker-*.log | grep -c "dropped"; }
# flood SETUP LABEL N ROGUE_KEY FORGED_KID UNKNOWN_PCT [extra options]
flood() {
	local s=$1 label=$2 n=$3 rogue=$4 fkid=$5 upct=$6 r0 d0 prev cur i
	shift 6
	r0=$(rejections "$s")
	d0=$(drops)
	lat "$s" "$label" "$RIG/township.pem" township-101 beep.opus -n "$n" \
		-F "$FLOOD_RATE" -f "$rogue" -j "$fkid" -U "$upct" "$@"
	# the node may still be working through a backlog: wait until it is done
	prev=-1
	for ((i = 0; i < 120; i++)); do
		cur=$(rejections "$s")
		[ "$cur" = "$prev" ] && break
		prev=$cur
		sleep 1
	done
	note "$label.rejected $(( $(rejections "$s") - r0 ))"
	note "$label.broker_drops $(( $(drops) - d0 ))"
}

# ---- 3. latency, three set-ups interleaved -----------------------------------
say "latency: $ROUNDS rounds of $BLOCK Ed25519 warnings to each of A, B, C,"\
" $N_SM2_BLOCK SM2 warnings to B, $N_GAP_BLOCK Ed25519 warnings 300 ms apart to A and"\
" $N_SLOW_BLOCK to D"
for ((r = 1; r <= ROUNDS; r++)); do
	lat a a_base "$RIG/township.pem" township-101 beep.opus -n "$BLOCK"
	lat b b_base "$RIG/township.pem" township-101 beep.opus -n "$BLOCK"
	lat c c_base "$RIG/township.pem" township-101 beep.opus -n "$BLOCK"
	lat b b_sm2 "$RIG/county-sm2.pem" county-sm2 beep.opus -n "$N_SM2_BLOCK"
	lat a a_gap "$RIG/township.pem" township-101 beep.opus -n "$N_GAP_BLOCK" -g 300
	lat d d_base "$RIG/township.pem" township-101 beep.opus -n "$N_SLOW_BLOCK"
	printf '   round %d/%d done\n' "$r" "$ROUNDS"
done

# ---- 4. floods ------------------------------------------------------------------
for s in b c; do
	say "flood on ${s^^}: $N_FLOOD Ed25519 warnings in blocks of $FLOOD_BLOCK, every other block"\
" under $FLOOD_RATE forged msg/s (half bad signatures under township-101, half unknown"\
" key ids)"
	flood $s ${s}_flood "$N_FLOOD" "$RIG/rogue.pem" township-101 50 -B "$FLOOD_BLOCK"
done
say "flood on C: $N_FLOOD_SM2 Ed25519 warnings, the second half under $FLOOD_RATE forged"\
" msg/s, all bad SM2 signatures under county-sm2"
flood c c_flood_sm2 "$N_FLOOD_SM2" "$RIG/rogue-sm2.pem" county-sm2 0 -B $((N_FLOOD_SM2 / 2))

# ---- 5. memory while playing a 3 s clip and a siren, then the peaks ----------------
say "memory: one 3 s clip + 1.25 s siren (speaker and relay) on A"
lat a mem "$RIG/township.pem" township-101 long.opus -n 1 -s bench-short
sleep 1
for s in a b c d; do
	awk -v s=$s '/^(VmRSS|VmHWM|RssAnon|RssFile):/ { sub(":", "", $1); print "mem.final." s "." $1, $2 }' \
		"/proc/${NODE_PID[$s]}/status" >> "$RES"
done

say "storage: fsync cost again"
"$STORAGE" -n 100 "$RIG" | sed 's/^R storage\./R storage.after./' | collect
note "load.end $(cut -d' ' -f1-3 /proc/loadavg)"
say "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"

# ---- results ----------------------------------------------------------------------
END=$(date +%s)
python3 - "$RES" "$CSV" "$WARMUP_MS" "$FLOOD_RATE" "$((END - START))" "$FSYNC_DELAY_MS" <<'PY'
import csv, sys
res, samples, warmup, rate, secs = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
slow = int(sys.argv[6])
r = {}                       # name -> list of value lists (a name may repeat)
for line in open(res):
    f = line.split()
    if f:
        r.setdefault(f[0], []).append(f[1:])
rows = list(csv.DictReader(open(samples)))

def pct(v, p):               # nearest rank, as bench/warning.h
    v = sorted(v)
    k = min(max(int(p / 100 * len(v) + 0.999999) - 1, 0), len(v) - 1)
    return v[k]

def dist(label, flood, field):
    v = [float(x[field]) for x in rows
         if x["label"] == label and x["flood"] == str(flood) and x[field] != ""]
    if field == "first_rcpt_ms":
        v = [x for x in v if x >= -warmup]
    if not v:
        return None
    return dict(n=len(v), p50=pct(v, 50), p99=pct(v, 99), max=max(v), mean=sum(v) / len(v))

def count(label, flood=None):
    sel = [x for x in rows if x["label"] == label and (flood is None or x["flood"] == str(flood))]
    lost = sum(1 for x in sel if x["relay_ms"] == "")
    xr = sum(1 for x in sel if x["underruns"] not in ("", "0"))
    return len(sel), lost, xr

def mark(ok):
    return "ok" if ok else "**over**"

def fmt(d):
    return f"{d['p50']:.2f} / {d['p99']:.2f} / {d['max']:.2f}" if d else "-"

def table(head, body):
    print()
    print("| " + " | ".join(head) + " |")
    print("|" + "|".join("---" for _ in head) + "|")
    for row in body:
        print("| " + " | ".join(str(c) for c in row) + " |")

body = []
for label, setup, alg in (("a_base", "A: broker with Nagle (nodelay off), state on disk", "Ed25519"),
                          ("a_gap", "A, warnings 300 ms apart instead of 20 ms", "Ed25519"),
                          ("b_base", "B: broker as shipped (nodelay), state on disk", "Ed25519"),
                          ("b_sm2", "B: broker as shipped (nodelay), state on disk", "SM2"),
                          ("c_base", "C: broker nodelay, state on tmpfs", "Ed25519"),
                          ("d_base", f"D: as C, every fsync {slow} ms slower", "Ed25519")):
    rl, fs, fr = dist(label, 0, "relay_ms"), dist(label, 0, "first_ms"), dist(label, 0, "first_rcpt_ms")
    if not rl:
        continue
    n, lost, xr = count(label)
    body.append([setup, alg, rl["n"], fmt(rl), mark(rl["p99"] < 10), fmt(fs),
                 mark(fs["p99"] < 20), f"{fr['p50']:.0f} / {fr['p99']:.0f}" if fr else "-",
                 xr, lost])
print(f"\nLatency on loopback, ms, p50 / p99 / max; first sample minus the {warmup} ms warm-up")
table(["set-up", "signature", "n", "publish -> amp relay", "p99 < 10 ms",
       "publish -> first sample", "p99 < 20 ms", "first sample from receipt (1 ms res.)",
       "warnings with underruns", "lost"], body)

body = []
for label, setup, what in (("b_flood", "B (disk)", "half bad Ed25519 sig. (trusted kid), half unknown kids"),
                           ("c_flood", "C (tmpfs)", "half bad Ed25519 sig. (trusted kid), half unknown kids"),
                           ("c_flood_sm2", "C (tmpfs)", "all bad SM2 sig. (trusted kid)")):
    fl = r.get(label + ".flood")
    if not fl:
        continue
    fl = fl[-1]
    q, x = dist(label, 0, "relay_ms"), dist(label, 1, "relay_ms")
    nq, lq, _ = count(label, 0)
    nf, lf, _ = count(label, 1)
    rej = r.get(label + ".rejected", [["?"]])[-1][0]
    drops = r.get(label + ".broker_drops", [["?"]])[-1][0]
    if q and x:
        added = f"{x['p50'] - q['p50']:+.2f} / {x['p99'] - q['p99']:+.2f}"
        ok = mark(x["p99"] - q["p99"] < 50 and lf == 0)
    else:
        added, ok = "-", mark(False)
    body.append([setup, what, f"{int(fl[0]):,} in {float(fl[1]):.1f} s ({float(fl[2]):,.0f}/s)",
                 rej, drops, fmt(q), fmt(x), added, ok, f"{lf} of {nf}"])
print(f"\nValid warnings while forged messages arrive at {rate}/s (QoS 1), in blocks alternating "
      "with quiet blocks; publish -> amp relay, ms, p50 / p99 / max")
table(["set-up", "forged messages", "sent while flooding", "node rejected",
       "broker drop notices", "quiet blocks", "flood blocks", "added p50 / p99",
       "added p99 < 50 ms", "lost under flood"], body)

body = []
for k, name in (("ed25519.sig_verify", "Ed25519 sig_verify (libsodium)"),
                ("ed25519.sig_verify_evp", "Ed25519 through OpenSSL EVP_DigestVerify"),
                ("ed25519.receipt", "Ed25519 receipt body (libsodium)"),
                ("ed25519.receipt_evp", "Ed25519 receipt body (OpenSSL EVP)"),
                ("ed25519.verify_alert", "Ed25519 verify_alert (whole pipeline)"),
                ("sm2.sig_verify", "SM2-SM3 sig_verify"),
                ("sm2.verify_alert", "SM2-SM3 verify_alert (whole pipeline)"),
                ("ed25519.forged", "reject forged Ed25519 (trusted kid)"),
                ("sm2.forged", "reject forged SM2 (trusted kid)"),
                ("unknown_kid", "reject unknown kid")):
    v = r.get("verify." + k)
    if v:
        v = v[-1]
        body.append([name, f"{float(v[2]):,.0f}", f"{1e6 / float(v[2]):.1f}",
                     f"{float(v[0]):,.0f}"])
for k, name in (("ossl.ed25519", "reference: openssl speed ed25519, verify"),
                ("ossl.sm2", "reference: openssl speed sm2, verify")):
    if k in r:
        v = float(r[k][-1][0])
        body.append([name, f"{v:,.0f}", f"{1e6 / v:.1f}", ""])
print("\nSignature verification, one thread, per CPU second (best and median of 5 interleaved"
      " slices; other tenants only ever slow a slice down)")
table(["operation", "per second (best)", "us each", "median slice"], body)

def mb(kb):
    return f"{int(kb)} kB ({int(kb) * 1024 / 1e6:.2f} MB)"
body = []
for s, label in (("a", "a_base"), ("b", "b_base"), ("c", "c_base"), ("d", "d_base")):
    m = r.get(label + ".mem")
    fin = {k.split(".")[-1]: int(v[-1][0]) for k, v in r.items() if k.startswith(f"mem.final.{s}.")}
    if not m or not fin:
        continue
    idle = int(m[0][0])
    play = max(int(x[2]) for x in m)
    extra = r.get("mem.mem") if s == "a" else None
    if extra:
        play = max(play, int(extra[-1][2]))
    body.append([s.upper(), mb(idle), mark(idle * 1024 < 8e6), mb(play), mark(play * 1024 < 8e6),
                 mb(fin["VmHWM"]), mark(fin["VmHWM"] * 1024 < 8e6),
                 f"{fin['RssAnon']} / {fin['RssFile']}"])
print("\ncunxiangd resident memory (VmRSS / VmHWM from /proc/PID/status; target < 8 MB = 8,000,000 bytes)")
table(["node", "VmRSS idle, before any warning", "", "VmRSS while playing (max)", "",
       "VmHWM at the end", "", "RssAnon / RssFile at the end, kB"], body)

body = []
for when in ("before", "after"):
    for k, name in (("append_fsync", "append + fsync (replay set)"),
                    ("replace_file", "temp file + fsync + rename + fsync dir (spool)")):
        v = r.get(f"storage.{when}.{k}")
        if v:
            v = v[-1]
            body.append([when, name, f"{float(v[1]):.2f} / {float(v[2]):.2f} / {float(v[3]):.2f}"])
print("\nDurable writes on the disk under the state_dir of A and B, ms, p50 / p99 / max")
table(["when", "pattern", "p50 / p99 / max"], body)
print(f"\nload average: start {' '.join(r.get('load.start', [[]])[-1])}, "
      f"end {' '.join(r.get('load.end', [[]])[-1])}; total {secs} s")
PY
exit 0
