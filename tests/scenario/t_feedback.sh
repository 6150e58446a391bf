#!/usr/bin/env bash
# The amplifier's feedback input: with output present the warning is done;
# with the amplifier dead the node reports the warning failed ("failed to
# sound"), with the evidence, instead of claiming success.
. "$(dirname "$0")/lib.sh"

make_keys
make_clip short.opus 0.5 900
node_conf village-201 430682101201
sed -i 's/^siren = SIREN_EN$/siren = SIREN_EN\namp_feedback = AMP_OK/' "$RIG/village-201.conf"
broker_setup village-201
broker_start || exit 1
capture_start
mkdir -p "$RIG/village-201/sim/in"
echo 1 > "$RIG/village-201/sim/in/AMP_OK"
node_start village-201
wait_online village-201 || exit 1
PLAY="[{\"clip\":\"short.opus\",\"sha256\":\"$(sha "$RIG/clips/short.opus")\"}]"
now=$(date +%s)
body fb-ok-$now '["430682101201"]' "$PLAY" > "$RIG/a.json"
sign_body "$RIG/township.pem" ed25519 "$TOWNSHIP_KID" "$RIG/a.json" "$RIG/a.msg"
publish "$RIG/a.msg" 430682101201
check "amplifier output present: done" wait_receipt village-201 fb-ok-$now done 15

echo 0 > "$RIG/village-201/sim/in/AMP_OK"
body fb-dead-$now '["430682101201"]' "$PLAY" > "$RIG/b.json"
sign_body "$RIG/township.pem" ed25519 "$TOWNSHIP_KID" "$RIG/b.json" "$RIG/b.msg"
publish "$RIG/b.msg" 430682101201
check "amplifier dead: failed" wait_receipt village-201 fb-dead-$now failed 15
check "reason says no sound" reason_has village-201 fb-dead-$now failed "amplifier feedback absent"
check "code 4 for the failure" [ "$(receipt_get village-201 fb-dead-$now failed 'r["code"]')" = 4 ]
check "the relay evidence is still there" [ "$(receipt_get village-201 fb-dead-$now failed 'len(r["edges"])')" = 2 ]
finish
