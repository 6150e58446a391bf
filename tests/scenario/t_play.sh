#!/usr/bin/env bash
# A valid signed warning reaches a village node: the amplifier relay closes,
# warm-up, the clip plays (the PCM on the device equals the decoded clip),
# hold, relay off, and verified receipts (received, playing, done) arrive.
# Both signature algorithms; a node outside the target zone stays silent.
. "$(dirname "$0")/lib.sh"

make_keys
make_clip flood.opus 1.0 1000
node_conf village-201 430682101201
node_conf village-301 430682102301
broker_setup village-201 village-301
broker_start || exit 1
capture_start
node_start village-201
node_start village-301
wait_online village-201 && wait_online village-301 || exit 1

id=play-$(date +%s)-$RANDOM
body "$id" '["430682101201"]' "[{\"clip\":\"flood.opus\",\"sha256\":\"$(sha "$RIG/clips/flood.opus")\"}]" > "$RIG/b1.json"
sign_body "$RIG/township.pem" ed25519 "$TOWNSHIP_KID" "$RIG/b1.json" "$RIG/m1"
t_pub=$(date +%s%3N)
publish "$RIG/m1" 430682101201
# the other village's node gets a copy on its own township topic too
publish "$RIG/m1" 430682102

check "done receipt arrives (verified with the node's key)" wait_receipt village-201 "$id" done 20
check "received receipt" has_receipt village-201 "$id" received
check "playing receipt" has_receipt village-201 "$id" playing
frames=$(receipt_get village-201 "$id" done 'r["frames"]')
check "done receipt reports 48000 frames (1 s clip), got $frames" [ "$frames" = 48000 ]
check "no underruns" [ "$(receipt_get village-201 "$id" done 'r["underruns"]')" = 0 ]
check "receipt state code is 3 (success)" [ "$(receipt_get village-201 "$id" done 'r["code"]')" = 3 ]
check "receipt edges: amp on then amp off" [ "$(receipt_get village-201 "$id" done '" ".join("%s=%d" % (e["line"], e["v"]) for e in r["edges"])')" = "amp=1 amp=0" ]

# relay timeline from the simulated chip
check "sim GPIO: amp on then off, siren never" [ "$(edges village-201 | awk '{print $2 "=" $3}' | tr '\n' ' ')" = "AMP_EN=1 AMP_EN=0 " ]
on_ns=$(edges village-201 | awk '$2=="AMP_EN" && $3==1 {print $1; exit}')
off_ns=$(edges village-201 | awk '$2=="AMP_EN" && $3==0 {print $1; exit}')
on_ms=$(( (off_ns - on_ns) / 1000000 ))
# warm-up 300 + clip 1000 + hold 300 = 1600 ms (+ device buffer drain)
check "amp on for $on_ms ms (expect 1600-1900)" [ "$on_ms" -ge 1600 -a "$on_ms" -le 1900 ]
started=$(receipt_get village-201 "$id" playing 'r["started"]')
received=$(receipt_get village-201 "$id" playing 'r["received"]')
check "first sample after the warm-up ($((started - received)) ms >= 300)" [ $((started - received)) -ge 300 ]
check "amplifier is off now" [ "$(level village-201 AMP_EN)" = 0 ]

# what the device played equals the decoded clip
opusdec --quiet --rate 48000 --no-dither "$RIG/clips/flood.opus" "$RIG/ref.wav" 2>/dev/null
check "device PCM equals the decoded clip" python3 - "$RIG/village-201/out.wav" "$RIG/ref.wav" <<'PY'
import sys, wave, struct
def pcm(p):
    w = wave.open(p); assert w.getframerate() == 48000 and w.getnchannels() == 1
    d = w.readframes(w.getnframes()); return struct.unpack("<%dh" % (len(d)//2), d)
a, b = pcm(sys.argv[1]), pcm(sys.argv[2])
if len(a) != len(b): print("length", len(a), len(b)); sys.exit(1)
worst = max(abs(x - y) for x, y in zip(a, b))
energy = sum(x*x for x in a) / len(a)
print("max sample difference", worst, "rms", int(energy ** 0.5))
sys.exit(0 if worst <= 2 and energy > 1e6 else 1)
PY

# the node outside the zone heard it (its township topic) and stayed silent
check "node outside the zone: it got the warning and set it aside" \
	wait_for 60 grep -q "warning $id on cx/alert/43/06/82/102 is not for zone 430682102301" "$RIG/village-301.log"
check "node outside the zone: no relay edge" [ "$(edge_count village-301)" = 0 ]
check "node outside the zone: no receipt" [ -z "$(receipts village-301)" ]
check "node outside the zone: no audio" no_audio village-301

# SM2 with SM3 from the county key: a siren through the relay and the speaker
id2=sm2-$(date +%s)-$RANDOM
body "$id2" '["430682"]' '[{"siren":"test-short"}]' > "$RIG/b2.json"
sign_body "$RIG/county-sm2.pem" sm2-sm3 county-sm2 "$RIG/b2.json" "$RIG/m2"
publish "$RIG/m2" 430682
check "SM2-signed county warning plays to done" wait_receipt village-201 "$id2" done 20
check "siren relay pattern on the sim chip: on off on off" [ "$(edges village-201 | awk '$2=="SIREN_EN" {print $3}' | tr -d '\n')" = 1010 ]
son=$(edges village-201 | awk '$2=="SIREN_EN" {print $1}' | head -2 | tr '\n' ' ')
set -- $son
check "siren first on-phase lasts ~400 ms ($(( ($2 - $1) / 1000000 )) ms)" [ $(( ($2 - $1) / 1000000 )) -ge 370 -a $(( ($2 - $1) / 1000000 )) -le 440 ]

node_stop village-201
check "SIGTERM: relays off" [ "$(level village-201 AMP_EN)" = 0 -a "$(level village-201 SIREN_EN)" = 0 ]
finish
