#!/usr/bin/env bash
# make demo: one village node end to end on this machine.
#   a local mosquitto with the shipped broker config (passwords, ACLs, no
#   anonymous access), a node with the simulated GPIO backend and audio into
#   a WAV file (or the real sound card if there is one), the township hub
#   (cunxiang-hub: receipts and statuses in SQLite, roll-call, HTTP API), a
#   flood warning signed by a township key with cunxiangctl, the signed
#   receipt, the hub's roll-call and node list, and the web console's
#   account and what it shows (WAIT=1 keeps it all running for a browser).
# Everything lives in a temporary directory, removed at the end
# (KEEP=1 keeps it).
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
say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
freeport() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
port=$(freeport)      # the node listener
oport=$(freeport)     # the operator listener
while [ "$oport" = "$port" ]; do oport=$(freeport); done
hport=$(freeport)     # the hub's HTTP API
while [ "$hport" = "$port" ] || [ "$hport" = "$oport" ]; do hport=$(freeport); done

say "1. Broker: mosquitto on 127.0.0.1:$port (nodes) and :$oport (operators), shipped config and ACL"
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
echo "users: $NODE (node), $OPER (township operator), $HUBID (hub); anonymous access refused"

say "2. Township key (Ed25519), made with cunxiangctl keygen"
"$CTL" keygen --alg ed25519 --out "$DIR/township.pem" --kid "$OPER" --zones 430682101 > "$DIR/keygen.out"
cat "$DIR/keygen.out"
PUB=$(awk -F' = ' '/^pubkey/ {print $2}' "$DIR/keygen.out")

say "3. A warning clip: Mandarin speech from espeak-ng, encoded to Ogg Opus"
mkdir -p "$DIR/clips"
if command -v espeak-ng >/dev/null; then
	espeak-ng -v cmn-latn-pinyin -s 150 -w "$DIR/clips/flood.wav" \
	  "qing3 zhu4 yi4, shan1 hong2 yu4 jing3, qing3 li4 ji2 xiang4 gao1 chu4 zhuan3 yi2" 2>/dev/null
	sox "$DIR/clips/flood.wav" -r 48000 -c 1 "$DIR/clips/flood48.wav"
else
	sox -n -r 48000 -c 1 -b 16 "$DIR/clips/flood48.wav" synth 2 sine 700 vol 0.5
fi
opusenc --quiet --bitrate 32 "$DIR/clips/flood48.wav" "$DIR/clips/flood.opus"
rm -f "$DIR/clips/"*.wav
echo "flood.opus: $(stat -c %s "$DIR/clips/flood.opus") bytes, sha256 $(sha256sum "$DIR/clips/flood.opus" | cut -c1-16)..."

AUDIO="file:$DIR/played.wav"
if [ -e /proc/asound/cards ] && grep -q '[0-9] \[' /proc/asound/cards 2>/dev/null; then
	AUDIO=alsa:default
fi
say "4. Node $NODE in zone $ZONE: simulated relays, audio to ${AUDIO}"
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
"$D" -n -c "$DIR/node.conf"
"$D" -d -c "$DIR/node.conf" > "$DIR/node.log" 2>&1 & NODE_PID=$!
for i in $(seq 600); do grep -q "mqtt: connected" "$DIR/node.log" && break; sleep 0.1; done
grep -q "mqtt: connected" "$DIR/node.log" || { echo "node did not connect:"; cat "$DIR/node.log"; exit 1; }
echo "node online; its public key for enrolment (cunxiangctl node-key):"
"$CTL" node-key -c "$DIR/node.conf" | tee "$DIR/enrol.txt"

say "5. The township hub: cunxiang-hub with the node enrolled, its HTTP API on 127.0.0.1:$hport"
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
"$BUILD/cunxiang-hub" -n -c "$DIR/hub.conf"
"$BUILD/cunxiang-hub" -d -c "$DIR/hub.conf" > "$DIR/hub.log" 2>&1 & HUB_PID=$!
for i in $(seq 600); do grep -q "broker: connected" "$DIR/hub.log" && break; sleep 0.1; done
grep -q "broker: connected" "$DIR/hub.log" || { echo "hub did not connect:"; cat "$DIR/hub.log"; exit 1; }
echo "hub connected; every receipt and status goes into $DIR/hub/hub.db (SQLite)"

say "6. Operator: sign and send a flood warning with cunxiangctl, wait for receipts"
cat > "$DIR/ctl.conf" <<CONF
[mqtt]
host = 127.0.0.1
port = $oport
username = $OPER
password = demo-township-secret

[signer]
key = $DIR/township.pem
kid = $OPER

[hub]
url = http://127.0.0.1:$hport
token_file = hub.token
key = $(openssl pkey -in "$DIR/hub.key" -pubout -outform DER 2>/dev/null | base64 -w0)

$(sed -n '/^\[node /,$p' "$DIR/enrol.txt")
CONF
set +e
"$CTL" warn -c "$DIR/ctl.conf" --zone 430682101 --event flood --severity 2 \
	--title "山洪预警" --text "请立即向高处转移" \
	--siren demo-short --clip "$DIR/clips/flood.opus" --wait 120 | tee "$DIR/warn.out"
rc=${PIPESTATUS[0]}
set -e
WID=$(head -1 "$DIR/warn.out")

say "7. What happened on the node"
python3 - "$DIR/node/sim/edges" <<'PY'
import sys
rows = [l.split() for l in open(sys.argv[1])]
if rows:
    t0 = int(rows[0][0])
    print("relay timeline (simulated GPIO, monotonic clock):")
    for ns, line, v in rows:
        print("  %+8.3f s  %-8s %s" % ((int(ns) - t0) / 1e9, line, "ON" if v == "1" else "off"))
PY
if [ -s "$DIR/played.wav" ]; then
	echo "audio played into played.wav:"
	sox "$DIR/played.wav" -n stat 2>&1 | grep -E "Length|RMS +amplitude|Rough" | sed 's/^/  /'
fi
echo "node log:"
grep -E "accepted|playing|receipt" "$DIR/node.log" | sed 's/^/  /'

say "8. The hub: the warning's roll-call (叫应), the nodes, the audit log"
set +e
"$CTL" rollcall -c "$DIR/ctl.conf" "$WID" --timeout 60; hrc=$?
"$CTL" nodes -c "$DIR/ctl.conf"
"$CTL" audit -c "$DIR/ctl.conf" verify
set -e
[ $rc = 0 ] && [ $hrc != 0 ] && rc=$hrc

say "9. The web console on the hub: http://127.0.0.1:$hport/"
DUTY_PW=$(openssl rand -base64 12)
printf '%s\n' "$DUTY_PW" | "$BUILD/cunxiang-hub" -c "$DIR/hub.conf" --account-add duty --role operator
echo "account 'duty' (operator) made with cunxiang-hub --account-add; its password: $DUTY_PW"
echo "what the console shows after logging in (its API, read here with python3):"
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
print("  logged in: %s (%s); cookie %s...; HttpOnly, SameSite=Strict" % (me["name"], me["role"], cookie[:18]))
def get(path):
    q = urllib.request.Request(base + path, headers={"Cookie": cookie})
    with urllib.request.urlopen(q, timeout=10) as r:
        return json.load(r)
for z in get("/api/zones")["zones"]:
    print("  zone %-14s %-8s %d node(s): %d ok, %d playing, %d fault, %d offline" % (
          z["zone"], z["level"], z["nodes"], z["ok"], z["playing"], z["fault"], z["offline"]))
w = get("/api/warnings/" + wid)
print("  warning %s (%s): %s, %d of %d done" % (w["id"], w.get("status"), w["verdict"],
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
[ $rc = 0 ] && echo "DEMO OK: the warning played, the node's signed receipt verified, the hub's roll-call is complete." || echo "demo: cunxiangctl exit $rc"
exit $rc
