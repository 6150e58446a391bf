#!/usr/bin/env bash
# make demo: one village node end to end on this machine.
#   a local mosquitto with the shipped broker config (passwords, ACLs, no
#   anonymous access), a node with the simulated GPIO backend and audio into
#   a WAV file (or the real sound card if there is one), the township hub
#   (cunxiang-hub: receipts and statuses in SQLite, roll-call, HTTP API), a
#   flood warning signed by a township key with cunxiangctl, the signed
#   receipt, the hub's roll-call and node list, and the web console's
#   account and what it shows (WAIT=1 keeps it all running for a browser).
# It tells what happened as a story: one numbered plain line per step, a
# few indented lines of detail under some (what the node played and when,
# each signed receipt, the hub's verdict).  The tools' own output goes to
# files in the demo directory.  Everything lives in a temporary directory,
# removed at the end (KEEP=1 keeps it).
set -eu
BUILD=${1:-build}
TOP=$(cd "$(dirname "$0")/../.." && pwd)
. "$TOP/tests/scenario/lib_broker.sh"
case $BUILD in /*) ;; *) BUILD=$TOP/$BUILD ;; esac
D=$BUILD/cunxiangd
CTL=$BUILD/cunxiangctl
DIR=$(mktemp -d /tmp/cunxiang-demo.XXXXXX)
chmod 755 "$DIR"
NODE=village-430682101201
ZONE=430682101201
OPER=township-430682101
HUBID=hub-430682101
BROKER_PID= NODE_PID= HUB_PID=

cleanup() {
	[ -n "$HUB_PID" ] && kill "$HUB_PID" 2>/dev/null && wait "$HUB_PID" 2>/dev/null
	[ -n "$NODE_PID" ] && kill "$NODE_PID" 2>/dev/null && wait "$NODE_PID" 2>/dev/null
	[ -n "$BROKER_PID" ] && kill "$BROKER_PID" 2>/dev/null && wait "$BROKER_PID" 2>/dev/null
	if [ "${KEEP:-0}" = 1 ]; then echo "demo files kept in $DIR"; else rm -rf "$DIR"; fi
}
trap cleanup EXIT
step() { printf '%s\n' "$*"; }        # one numbered line per step
detail() { printf '     %s\n' "$*"; }  # indented lines under it
freeport() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
port=$(freeport)      # the node listener
oport=$(freeport)     # the operator listener
while [ "$oport" = "$port" ]; do oport=$(freeport); done
hport=$(freeport)     # the hub's HTTP API
while [ "$hport" = "$port" ] || [ "$hport" = "$oport" ]; do hport=$(freeport); done

# Debian's own mosquitto.conf (paths moved into $DIR) reading the shipped
# drop-in, its listeners on loopback ports without TLS (lib_broker.sh)
broker_debian_conf "$DIR" "$port" "$oport"
# the shipped ACL, with the line a hub that sends from the web console needs
sed 's|^#topic write cx/alert/43/06/82/101/#$|topic write cx/alert/43/06/82/101/#|' \
	"$TOP/firmware-config/broker/acl" > "$DIR/acl"
mosquitto_passwd -c -b "$DIR/nodes.passwd" "$NODE" "demo-node-secret" 2>/dev/null
mosquitto_passwd -c -b "$DIR/operators.passwd" "$OPER" "demo-township-secret" 2>/dev/null
mosquitto_passwd -b "$DIR/operators.passwd" "$HUBID" "demo-hub-secret" 2>/dev/null
chmod 644 "$DIR/nodes.passwd" "$DIR/operators.passwd"
mosquitto -c "$DIR/mosquitto.conf" >"$DIR/broker.out" 2>&1 & BROKER_PID=$!
# generous waits: they end as soon as the condition holds
for i in $(seq 600); do (exec 3<>/dev/tcp/127.0.0.1/$oport) 2>/dev/null && break; sleep 0.1; done
step "1. broker started: mosquitto on 127.0.0.1:$port for nodes and :$oport for operators, with the" \
	"shipped config (a password per account, an ACL per topic, no anonymous access)"
detail "accounts: $NODE (the node), $OPER (the township's operator), $HUBID (the hub)"

"$CTL" keygen --alg ed25519 --out "$DIR/township.pem" --kid "$OPER" --zones 430682101 > "$DIR/keygen.out"
PUB=$(awk -F' = ' '/^pubkey/ {print $2}' "$DIR/keygen.out")
step "2. township key made with cunxiangctl keygen: Ed25519, key id $OPER; the node will trust it" \
	"for zone 430682101 (the township) and the actions warn, cancel, drill, test"

mkdir -p "$DIR/clips"
if command -v espeak-ng >/dev/null; then
	espeak-ng -v cmn-latn-pinyin -s 150 -w "$DIR/clips/flood.wav" \
	  "qing3 zhu4 yi4, shan1 hong2 yu4 jing3, qing3 li4 ji2 xiang4 gao1 chu4 zhuan3 yi2" 2>/dev/null
	sox "$DIR/clips/flood.wav" -r 48000 -c 1 "$DIR/clips/flood48.wav"
else
	sox -n -r 48000 -c 1 -b 16 "$DIR/clips/flood48.wav" synth 2 sine 700 vol 0.5
fi
opusenc --quiet --bitrate 32 "$DIR/clips/flood48.wav" "$DIR/clips/flood.opus"
CLIP_S=$(python3 -c 'import sys, wave; w = wave.open(sys.argv[1]); print("%.1f" % (w.getnframes() / w.getframerate()))' "$DIR/clips/flood48.wav")
rm -f "$DIR/clips/"*.wav
step "3. warning clip made: flood.opus, $CLIP_S s of Mandarin (\"请注意，山洪预警，请立即向高处转移\", espeak-ng)," \
	"Ogg Opus, $(stat -c %s "$DIR/clips/flood.opus") bytes, sha256 $(sha256sum "$DIR/clips/flood.opus" | cut -c1-16)..."

AUDIO="file:$DIR/played.wav"
if [ -e /proc/asound/cards ] && grep -q '[0-9] \[' /proc/asound/cards 2>/dev/null; then
	AUDIO=alsa:default
fi
mkdir -p "$DIR/node/sim" "$DIR/node/state"
cat > "$DIR/node.conf" <<CONF
[node]
id = $NODE
zone = $ZONE
state_dir = $DIR/node/state
clip_dir = $DIR/clips
volume = 100

[mqtt]
host = 127.0.0.1
port = $port
password = demo-node-secret

[gpio]
device = sim:$DIR/node/sim
amp = AMP_EN
siren = SIREN_EN

[audio]
device = $AUDIO
warmup_ms = 1500
hold_ms = 1000
siren_output = both

[siren demo-short]
on_ms = 1000
off_ms = 500
cycles = 2
tone = wail
freq_hz = 700

[key $OPER]
alg = ed25519
pubkey = $PUB
zones = 430682101
actions = warn,cancel,drill,test
CONF
"$D" -n -c "$DIR/node.conf" > "$DIR/node-check.out"
"$D" -d -c "$DIR/node.conf" > "$DIR/node.log" 2>&1 & NODE_PID=$!
for i in $(seq 600); do grep -q "mqtt: subscribed" "$DIR/node.log" && break; sleep 0.1; done
grep -q "mqtt: subscribed" "$DIR/node.log" || { echo "node did not connect:"; cat "$DIR/node.log"; exit 1; }
"$CTL" node-key -c "$DIR/node.conf" > "$DIR/enrol.txt"
case $AUDIO in file:*) SOUND="sound into a WAV file, $DIR/played.wav" ;; *) SOUND="sound on $AUDIO" ;; esac
step "4. node $NODE started in village $ZONE and connected: relays simulated in" \
	"$DIR/node/sim (no GPIO here), $SOUND; its config checked first (cunxiangd -n)"
detail "it made its own signing key; cunxiangctl node-key printed it for the operator and the hub to enrol"
openssl genpkey -algorithm ED25519 -out "$DIR/hub.key" 2>/dev/null; chmod 600 "$DIR/hub.key"
HUB_TOKEN=$(openssl rand -hex 16)
echo "viewer demo $(printf %s "$HUB_TOKEN" | sha256sum | cut -d' ' -f1)" > "$DIR/hub.tokens"
printf '%s\n' "$HUB_TOKEN" > "$DIR/hub.token"; chmod 600 "$DIR/hub.token"
cat > "$DIR/hub.conf" <<CONF
[hub]
id = $HUBID
state_dir = $DIR/hub
key = $DIR/hub.key
rollcall_deadline_s = 60
report_at_s = 120,600

[mqtt]
host = 127.0.0.1
port = $oport
username = $HUBID
password = demo-hub-secret

[http]
listen = 127.0.0.1:$hport
tokens = $DIR/hub.tokens
console_dir = $TOP/hub/console

[signer]
key = $DIR/township.pem
kid = $OPER
zones = 430682101
actions = warn,cancel,drill,test
clip_dir = $DIR/clips

$(sed -n '/^\[node /,$p' "$DIR/enrol.txt")
CONF
(cd "$DIR/clips" && sha256sum flood.opus > SHA256SUMS)
"$BUILD/cunxiang-hub" -n -c "$DIR/hub.conf" > "$DIR/hub-check.out"
"$BUILD/cunxiang-hub" -d -c "$DIR/hub.conf" > "$DIR/hub.log" 2>&1 & HUB_PID=$!
for i in $(seq 600); do grep -q "broker: connected" "$DIR/hub.log" && break; sleep 0.1; done
grep -q "broker: connected" "$DIR/hub.log" || { echo "hub did not connect:"; cat "$DIR/hub.log"; exit 1; }
step "5. hub $HUBID started with the node enrolled: it keeps every receipt and status in" \
	"$DIR/hub/hub.db (SQLite), follows each warning's roll-call, serves its API on 127.0.0.1:$hport"

cat > "$DIR/ctl.conf" <<CONF
[mqtt]
host = 127.0.0.1
port = $oport
username = $OPER
password = demo-township-secret

[signer]
key = township.pem
kid = $OPER

[receipts]
log = ctl-receipts.log

[sirens]
names = demo-short

[hub]
url = http://127.0.0.1:$hport
token_file = hub.token
key = $(openssl pkey -in "$DIR/hub.key" -pubout -outform DER 2>/dev/null | base64 -w0)

$(sed -n '/^\[node /,$p' "$DIR/enrol.txt")
CONF
set +e
"$CTL" warn -c "$DIR/ctl.conf" --zone 430682101 --event flood --severity 2 \
	--title "山洪预警" --text "请立即向高处转移" \
	--siren demo-short --clip "$DIR/clips/flood.opus" --wait 120 > "$DIR/warn.out" 2> "$DIR/warn.err"
rc=$?
set -e
WID=$(head -1 "$DIR/warn.out")
if [ -z "$WID" ]; then
	echo "6. the operator could not send the warning (cunxiangctl exit $rc):"; cat "$DIR/warn.err"
	exit 1
fi
step "6. operator sent warning $WID with cunxiangctl warn: a flood, severity 2 (orange)," \
	"\"山洪预警\", to township 430682101; play the siren demo-short, then flood.opus; signed with" \
	"the township key, published once per zone, acknowledged by the broker"

python3 "$TOP/tests/demo/tell.py" played "$DIR/node/sim/edges" "$DIR/played.wav" "$CLIP_S" "$NODE" \
	|| { [ $rc != 0 ] || rc=5; }
python3 "$TOP/tests/demo/tell.py" receipts "$CTL" "$DIR" "$NODE" "$WID" || { [ $rc != 0 ] || rc=5; }
detail "cunxiangctl warn --wait summed them up (exit $rc): $(sed -n 2p "$DIR/warn.out")"

set +e
"$CTL" rollcall -c "$DIR/ctl.conf" "$WID" --timeout 60 --json > "$DIR/rollcall.json" 2>"$DIR/rollcall.err"; hrc=$?
"$CTL" nodes -c "$DIR/ctl.conf" --json > "$DIR/nodes.json" 2>&1
"$CTL" audit -c "$DIR/ctl.conf" verify > "$DIR/audit.out" 2>&1; arc=$?
set -e
python3 - "$DIR/rollcall.json" "$DIR/nodes.json" "$(cat "$DIR/audit.out")" <<'PY' || true
import json, sys
rc = json.load(open(sys.argv[1]))
c = rc.get("counts", {})
print("9. the hub's roll-call (叫应) of the warning: %s, %d of %d expected node(s) done%s" % (
      {"ok": "complete", "failed": "FAILED", "silent": "someone silent", "pending": "in progress"}
      .get(rc.get("verdict"), rc.get("verdict")), c.get("done", 0), c.get("expected", 0),
      "" if rc.get("complete") else " (not complete)"))
for n in json.load(open(sys.argv[2])):
    f = n.get("faults") or []
    print("     node %s: %s, last heard %ss ago%s" % (n["id"], n["state"], n.get("age_s"),
          ", faults: " + ", ".join(f) if f else ", no faults"))
    if "clock-unsynced" in f:
        print("       (clock-unsynced: this machine's clock is not NTP-synchronised; warnings still play)")
print("     " + sys.argv[3].strip())
PY
[ $rc = 0 ] && [ $hrc != 0 ] && rc=$hrc
[ $rc = 0 ] && [ $arc != 0 ] && rc=$arc

DUTY_PW=$(openssl rand -base64 12)
printf '%s\n' "$DUTY_PW" | "$BUILD/cunxiang-hub" -c "$DIR/hub.conf" --account-add duty --role operator \
	> "$DIR/account.out"
step "10. web console account made (cunxiang-hub --account-add): duty, an operator, password $DUTY_PW;" \
	"what the console at http://127.0.0.1:$hport/ shows after logging in (its API, read with python3):"
python3 - "$hport" "$DUTY_PW" "$WID" <<'PY' || { [ $rc != 0 ] || rc=5; }
import json, sys, urllib.request
port, pw, wid = sys.argv[1:4]
base = "http://127.0.0.1:%s" % port
req = urllib.request.Request(base + "/api/login", method="POST",
                             data=json.dumps({"name": "duty", "password": pw}).encode(),
                             headers={"Content-Type": "application/json"})
with urllib.request.urlopen(req, timeout=10) as r:
    cookie = r.headers["Set-Cookie"].split(";")[0]
    me = json.load(r)
print("     logged in as %s (%s): a session cookie, HttpOnly, SameSite=Strict" % (me["name"], me["role"]))
def get(path):
    q = urllib.request.Request(base + path, headers={"Cookie": cookie})
    with urllib.request.urlopen(q, timeout=10) as r:
        return json.load(r)
for z in get("/api/zones")["zones"]:
    print("     zone %-14s %-8s %d node(s): %d ok, %d playing, %d with a fault, %d offline" % (
          z["zone"], z["level"], z["nodes"], z["ok"], z["playing"], z["fault"], z["offline"]))
w = get("/api/warnings/" + wid)
print("     warning %s (%s): %s, %d of %d done" % (w["id"], w.get("status"), w["verdict"],
      w["counts"]["done"], w["counts"]["expected"]))
PY
if [ "${WAIT:-0}" = 1 ]; then
	echo "everything keeps running: open http://127.0.0.1:$hport/ in a browser on this machine,"
	echo "log in as duty, send a drill to 430682101; Ctrl-C stops the demo"
	trap 'exit $rc' INT
	wait "$HUB_PID"
else
	echo "(make demo WAIT=1 keeps the broker, node and hub running to try the console in a browser)"
fi
[ $rc = 0 ] && echo "DEMO OK: the warning played, the node's signed receipts verified, the hub's roll-call is complete." || echo "demo: something went wrong (exit $rc); KEEP=1 keeps $DIR with every tool's output"
exit $rc
