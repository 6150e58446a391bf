#!/usr/bin/env bash
# The local stop: a person at the node stops a warning (and the queue)
# through the control socket; relays go off, upstream hears "cancelled,
# stopped locally".  Status through the same socket.
. "$(dirname "$0")/lib.sh"

make_keys
make_clip long.opus 3.0 500
node_conf village-201 430682101201
# the test ends the warnings itself (local stop): under the longest hold the
# first stays active however slow the machine, so the status is "playing"
sed -i 's/^hold_ms = 300$/hold_ms = 60000/' "$RIG/village-201.conf"
rig_up village-201 || exit 1
L="$CTL local -c $RIG/village-201.conf"
check "local status: idle and online" bash -c "$L status | grep -q '\"state\":\"idle\".*\"online\":true'"
PLAY="[{\"clip\":\"long.opus\",\"sha256\":\"$(sha "$RIG/clips/long.opus")\"}]"
now=$(date +%s)
for w in a b; do
	body loc-$w-$now '["430682101201"]' "$PLAY" > "$RIG/$w.json"
	sign_body "$RIG/township.pem" ed25519 "$TOWNSHIP_KID" "$RIG/$w.json" "$RIG/$w.msg"
	publish "$RIG/$w.msg" 430682101201
done
wait_receipt village-201 loc-a-$now playing
check "local status: playing, one queued" bash -c "$L status | grep -q '\"state\":\"playing\",\"active\":\"loc-a-$now\",\"queued\":1'"
out=$($L stop)
check "local stop answers stopped 2 ($out)" [ "$out" = '{"stopped":2}' ]
check "relays off at once" [ "$(level village-201 AMP_EN)" = 0 ]
check "upstream: the playing warning cancelled, stopped locally" wait_receipt village-201 loc-a-$now cancelled
check "reason says so" reason_has village-201 loc-a-$now cancelled "stopped locally"
check "upstream: the queued one cancelled too" wait_receipt village-201 loc-b-$now cancelled
check "bad request: usage error" bash -c "$L dance; [ \$? = 1 ]"
node_stop village-201
check "no daemon: exit 3" bash -c "$L status 2>/dev/null; [ \$? = 3 ]"
finish
