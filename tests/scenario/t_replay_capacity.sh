#!/usr/bin/env bash
# Capacity never blocks an actual warning: a key allowed only tests sends
# 5,000 signed tests (more than the node once held in all), then the
# township sends an actual warning: it plays (amp relay edge, audio in the
# WAV sink, a signed `done`).  A test the node forgot to make room comes
# again: refused as `replay`, never confirmed again; a new test is.
. "$(dirname "$0")/lib.sh"

N=5000
amp_closed() { edges village-201 | awk '$2 == "AMP_EN" && $3 == 1 { f = 1 } END { exit !f }'; }
make_keys
# a key of its own: the trust store refuses one public key under two ids
openssl genpkey -algorithm ED25519 -out "$RIG/test-only.pem" 2>/dev/null
make_clip flood.opus 0.5 1000
SUM=$(sha "$RIG/clips/flood.opus")
PLAY="[{\"clip\":\"flood.opus\",\"sha256\":\"$SUM\"}]"
node_conf village-201 430682101201 "
[key test-only]
alg = ed25519
pubkey = $(pub_b64 "$RIG/test-only.pem")
zones = 430682101
actions = test"
# the node's state on tmpfs: 10,000 receipts and 5,000 ids are written, and
# this test is about room, not about the disk's speed
mount -t tmpfs -o size=64m tmpfs "$RIG/village-201/state" || { echo "cannot mount tmpfs"; exit 1; }
trap 'for p in "${NODE_PID[@]}"; do kill -TERM "$p" 2>/dev/null; wait "$p" 2>/dev/null; done;
	umount -l "$RIG/village-201/state"; cleanup' EXIT
trap 'exit 1' TERM INT HUP          # so that the EXIT trap unmounts
broker_setup village-201
broker_start || exit 1
node_start village-201
wait_online village-201 || exit 1
Z='["430682101201"]'
now=$(date +%s)

# N tests signed with the test-only key, each kept a second longer than the
# one before, published QoS 1 in one MQTT connection (python3 stdlib + the
# cryptography package; the MQTT 3.1.1 packets by hand)
python3 - "$RIG/test-only.pem" "$PORT" "$N" "$now" "$PLAY" <<'PY' || { echo "flood failed"; exit 1; }
import base64, json, socket, struct, sys
from cryptography.hazmat.primitives.serialization import load_pem_private_key
pem, port, n, now, play = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
key = load_pem_private_key(open(pem, "rb").read(), None)
def s16(b): return struct.pack(">H", len(b)) + b
def varint(x):
    out = b""
    while True:
        d, x = x % 128, x // 128
        out += bytes([d | (0x80 if x else 0)])
        if not x: return out
def packet(t, body): return bytes([t]) + varint(len(body)) + body
sock = socket.create_connection(("127.0.0.1", port))
sock.sendall(packet(0x10, s16(b"MQTT") + b"\x04\xc2\x00\x3c" + s16(b"cx-flood") +
                   s16(b"monitor") + s16(b"pw-monitor")))
assert sock.recv(4) == b"\x20\x02\x00\x00", "CONNACK"
topic = b"cx/alert/43/06/82/101/201"
for i in range(n):
    body = json.dumps({"v": 1, "kind": "alert", "id": "cap-t-%d" % i, "sender": "flood",
        "sent": now, "status": "test", "type": "alert", "event": "flood", "severity": 4,
        "expires": now + 3600 + i, "zones": ["430682101201"], "play": json.loads(play)},
        separators=(",", ":")).encode()
    msg = b"CX1 ed25519 test-only " + base64.b64encode(key.sign(body)) + b"\n" + body
    if i == 0: open(sys.argv[1] + ".first", "wb").write(msg)
    sock.sendall(packet(0x32, s16(topic) + struct.pack(">H", i % 65535 + 1) + msg))
acks, buf = 0, b""
while acks < n:
    buf += sock.recv(65536)
    while len(buf) >= 4 and buf[0] == 0x40:
        buf, acks = buf[4:], acks + 1
sock.sendall(b"\xe0\x00")
PY
cp "$RIG/test-only.pem.first" "$RIG/first-test.msg"
# the node has read the whole flood once the last one is logged (accepted or not)
wait_for 240 grep -q "cap-t-$((N - 1))" "$RIG/village-201.log"
check "the node accepted every test of the flood (silent confirmations)" \
	[ "$(grep -c 'accepted test alert cap-t-' "$RIG/village-201.log")" = "$N" ]
check "no relay edge and no audio from the tests" [ "$(edge_count village-201)" = 0 ]

# now watch the receipts, and send the actual warning
capture_start
body cap-actual-$now "$Z" "$PLAY" > "$RIG/actual.json"
sign_body "$RIG/township.pem" ed25519 "$TOWNSHIP_KID" "$RIG/actual.json" "$RIG/actual.msg"
publish "$RIG/actual.msg" 430682101201
check "the actual warning after $N tests is done" wait_receipt village-201 cap-actual-$now done 20
check "it closed the amplifier relay" amp_closed
check "it played into the sound device" eval '! no_audio village-201'
# (rejection receipts are rate limited: the node's log says what it refused)
check "no rejection of the actual warning" eval \
	'no_receipt village-201 cap-actual-$now rejected && ! grep -q "rejected cap-actual" "$RIG/village-201.log"'

# the first test was forgotten to make room: the exact bytes again
publish "$RIG/first-test.msg" 430682101201
check "a forgotten test sent again is refused as a replay" \
	wait_receipt village-201 cap-t-0 rejected 10
check "  ... with reason replay" reason_has village-201 cap-t-0 rejected "replay:"
check "  ... and not confirmed again" no_receipt village-201 cap-t-0 done
# a new test is still confirmed
python3 - "$RIG/new-test.json" "$now" <<'PY'
import json, sys
now = int(sys.argv[2])
open(sys.argv[1], "w").write(json.dumps({"v": 1, "kind": "alert", "id": "cap-t-new-%d" % now,
    "sender": "t", "sent": now, "status": "test", "type": "alert", "event": "flood",
    "severity": 4, "expires": now + 86400, "zones": ["430682101201"],
    "play": [{"siren": "test-short"}]}, separators=(",", ":")))
PY
sign_body "$RIG/test-only.pem" ed25519 test-only "$RIG/new-test.json" "$RIG/new-test.msg"
publish "$RIG/new-test.msg" 430682101201
check "a new test is still confirmed" wait_receipt village-201 cap-t-new-$now done 15
finish
