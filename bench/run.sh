#!/usr/bin/env bash
# bench/run.sh BUILD: the benchmarks of docs/PERFORMANCE.md, run by `make bench`.
#
# Builds nothing: BUILD must hold cunxiangd and bench/{verify,latency}.
# 1. signature verification rate, one thread (bench/verify);
# 2. a real mosquitto broker (password + ACL, as firmware-config/broker) and
#    a real cunxiangd on loopback, simulated GPIO (sim:DIR) and a WAV file
#    sink, short warm-up and hold; bench/latency sends signed warnings one at
#    a time and measures publish -> relay closed and publish -> first sample:
#    Ed25519, SM2, and Ed25519 under a flood of forged messages;
# 3. the node's resident memory idle, while playing, and its peak.
# Everything runs in a temporary directory, removed at the end (KEEP_RIG=1
# keeps it).  Prints a results table; exits 0 unless a phase could not run.
# Knobs (environment): N_BASE N_SM2 N_FLOOD N_FLOOD_SM2 FLOOD_RATE VERIFY_S.
set -u
BUILD=${1:-build}
cd "$(dirname "$0")/.."
case $BUILD in /*) ;; *) BUILD=$(pwd)/$BUILD ;; esac
D=$BUILD/cunxiangd
VERIFY=$BUILD/bench/verify
LATENCY=$BUILD/bench/latency
N_BASE=${N_BASE:-250}          # warnings per latency run (Ed25519, idle node)
N_SM2=${N_SM2:-100}            # SM2-signed warnings, idle node
N_FLOOD=${N_FLOOD:-200}        # Ed25519 warnings during the 2,000/s flood
N_FLOOD_SM2=${N_FLOOD_SM2:-10} # warnings during a flood of forged SM2 signatures
FLOOD_RATE=${FLOOD_RATE:-2000} # forged messages per second
VERIFY_S=${VERIFY_S:-1.5}      # CPU seconds per verification case
WARMUP_MS=50                   # short, so 200+ warnings take seconds
HOLD_MS=20
PREFIX=cx
NODE=village-201
ZONE=430682101201
ZPATH=43/06/82/101/201

for f in "$D" "$VERIFY" "$LATENCY"; do
	[ -x "$f" ] || { echo "bench: $f missing (run: make bench)"; exit 1; }
done
for c in mosquitto mosquitto_passwd openssl sox opusenc python3; do
	command -v "$c" >/dev/null || { echo "bench: $c missing (run: make deps)"; exit 1; }
done

RIG=$(mktemp -d /tmp/cx-bench.XXXXXX)
chmod 755 "$RIG"
RES=$RIG/results
: > "$RES"
BROKER_PID=
NODE_PID=
cleanup() {
	[ -n "$NODE_PID" ] && { kill -TERM "$NODE_PID" 2>/dev/null; wait "$NODE_PID" 2>/dev/null; }
	[ -n "$BROKER_PID" ] && { kill "$BROKER_PID" 2>/dev/null; wait "$BROKER_PID" 2>/dev/null; }
	if [ "${KEEP_RIG:-0}" = 1 ]; then echo "rig kept: $RIG"; else rm -rf "$RIG"; fi
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
# result lines from a benchmark program: "R name values..." -> $RES
collect() { tee -a "$RIG/bench.out" | grep '^R ' | cut -c3- >> "$RES"; }
get() { awk -v k="$1" -v f="$2" '$1 == k { print $f; exit }' "$RES"; }

START=$(date +%s)
say "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'),"\
" $(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo), kernel $(uname -r),"\
" Debian $(cat /etc/debian_version 2>/dev/null)"

# ---- 1. signature verification ---------------------------------------------
say "signature verification, one thread, ${VERIFY_S} CPU s per case"
"$VERIFY" -t "$VERIFY_S" | collect
# reference: OpenSSL's own harness on the same machine (loop in OpenSSL, no
# body parsing)
openssl speed -seconds 1 ed25519 sm2 2>/dev/null |
	awk '/Ed25519\)/ { print "ossl.ed25519", $NF } /CurveSM2\)/ { print "ossl.sm2", $NF }' >> "$RES"

# ---- 2. rig: keys, clips, broker, node ---------------------------------------
say "rig in $RIG"
openssl genpkey -algorithm ED25519 -out "$RIG/township.pem" 2>/dev/null
openssl genpkey -algorithm ED25519 -out "$RIG/rogue.pem" 2>/dev/null
openssl genpkey -algorithm SM2 -out "$RIG/county-sm2.pem" 2>/dev/null
openssl genpkey -algorithm SM2 -out "$RIG/rogue-sm2.pem" 2>/dev/null
mkdir -p "$RIG/clips" "$RIG/node/sim" "$RIG/node/state" "$RIG/broker-db"
# 0.1 s clip for the latency runs; 3 s for memory while playing
sox -n -r 48000 -c 1 -b 16 "$RIG/clips/beep.wav" synth 0.1 sine 1000 vol 0.5 2>/dev/null
sox -n -r 48000 -c 1 -b 16 "$RIG/clips/long.wav" synth 3 sine 700 vol 0.5 2>/dev/null
opusenc --quiet --bitrate 48 "$RIG/clips/beep.wav" "$RIG/clips/beep.opus"
opusenc --quiet --bitrate 48 "$RIG/clips/long.wav" "$RIG/clips/long.opus"
rm -f "$RIG"/clips/*.wav

PORT=$(free_port)
: > "$RIG/passwd"
for u in "$NODE" sender attacker monitor; do
	mosquitto_passwd -b "$RIG/passwd" "$u" "pw-$u" 2>/dev/null
done
cat > "$RIG/acl" <<ACL
pattern read $PREFIX/node/%u/cmd
pattern write $PREFIX/node/%u/receipt
pattern write $PREFIX/node/%u/status
user sender
topic write $PREFIX/alert/#
topic read $PREFIX/node/+/receipt
user attacker
topic write $PREFIX/alert/#
user monitor
topic read $PREFIX/#
user $NODE
topic read $PREFIX/alert/43
topic read $PREFIX/alert/43/06
topic read $PREFIX/alert/43/06/82
topic read $PREFIX/alert/43/06/82/101
topic read $PREFIX/alert/$ZPATH
ACL
# as firmware-config/broker/mosquitto.conf, on a loopback port
cat > "$RIG/mosquitto.conf" <<CONF
per_listener_settings false
listener $PORT 127.0.0.1
allow_anonymous false
password_file $RIG/passwd
acl_file $RIG/acl
persistence true
persistence_location $RIG/broker-db/
autosave_interval 30
max_queued_messages 10000
log_dest file $RIG/broker.log
log_type error
log_type warning
log_type notice
${BROKER_EXTRA:-}
CONF
chmod 644 "$RIG/passwd" "$RIG/acl"
touch "$RIG/broker.log"; chmod 666 "$RIG/broker.log"
[ "$(id -u)" = 0 ] && chown mosquitto "$RIG/broker-db" 2>/dev/null
mosquitto -c "$RIG/mosquitto.conf" >> "$RIG/broker.out" 2>&1 &
BROKER_PID=$!
wait_for 10 bash -c "exec 3<>/dev/tcp/127.0.0.1/$PORT" ||
	{ echo "bench: broker did not start"; cat "$RIG/broker.out"; exit 1; }

cat > "$RIG/node.conf" <<CONF
[node]
id = $NODE
zone = $ZONE
state_dir = $RIG/node/state
clip_dir = $RIG/clips
volume = 100

[mqtt]
host = 127.0.0.1
port = $PORT
password = pw-$NODE
prefix = $PREFIX
keepalive_s = 30
reconnect_max_s = 2

[gpio]
device = sim:$RIG/node/sim
amp = AMP_EN
siren = SIREN_EN

[audio]
device = file:$RIG/node/out.wav
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
"$D" -n -c "$RIG/node.conf" >/dev/null || { echo "bench: node config rejected"; exit 1; }
"$D" -d -c "$RIG/node.conf" >> "$RIG/node.log" 2>&1 &
NODE_PID=$!
wait_for 10 grep -q "mqtt: connected" "$RIG/node.log" ||
	{ echo "bench: node did not connect"; tail -20 "$RIG/node.log"; exit 1; }
sleep 2                        # settle: status published, nothing pending

lat() {   # lat LABEL KEY KID CLIP [extra latency options...]
	local label=$1 key=$2 kid=$3 clip=$4; shift 4
	"$LATENCY" -h 127.0.0.1 -p "$PORT" -u sender -P pw-sender \
		-t "$PREFIX/alert/$ZPATH" -r "$PREFIX/node/$NODE/receipt" \
		-k "$key" -K "$kid" -c "$RIG/clips/$clip" -S "$RIG/node/sim" -L AMP_EN \
		-w "$RIG/node/out.wav" -W "$WARMUP_MS" -l "$label" -o "$RIG/$label.csv" \
		-m "$NODE_PID" "$@" 2>&1 | collect
}
rejections() { grep -c "rejected message" "$RIG/node.log"; }

# ---- 3. latency ------------------------------------------------------------------
say "latency: $N_BASE Ed25519 warnings, idle node"
lat base "$RIG/township.pem" township-101 beep.opus -n "$N_BASE"
say "latency: $N_SM2 SM2 warnings, idle node"
lat sm2 "$RIG/county-sm2.pem" county-sm2 beep.opus -n "$N_SM2"

say "latency: $N_FLOOD Ed25519 warnings under $FLOOD_RATE forged msg/s (half bad signature"\
" under township-101, half unknown key ids)"
r0=$(rejections)
lat flood "$RIG/township.pem" township-101 beep.opus -n "$N_FLOOD" \
	-F "$FLOOD_RATE" -f "$RIG/rogue.pem" -j township-101 -U 50
echo "flood.rejected $(( $(rejections) - r0 ))" >> "$RES"
sleep 2                        # let the node drain what is left of the flood

say "latency: $N_FLOOD_SM2 Ed25519 warnings under $FLOOD_RATE forged msg/s, all bad SM2"\
" signatures under county-sm2"
r0=$(rejections)
d0=$(grep -c "dropped" "$RIG/broker.log")
lat flood_sm2 "$RIG/township.pem" township-101 beep.opus -n "$N_FLOOD_SM2" \
	-F "$FLOOD_RATE" -f "$RIG/rogue-sm2.pem" -j county-sm2 -U 0
echo "flood_sm2.rejected $(( $(rejections) - r0 ))" >> "$RES"
echo "flood_sm2.broker_drops $(( $(grep -c "dropped" "$RIG/broker.log") - d0 ))" >> "$RES"
# the backlog the node still has to work through before it is idle again
wait_for 120 bash -c "[ \"\$(grep -c 'rejected message' '$RIG/node.log')\" -ge $(( r0 + $(get flood_sm2.flood 2) )) ]"
sleep 1

# ---- 4. memory while playing a 3 s clip and a siren through the speaker ----------
say "memory: one 3 s clip + 1.25 s siren (speaker and relay)"
lat mem "$RIG/township.pem" township-101 long.opus -n 1 -s bench-short
sleep 1
grep -E '^Vm(RSS|HWM)' "/proc/$NODE_PID/status" | awk '{ print "mem.final." $1, $2 }' |
	tr -d : >> "$RES"

# ---- results ----------------------------------------------------------------------
END=$(date +%s)
python3 - "$RES" "$WARMUP_MS" "$FLOOD_RATE" "$((END - START))" <<'PY'
import sys
res, warmup, rate, secs = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
r = {}
for line in open(res):
    f = line.split()
    if f:
        r[f[0]] = f[1:]

def lat(label, what):
    v = r.get(f"{label}.{what}")
    return None if v is None else dict(n=int(v[0]), p50=float(v[1]), p99=float(v[2]),
                                        max=float(v[3]), mean=float(v[4]))

rows = []
def row(name, value, target, ok):
    rows.append((name, value, target, "" if ok is None else ("ok" if ok else "OVER")))

for label, title in (("base", "Ed25519, idle node"), ("sm2", "SM2, idle node")):
    x = lat(label, "relay")
    if x:
        row(f"publish -> amp relay, {title} (n={x['n']})",
            f"p50 {x['p50']:.2f} ms, p99 {x['p99']:.2f} ms, max {x['max']:.2f}", "p99 < 10 ms",
            x["p99"] < 10)
    x = lat(label, "first")
    if x:
        row(f"publish -> first sample - {warmup} ms warm-up, {title} (n={x['n']})",
            f"p50 {x['p50']:.2f} ms, p99 {x['p99']:.2f} ms, max {x['max']:.2f}", "p99 < 20 ms",
            x["p99"] < 20)
    x = lat(label, "first_rcpt")
    if x:
        row(f"  same, from the 'playing' receipt (1 ms resolution)",
            f"p50 {x['p50']:.0f} ms, p99 {x['p99']:.0f} ms", "", None)
for k, name in (("ed25519.sig_verify", "Ed25519 sig_verify"),
                ("ed25519.verify_alert", "Ed25519 verify_alert (whole pipeline)"),
                ("sm2.sig_verify", "SM2-SM3 sig_verify"),
                ("sm2.verify_alert", "SM2-SM3 verify_alert (whole pipeline)"),
                ("ed25519.forged", "reject forged Ed25519 (trusted kid)"),
                ("sm2.forged", "reject forged SM2 (trusted kid)"),
                ("unknown_kid", "reject unknown kid")):
    v = r.get("verify." + k)
    if v:
        row(f"{name}, 1 thread", f"{float(v[0]):,.0f} /s ({float(v[1]):.1f} us)", "", None)
for k, name in (("ossl.ed25519", "  reference: openssl speed ed25519 verify"),
                ("ossl.sm2", "  reference: openssl speed sm2 verify")):
    if k in r:
        row(name, f"{float(r[k][0]):,.0f} /s", "", None)

base = lat("base", "relay")
for label, title in (("flood", "half bad Ed25519 sig, half unknown kid"),
                     ("flood_sm2", "all bad SM2 sig under a trusted kid")):
    x, fl = lat(label, "relay"), r.get(f"{label}.flood")
    lost = r.get(f"{label}.lost")
    if fl:
        row(f"flood ({title}): forged messages sent", f"{int(fl[0]):,} in {float(fl[1]):.1f} s"
            f" = {float(fl[2]):,.0f}/s; node rejected {int(r.get(label + '.rejected', ['0'])[0]):,}"
            + (f"; broker drop notices {r[label + '.broker_drops'][0]}" if label + ".broker_drops" in r else ""),
            f"{rate}/s", None)
    if x and base:
        added50, added99 = x["p50"] - base["p50"], x["p99"] - base["p99"]
        row(f"publish -> amp relay under that flood (n={x['n']})",
            f"p50 {x['p50']:.2f} ms, p99 {x['p99']:.2f} ms, max {x['max']:.2f}", "", None)
        row(f"  added by the flood", f"p50 +{added50:.2f} ms, p99 +{added99:.2f} ms",
            "< 50 ms", added99 < 50)
    if lost and int(lost[0]) > 0:
        row(f"  warnings without a done receipt within 30 s", f"{lost[0]} of {lost[1]}",
            "0", False)

m = r.get("base.mem")
mm = r.get("mem.mem")
def mb(kb): return f"{int(kb) / 1024:.2f} MiB"
if m:
    row("cunxiangd VmRSS idle (connected, before any warning)", mb(m[0]), "< 8 MB",
        int(m[0]) < 8 * 1000)
    row("cunxiangd VmRSS while playing (0.1 s clips, max)", mb(m[2]), "< 8 MB",
        int(m[2]) < 8 * 1000)
if mm:
    row("cunxiangd VmRSS while playing (3 s clip + siren, max)", mb(mm[2]), "< 8 MB",
        int(mm[2]) < 8 * 1000)
if "mem.final.VmHWM" in r:
    row("cunxiangd VmHWM, whole run incl. floods", mb(r["mem.final.VmHWM"][0]), "< 8 MB",
        int(r["mem.final.VmHWM"][0]) < 8 * 1000)
    row("cunxiangd VmRSS idle at the end", mb(r["mem.final.VmRSS"][0]), "", None)

w = [max(len(x[i]) for x in rows) for i in range(3)]
print()
print(f"{'measure':<{w[0]}}  {'result':<{w[1]}}  {'target':<{w[2]}}")
print("-" * (w[0] + w[1] + w[2] + 10))
for a, b, c, d in rows:
    print(f"{a:<{w[0]}}  {b:<{w[1]}}  {c:<{w[2]}}  {d}")
print(f"\n(total {secs} s)")
PY
exit 0
