#!/usr/bin/env bash
# A node whose wall clock is behind the last time it knew to be right (no
# RTC, NTP not yet synced) still acts on signed warnings instead of
# rejecting them all as "future": it judges each warning at the later of
# the last known time and the warning's sent time.  Simulated by a saved
# "last known time" two days ahead (the floor is ahead of the warning), the
# time source saying "not synced".  Its receipts say "clock":"untrusted".
# CLOCK_SYNC_KEY=0 leaves out the clock_sync key (builds older than it).
. "$(dirname "$0")/lib.sh"

make_keys
make_clip short.opus 0.5 900
extra=""
[ "${CLOCK_SYNC_KEY:-1}" = 1 ] && extra=$'[node]\nclock_sync = none'
node_conf village-201 430682101201 "$extra"
now=$(date +%s)
mkdir -p "$RIG/village-201/state"
echo $((now + 2 * 86400)) > "$RIG/village-201/state/clock"
rig_up village-201 || exit 1
check "the node says its clock is behind" grep -q "wall clock is behind the last known time" "$RIG/village-201.log"
PLAY="[{\"clip\":\"short.opus\",\"sha256\":\"$(sha "$RIG/clips/short.opus")\"}]"
# signed "tomorrow" by a sender whose clock is right: would be "future"
body ck-a-$now '["430682101201"]' "$PLAY" "" $((now + 86400 + 3600)) $((now + 3 * 86400)) > "$RIG/a.json"
sign_body "$RIG/township.pem" ed25519 "$TOWNSHIP_KID" "$RIG/a.json" "$RIG/a.msg"
publish "$RIG/a.msg" 430682101201
check "a warning dated after the node's clock still plays" wait_receipt village-201 ck-a-$now done 15
check "... the amplifier relay closed" [ "$(edges village-201 | awk '$2 == "AMP_EN" && $3 == 1' | wc -l)" = 1 ]
has_audio() { ! no_audio "$1"; }
check "... audio reached the sound device" has_audio village-201
for st in received playing done; do
	check "... its $st receipt says clock untrusted" \
	    [ "$(receipt_get village-201 ck-a-$now $st 'r.get("clock", "")')" = untrusted ]
done
# expired by the last known time: still refused
body ck-b-$now '["430682101201"]' "$PLAY" "" "$now" $((now + 3600)) > "$RIG/b.json"
sign_body "$RIG/township.pem" ed25519 "$TOWNSHIP_KID" "$RIG/b.json" "$RIG/b.msg"
publish "$RIG/b.msg" 430682101201
check "a warning expired by the last known time is rejected" wait_receipt village-201 ck-b-$now rejected 10
check "... as expired" reason_has village-201 ck-b-$now rejected expired
finish
