#!/usr/bin/env bash
# A streamed warning on a node, end to end with the real sender:
# cunxiangctl stream announces it (signed by the township key) and sends a
# 6 s WAV in real time; the node plays it: the device's PCM matches the
# source after decoding (cross-correlation, every 100 ms window), the first
# stream sample at its presentation time, and the done receipt carries the
# stream evidence.  Forged and replayed packets injected mid-stream (by the
# operator account, which may write stream topics) never reach the output
# and are counted.  A stream that dies (sender killed) is ended by the node
# after stream_timeout_ms: the fallback clip plays and the receipt says
# why.  A text stream (espeak-ng at the sender).  Node-side speech of the
# warning's text, and a node that cannot speak says so.
. "$(dirname "$0")/lib.sh"

make_keys
make_clip fallback.opus 1.0 600
# a synced clock (the flag file): streams are played by the wall clock
node_conf village-201 430682101201 $'[node]\nclock_sync = file:'"$RIG/synced"
echo synced > "$RIG/synced"
rig_up village-201 || exit 1
ctl_conf village-201
ZONE=430682101201
OUT=$RIG/village-201/out.wav
sox -n -r 48000 -c 1 -b 16 "$RIG/src.wav" synth 6 sine 300-900 sine 1700-700 remix 1,2 vol 0.4

frames_now() { python3 -c 'import sys,wave; print(wave.open(sys.argv[1]).getnframes())' "$OUT" 2>/dev/null || echo 0; }
sid_of() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["stream"])' "$1"; }
# (exec: a stream started in the background is the cunxiangctl process itself)
stream() { exec "$CTL" stream -c "$RIG/ctl.conf" --zone $ZONE --event flood --severity 2 --title "$@"; }

# --- 1: a file, with forged and replayed packets injected mid-stream
# (64 kb/s: at the default 24 kb/s the codec itself takes some 100 ms
# windows of these sweeps below 0.8, which would hide a misplaced frame)
mosquitto_sub -h 127.0.0.1 -p "$PORT" -u monitor -P pw-monitor -t "$PREFIX/stream/+" \
	-C 30 -F '%t %x' > "$RIG/grab" 2>/dev/null &
grab=$!
f0=$(frames_now)
(stream 山洪预警 --file "$RIG/src.wav" --bitrate 64000 --json > "$RIG/s1.json" 2>"$RIG/s1.err") &
ctlpid=$!
wait $grab     # 30 packets of the stream seen: it plays now
# 2 replays of a packet already accepted, 1 packet with one bit flipped,
# 1 packet of the future re-signed by a key that is not the stream's
python3 - "$RIG/grab" "$RIG/inj" <<'PY'
import sys
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
lines = [l.split(" ", 1) for l in open(sys.argv[1]).read().split("\n") if l]
topic, hx = lines[5]
pkt = bytes.fromhex(hx.strip())
sid = topic.rsplit("/", 1)[1].encode()
flip = bytearray(pkt); flip[40] ^= 0x01
fut = bytearray(pkt[:-64]); seq = int.from_bytes(fut[8:12], "big") + 40
fut[8:12] = seq.to_bytes(4, "big")
pos = int.from_bytes(fut[12:20], "big") + 40 * 960; fut[12:20] = pos.to_bytes(8, "big")
pts = int.from_bytes(fut[20:28], "big") + 40 * 20000; fut[20:28] = pts.to_bytes(8, "big")
msg = b"CXS1" + bytes([len(sid)]) + sid + len(topic).to_bytes(2, "big") + topic.encode() + bytes(fut)
fut = bytes(fut) + Ed25519PrivateKey.generate().sign(msg)
for i, p in enumerate([pkt, pkt, bytes(flip), fut]):
    open("%s.%d" % (sys.argv[2], i), "wb").write(p)
open(sys.argv[2] + ".topic", "w").write(topic)
PY
for i in 0 1 2 3; do
	mosquitto_pub -h 127.0.0.1 -p "$PORT" -u monitor -P pw-monitor \
		-t "$(cat "$RIG/inj.topic")" -f "$RIG/inj.$i"
done
wait $ctlpid; rc=$?
check "cunxiangctl stream exits 0 ($(tail -1 "$RIG/s1.err"))" [ $rc = 0 ]
sid=$(sid_of "$RIG/s1.json")
check "done receipt for the streamed warning" wait_receipt village-201 "$sid" done 30
ev() { receipt_get village-201 "$1" "$2" "r[\"stream\"][\"$3\"]"; }
echo "# evidence: $(receipt_get village-201 "$sid" done 'json.dumps(r.get("stream"))')"
npk=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["packets"])' "$RIG/s1.json")
check "every packet sent was received ($(ev "$sid" done received) of $npk)" [ "$(ev "$sid" done received)" = "$npk" ]
check "the 4 injected packets were rejected ($(ev "$sid" done rejected))" [ "$(ev "$sid" done rejected)" = 4 ]
check "nothing lost or concealed" [ "$(ev "$sid" done lost)/$(ev "$sid" done concealed)" = 0/0 ]
check "the stream ended by its end packet" [ "$(ev "$sid" done end)" = end ]
start_ms=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["start_ms"])' "$RIG/s1.json")
first=$(ev "$sid" done first_us)
check "first sample at its presentation time ($((first - start_ms * 1000)) us off)" \
	[ $((first - start_ms * 1000)) -ge -1000 -a $((first - start_ms * 1000)) -le 1000 ]
check "sync error max $(ev "$sid" done sync_max_us) us <= 1000" [ "$(ev "$sid" done sync_max_us)" -le 1000 ]
check "no underruns" [ "$(receipt_get village-201 "$sid" done 'r["underruns"]')" = 0 ]
# the amplifier went on max(warm-up 300 ms, D 300 ms) + 500 ms before the
# first presentation time, not when the announcement came (2.3 s before)
lead=$(receipt_get village-201 "$sid" done "$start_ms - r['received'] - r['edges'][0]['ms']")
check "amplifier on $lead ms before the stream's start (800 expected)" [ "$lead" -ge 700 -a "$lead" -le 850 ]
check "the device played the source, every 100 ms of it (no injected audio)" \
	tests/tools/pcm_match.py "$OUT" "$RIG/src.wav" --from "$f0" --min-corr 0.95 --min-window 0.9
cp "$OUT" "$RIG/out1.wav"   # kept for a look with KEEP_RIG=1

# --- 2: the sender dies: the node ends the stream, the fallback clip plays
f0=$(frames_now)
sid2=dies-$(date +%s)-$RANDOM
sox -n -r 48000 -c 1 -b 16 "$RIG/long.wav" synth 20 sine 440 vol 0.3
mosquitto_sub -h 127.0.0.1 -p "$PORT" -u monitor -P pw-monitor -t "$PREFIX/stream/$sid2" \
	-C 150 > /dev/null 2>&1 &
grab=$!
(stream 断流 --id "$sid2" --file "$RIG/long.wav" --fallback-clip "$RIG/clips/fallback.opus" \
	> "$RIG/s2.out" 2>"$RIG/s2.err") &
ctlpid=$!
# the stream plays (3 s of packets); then the sender's machine dies: no end packet
wait $grab
kill -9 $ctlpid; wait $ctlpid 2>/dev/null
check "done receipt after the fallback" wait_receipt village-201 "$sid2" done 30
check "its reason: the stream timed out" reason_has village-201 "$sid2" done "stream timed out"
check "evidence: ended by timeout" [ "$(ev "$sid2" done end)" = timeout ]
opusdec --quiet --rate 48000 --no-dither "$RIG/clips/fallback.opus" "$RIG/fallback.wav" 2>/dev/null
check "the fallback clip played after the stream" \
	tests/tools/pcm_match.py "$OUT" "$RIG/fallback.wav" --from "$((f0 + 48000 * 3))" --min-corr 0.98
check "amplifier off at the end" [ "$(level village-201 AMP_EN)" = 0 ]

# --- 3: a text stream: the sender speaks it (espeak-ng), the node plays it
f0=$(frames_now)
sid3=say-$(date +%s)-$RANDOM
(stream 山洪 --id "$sid3" --say "请注意，山洪预警，请立即向高处转移" --json > "$RIG/s3.json" 2>"$RIG/s3.err")
rc=$?
check "text stream sent" [ $rc = 0 ]
check "done receipt of the text stream" wait_receipt village-201 "$sid3" done 30
dur=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["duration_ms"])' "$RIG/s3.json")
check "a spoken text of $dur ms (1.5 .. 10 s)" [ "$dur" -ge 1500 -a "$dur" -le 10000 ]
check "nothing lost" [ "$(ev "$sid3" done lost)" = 0 ]
loud() { python3 - "$OUT" "$1" <<'PY'
import sys, wave, struct
w = wave.open(sys.argv[1]); w.setpos(int(sys.argv[2]))
d = w.readframes(w.getnframes() - int(sys.argv[2]))
x = struct.unpack("<%dh" % (len(d) // 2), d)
print(sum(1 for i in range(0, len(x) - 960, 960) if max(map(abs, x[i:i + 960])) > 1000) * 20)
PY
}
ms=$(loud "$f0")
check "the device played $ms ms of speech (>= 1000)" [ "$ms" -ge 1000 ]

# --- 4: node-side speech of the warning's text
# speak ID TEXT: publish a signed warning whose play list is a speech item
speak() {
	body "$1" "[\"$ZONE\"]" '[{"speech":"cmn-latn-pinyin"}]' > "$RIG/$1.json"
	python3 - "$RIG/$1.json" "$2" <<'PY'
import json, sys
b = json.load(open(sys.argv[1])); b["text"] = sys.argv[2]
open(sys.argv[1], "w").write(json.dumps(b, ensure_ascii=False))
PY
	sign_body "$RIG/township.pem" ed25519 "$TOWNSHIP_KID" "$RIG/$1.json" "$RIG/$1.msg"
	publish "$RIG/$1.msg" $ZONE
}
f0=$(frames_now)
id4=speak-$(date +%s)-$RANDOM
speak "$id4" "请注意，山洪预警"
check "done receipt of the spoken warning" wait_receipt village-201 "$id4" done 30
ms=$(loud "$f0")
check "the node spoke the text: $ms ms of speech (>= 1000)" [ "$ms" -ge 1000 ]

# a node without espeak-ng says so in its receipt
node_stop village-201
CUNXIANG_ESPEAK=/nonexistent/espeak-ng node_start village-201
wait_online village-201
id5=mute-$(date +%s)-$RANDOM
speak "$id5" "请注意"
check "failed receipt: the node cannot speak" wait_receipt village-201 "$id5" failed 30
check "its reason names speech" any_reason village-201 "$id5" failed espeak
finish
