#!/usr/bin/env bash
# After a crash the node resumes every accepted, unfinished warning in
# priority then arrival order (no preemption by directory order), and does
# so even when it restarts with its clock behind (no RTC).
. "$(dirname "$0")/lib.sh"

make_keys
make_clip long.opus 2.0 600
PLAY="[{\"clip\":\"long.opus\",\"sha256\":\"$(sha "$RIG/clips/long.opus")\"}]"
node_conf village-201 430682101201
# Ordered by events, not by the clip's length: until the kill, the node runs
# with the longest hold the config allows, so the first warning, once it
# plays, stays active (relay held after its last sample) until the three
# others are queued behind it, however slow the machine.  The restart runs
# with the short hold again.
sed -i 's/^hold_ms = 300$/hold_ms = 60000/' "$RIG/village-201.conf"
rig_up village-201 || exit 1
now=$(date +%s)
Z='["430682101201"]'
body hi-$now "$Z" "$PLAY" > "$RIG/h.json"
sign_body "$RIG/township.pem" ed25519 "$TOWNSHIP_KID" "$RIG/h.json" "$RIG/h.msg"
publish "$RIG/h.msg" 430682101201
check "hi playing" wait_receipt village-201 hi-$now playing
for k in a b c; do
	body lo$k-$now "$Z" "$PLAY" | sed 's/"severity":2/"severity":3/' > "$RIG/$k.json"
	sign_body "$RIG/township.pem" ed25519 "$TOWNSHIP_KID" "$RIG/$k.json" "$RIG/$k.msg"
	publish "$RIG/$k.msg" 430682101201
	check "lo$k queued behind it" wait_receipt village-201 lo$k-$now queued
done
check "hi still active when the others are queued" no_receipt village-201 hi-$now done
check "four warnings pending on disk" [ "$(ls "$RIG/village-201/state/pending" | grep -vc '~')" = 4 ]
node_kill village-201
sed -i 's/^hold_ms = 60000$/hold_ms = 300/' "$RIG/village-201.conf"
# the board comes back with its clock behind the last time it knew
echo $((now + 600)) > "$RIG/village-201/state/clock"   # 10 min ahead of the clock
node_start village-201
wait_online village-201
for w in hi loa lob loc; do
	check "$w resumed and played to done" wait_receipt village-201 $w-$now done 120
done
order=$(grep -oE "receipt [0-9]+: (hi|lo[abc])-$now done" "$RIG/village-201.log" | sed -E "s/.*: (.*)-$now done/\1/" | tr '\n' ' ')
check "resumed in priority then arrival order ($order)" [ "$order" = "hi loa lob loc " ]
pre=$(grep -c "preempted" "$RIG/village-201.log")
check "no warning reported preempted" [ "$pre" = 0 ]
check "the node knew its clock was behind" grep -q "wall clock is behind the last known time" "$RIG/village-201.log"
check "nothing pending at the end" [ -z "$(ls "$RIG/village-201/state/pending")" ]
finish
