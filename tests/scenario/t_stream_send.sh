#!/usr/bin/env bash
# cunxiangctl stream against a real broker, checked by an independent
# reader (python3-cryptography, no code of ours): a 3 s WAV (44.1 kHz
# stereo) is announced by a warning signed with the township key whose one
# play item is the stream (fresh Ed25519 key, codec parameters, D, start);
# every packet is signed by that key over id, topic and bytes, the
# sequence has no gap, positions and presentation times follow the
# announced timeline, the packets are paced in real time (first to last
# arrival ~ the audio's duration), and the end packet closes the stream.
# SIGINT mid-stream still sends the end packet, prints the summary, exits
# 0.  An Ogg Opus file, a text stream (espeak-ng); bad inputs publish nothing.  `receipts`
# shows a node's stream evidence (a receipt signed by openssl).
. "$(dirname "$0")/lib.sh"

make_keys
broker_setup village-201
broker_start || exit 1
ctl_conf
openssl genpkey -algorithm ED25519 -out "$RIG/village-201.pem" 2>/dev/null
printf '[node village-201]\nzone = 430682101201\npubkey = %s\n' "$(pub_b64 "$RIG/village-201.pem")" >> "$RIG/ctl.conf"
ZONE=430682101201

# Everything on cx/# with its arrival time (Unix s.ns), topic, payload hex.
mosquitto_sub -V mqttv5 -h 127.0.0.1 -p "$PORT" -u monitor -P pw-monitor -t "$PREFIX/#" \
	-F '%U %t %x' > "$RIG/cap" 2>"$RIG/cap.err" &
probe() { mosquitto_pub -h 127.0.0.1 -p "$PORT" -u monitor -P pw-monitor \
	-t "$PREFIX/alert/probe" -m x 2>/dev/null; grep -q " $PREFIX/alert/probe " "$RIG/cap"; }
wait_for 30 probe || { echo "capture did not subscribe"; exit 1; }

sox -n -r 44100 -c 2 -b 16 "$RIG/tone3.wav" synth 3 sine 440 vol 0.5
sox -n -r 48000 -c 1 -b 16 "$RIG/tone20.wav" synth 20 sine 440 vol 0.5

# ends_in SID: the stream's 3 end packets ("CXS1", type 2) are captured
ends_in() { [ "$(grep -c " $PREFIX/stream/$1 4358533102" "$RIG/cap")" -ge 3 ]; }

# check_stream SUMMARY_JSON MIN_SAMPLES: the independent reader (see top)
check_stream() {
	python3 - "$RIG/cap" "$RIG/township.pem" "$1" "$PREFIX" "$2" <<'PY'
import base64, json, struct, sys
from cryptography.hazmat.primitives.serialization import load_pem_private_key
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
cap, pem, summ, prefix, min_samples = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5])
s = json.load(open(summ))
sid = s["stream"]
township = load_pem_private_key(open(pem, "rb").read(), None).public_key()
msgs = [l.split(" ", 2) for l in open(cap).read().splitlines()]
msgs = [(float(t), topic, bytes.fromhex(h)) for t, topic, h in msgs]
def fail(why):
    print(why); sys.exit(1)
# the announcement: a warning signed by the township key, with the stream item
ann = [m for m in msgs if m[1].startswith(prefix + "/alert/") and sid.encode() in m[2]]
if len(ann) != 1: fail("announcements: %d" % len(ann))
hdr, body = ann[0][2].split(b"\n", 1)
magic, alg, kid, sig = hdr.decode().split(" ")
if (magic, alg) != ("CX1", "ed25519"): fail("envelope header " + hdr.decode())
township.verify(base64.b64decode(sig), body)        # raises if forged
a = json.loads(body)
if a["id"] != sid or len(a["play"]) != 1: fail("play list " + json.dumps(a["play"]))
it = a["play"][0]
want = {"stream": sid, "codec": "opus", "rate": 48000, "channels": 1, "frame_ms": 20,
        "delay_ms": s["delay_ms"], "start_ms": s["start_ms"]}
for k, v in want.items():
    if it.get(k) != v: fail("stream item %s = %r, want %r" % (k, it.get(k), v))
raw = base64.b64decode(it["key"], validate=True)
if len(it["key"]) != 44 or len(raw) != 32: fail("key " + it["key"])
key = Ed25519PublicKey.from_public_bytes(raw)
# the packets: signature, sequence, positions, pts, pacing
topic = prefix + "/stream/" + sid
pk = [m for m in msgs if m[1] == topic]
pos = 0; audio = []; end = None; ends = 0
for i, (t, _, p) in enumerate(pk):
    if end is not None and p[4] != 2: fail("an audio packet after the end")
    if len(p) < 28 + 64 or p[:4] != b"CXS1": fail("packet %d: layout" % i)
    msg = b"CXS1" + bytes([len(sid)]) + sid.encode() + struct.pack(">H", len(topic)) + topic.encode() + p[:-64]
    key.verify(p[-64:], msg)                          # raises if not by the stream key
    typ, nf, flags, seq, position, pts = struct.unpack(">BBHIQq", p[4:28])
    if seq != i: fail("packet %d has seq %d" % (i, seq))
    if position != pos: fail("packet %d at position %d, want %d" % (i, position, pos))
    if pts != it["start_ms"] * 1000 + position * 125 // 6: fail("packet %d: pts %d" % (i, pts))
    if flags != 0: fail("flags")
    if typ == 2:
        if nf != 0 or len(p) != 28 + 64: fail("end packet layout")
        if end is not None and position != end[1]: fail("end copies at different totals")
        end = end or (t, position); ends += 1; continue
    off = 28
    for f in range(nf):
        (n,) = struct.unpack(">H", p[off:off + 2]); off += 2 + n
        if not 1 <= n <= 1275: fail("frame length %d" % n)
    if off != len(p) - 64: fail("packet %d: frames do not fill it" % i)
    audio.append((t, position)); pos += nf * 960
if end is None: fail("no end packet")
if ends != 3: fail("%d end packets, want 3 (successive seqs)" % ends)
if end[1] != pos or pos != s["duration_ms"] * 48: fail("end at %d, audio to %d, summary %d ms" % (end[1], pos, s["duration_ms"]))
if pos < min_samples: fail("only %d samples" % pos)
if len(pk) != s["packets"]: fail("%d packets seen, summary says %d" % (len(pk), s["packets"]))
span = audio[-1][0] - audio[0][0]; want = (audio[-1][1] - audio[0][1]) / 48000
t0 = (it["start_ms"] - it["delay_ms"]) / 1000
print("packets %d, first %+.0f ms from t0, first to last %.3f s for %.3f s of audio" % (
    len(pk), (audio[0][0] - t0) * 1000, span, want))
if abs(span - want) > 0.25: fail("not paced in real time")
if abs(audio[0][0] - t0) > 0.25: fail("first packet not sent at t0")
PY
}

# --- a 3 s WAV --------------------------------------------------------------
"$CTL" stream -c "$RIG/ctl.conf" --zone $ZONE --event flood --severity 2 --title "山洪" \
	--text "请注意，山洪预警" --file "$RIG/tone3.wav" --start-in-ms 1000 --fallback-speech \
	--json > "$RIG/s1.json" 2>"$RIG/s1.err"
rc=$?
check "stream of a 3 s WAV exits 0 (got $rc)" [ $rc = 0 ]
check "summary: eof, end sent (3 copies), 150 frames + the encoder's tail, 3020 ms" python3 -c '
import json, sys; s = json.load(open(sys.argv[1]))
t = (s["end"], s["end_sent"], s["frames"], s["packets"], s["duration_ms"])
sys.exit(0 if t == ("eof", True, 151, 154, 3020) else "summary %r" % (t,))' "$RIG/s1.json"
sid=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["stream"])' "$RIG/s1.json")
sid1=$sid
wait_for 10 ends_in "$sid"   # the end packets are in
check "announcement signed, packets signed by the stream key, in sequence, paced" \
	check_stream "$RIG/s1.json" 144000
check "announcement on the zone's alert topic" grep -q " $PREFIX/alert/$(zone_path $ZONE) " "$RIG/cap"
check "no progress line when stderr is not a terminal" [ ! -s "$RIG/s1.err" ]

# --- SIGINT mid-stream ------------------------------------------------------
"$CTL" stream -c "$RIG/ctl.conf" --zone $ZONE --event flood --severity 2 \
	--file "$RIG/tone20.wav" --start-in-ms 1000 --frames 2 --json > "$RIG/s2.json" 2>"$RIG/s2.err" &
pid=$!
npk() { grep -c " $PREFIX/stream/" "$RIG/cap"; }
before=$(npk)
wait_for 30 bash -c "[ \$(grep -c ' $PREFIX/stream/' '$RIG/cap') -ge $((before + 40)) ]"
kill -INT $pid
wait $pid; rc=$?
check "SIGINT: exit 0 (got $rc)" [ $rc = 0 ]
check "SIGINT: summary says interrupted, end packet sent" python3 -c '
import json, sys; s = json.load(open(sys.argv[1]))
sys.exit(0 if s["end"] == "interrupted" and s["end_sent"] and 1000 < s["duration_ms"] < 15000 else 1)' "$RIG/s2.json"
sid=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["stream"])' "$RIG/s2.json")
wait_for 10 ends_in "$sid"
check "SIGINT: every packet signed and in sequence, the end packet last at the total" \
	check_stream "$RIG/s2.json" 48000

# --- text (espeak-ng) ---------------------------------------------------------
"$CTL" stream -c "$RIG/ctl.conf" --zone $ZONE --event flood --severity 2 \
	--say "请注意，山洪预警" --start-in-ms 1000 --json > "$RIG/s3.json" 2>"$RIG/s3.err"
rc=$?
check "text stream exits 0 (got $rc)" [ $rc = 0 ]
sid=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["stream"])' "$RIG/s3.json" 2>/dev/null)
wait_for 10 ends_in "$sid"
check "text stream: signed, in sequence, paced, about 2.6 s of speech" check_stream "$RIG/s3.json" 96000

# --- an Ogg Opus file --------------------------------------------------------
opusenc --quiet --bitrate 32 "$RIG/tone3.wav" "$RIG/tone3.opus"
"$CTL" stream -c "$RIG/ctl.conf" --zone $ZONE --event flood --severity 2 \
	--file "$RIG/tone3.opus" --start-in-ms 1000 --bitrate 16000 --frames 3 --json > "$RIG/s4.json" 2>"$RIG/s4.err"
rc=$?
check "Ogg Opus stream exits 0 (got $rc)" [ $rc = 0 ]
sid=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["stream"])' "$RIG/s4.json" 2>/dev/null)
wait_for 10 ends_in "$sid"
check "Ogg Opus stream: signed, in sequence, paced, 3 s" check_stream "$RIG/s4.json" 144000

# --- a slow connection: the timeline is fixed once connected ------------------
# A proxy that holds every connection 1.5 s before relaying it to the broker:
# the announcement must still leave --start-in-ms before t0 (nodes do not
# join late), and the first packet go at t0.
python3 - "$PORT" "$RIG/proxy.port" <<'PY' &
import socket, sys, threading, time
up = int(sys.argv[1]); ls = socket.socket(); ls.bind(("127.0.0.1", 0)); ls.listen(8)
open(sys.argv[2] + ".tmp", "w").write(str(ls.getsockname()[1]))
import os; os.rename(sys.argv[2] + ".tmp", sys.argv[2])
def pump(a, b):
    try:
        while (d := a.recv(65536)):
            b.sendall(d)
    except OSError:
        pass
    for s in (a, b):
        try: s.shutdown(socket.SHUT_RDWR)
        except OSError: pass
def conn(c):
    time.sleep(1.5)
    u = socket.create_connection(("127.0.0.1", up))
    threading.Thread(target=pump, args=(c, u), daemon=True).start()
    pump(u, c)
while True:
    c, _ = ls.accept()
    threading.Thread(target=conn, args=(c,), daemon=True).start()
PY
proxy=$!
wait_for 10 test -s "$RIG/proxy.port"
sed "s/^port = .*/port = $(cat "$RIG/proxy.port")/" "$RIG/ctl.conf" > "$RIG/ctl-slow.conf"
"$CTL" stream -c "$RIG/ctl-slow.conf" --zone $ZONE --event flood --severity 2 \
	--file "$RIG/tone3.wav" --start-in-ms 1000 --json > "$RIG/s5.json" 2>"$RIG/s5.err"
rc=$?
kill $proxy 2>/dev/null; wait $proxy 2>/dev/null
check "slow connection: stream exits 0 (got $rc)" [ $rc = 0 ]
sid=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["stream"])' "$RIG/s5.json" 2>/dev/null)
wait_for 10 ends_in "$sid"
check "slow connection: the announcement leaves --start-in-ms (1 s) before t0" python3 - \
	"$RIG/cap" "$RIG/s5.json" "$PREFIX/alert/" <<'PY'
import json, sys
s = json.load(open(sys.argv[2])); t0 = (s["start_ms"] - s["delay_ms"]) / 1000
ann = [float(l.split(" ", 2)[0]) for l in open(sys.argv[1]) if l.split(" ", 2)[1].startswith(sys.argv[3])
       and bytes.fromhex(l.split(" ", 2)[2].strip()).find(s["id"].encode()) >= 0]
if not ann: sys.exit("no announcement")
print("announcement %.0f ms before t0" % ((t0 - ann[0]) * 1000))
sys.exit(0 if 0.8 <= t0 - ann[0] <= 1.1 else 1)
PY
check "slow connection: signed, in sequence, paced from t0" check_stream "$RIG/s5.json" 144000

# --- bad inputs publish nothing -----------------------------------------------
# both CMD1... -- CMD2...: both commands succeed
both() {
	local a=() ; while [ "$1" != -- ]; do a+=("$1"); shift; done; shift
	"${a[@]}" && "$@"
}
n0=$(wc -l < "$RIG/cap")
"$CTL" stream -c "$RIG/ctl.conf" --zone $ZONE --event flood --severity 2 --file "$RIG/nope.wav" 2>"$RIG/e1"
rc=$?
check "missing file: exit 2 (got $rc), says why" both [ $rc = 2 ] -- grep -q "nope.wav: No such file" "$RIG/e1"
echo "not audio" > "$RIG/junk.wav"
"$CTL" stream -c "$RIG/ctl.conf" --zone $ZONE --event flood --severity 2 --file "$RIG/junk.wav" 2>"$RIG/e2"
rc=$?
check "not audio: exit 2 (got $rc), says why" both [ $rc = 2 ] -- grep -q "neither a WAV" "$RIG/e2"
CUNXIANG_ESPEAK=/nonexistent/espeak-ng "$CTL" stream -c "$RIG/ctl.conf" --zone $ZONE --event flood \
	--severity 2 --say "请注意" 2>"$RIG/e3"
rc=$?
check "no espeak-ng: exit 2 (got $rc), says why" both [ $rc = 2 ] -- grep -q "cannot run /nonexistent/espeak-ng" "$RIG/e3"
"$CTL" stream -c "$RIG/ctl.conf" --zone $ZONE --event flood --severity 2 --file "$RIG/tone3.wav" \
	--delay-ms 10 2>"$RIG/e4"
rc=$?
check "--delay-ms 10: usage error (got $rc)" [ $rc = 1 ]
"$CTL" stream -c "$RIG/ctl.conf" --zone $ZONE --event flood --severity 2 --file "$RIG/tone3.wav" \
	--say x 2>"$RIG/e5"
rc=$?
check "two inputs: usage error (got $rc)" [ $rc = 1 ]
probe
check "bad inputs published nothing" [ "$(tail -n +$((n0 + 1)) "$RIG/cap" | grep -vc " $PREFIX/alert/probe ")" = 0 ]

# --- receipts show the stream evidence ---------------------------------------
body='{"v":1,"kind":"receipt","node":"village-201","seq":9,"time":%d,"ref":"%s","digest":"","state":"done","code":3,"reason":"","status":"actual","received":0,"started":0,"ended":0,"frames":144000,"underruns":0,"suppressed":0,"edges":[],"stream":{"received":150,"late":1,"lost":2,"concealed":3,"rejected":4,"first_us":1764643620300000,"last_us":1764643623280000,"sync_median_us":120,"sync_max_us":480,"end":"end"}}'
printf "$body" "$(date +%s%3N)" "$sid1" > "$RIG/r1.body"
openssl pkeyutl -sign -rawin -inkey "$RIG/village-201.pem" -in "$RIG/r1.body" -out "$RIG/r1.sig"
{ printf 'CX1 ed25519 village-201 %s\n' "$(base64 -w0 "$RIG/r1.sig")"; cat "$RIG/r1.body"; } > "$RIG/r1"
mosquitto_pub -V mqttv5 -h 127.0.0.1 -p "$PORT" -u village-201 -P pw-village-201 -q 1 \
	-t "$PREFIX/node/village-201/receipt" -f "$RIG/r1"
"$CTL" receipts -c "$RIG/ctl.conf" "$sid1" --zone $ZONE --timeout 10 > "$RIG/rc.out" 2>&1
rc=$?
check "receipts: the node confirmed (exit $rc)" [ $rc = 0 ]
check "receipts: the stream evidence under the node's row" grep -qF \
	"stream: 150 received, 1 late, 2 lost, 3 concealed, 4 rejected; played 2.980 s from 02:47:00.300 UTC; sync median 0.12 ms, max 0.48 ms; end: end" "$RIG/rc.out"
# the first call took the receipt from the session (this rig keeps no receipts log): again
mosquitto_pub -V mqttv5 -h 127.0.0.1 -p "$PORT" -u village-201 -P pw-village-201 -q 1 \
	-t "$PREFIX/node/village-201/receipt" -f "$RIG/r1"
"$CTL" receipts -c "$RIG/ctl.conf" "$sid1" --zone $ZONE --timeout 10 --json > "$RIG/rc.json" 2>&1
check "receipts --json: the stream object" python3 -c '
import json, sys; n = json.load(open(sys.argv[1]))["nodes"][0]["stream"]
sys.exit(0 if (n["received"], n["lost"], n["sync_max_us"], n["end"]) == (150, 2, 480, "end") else 1)' "$RIG/rc.json"

finish
