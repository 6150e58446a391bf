#!/usr/bin/env bash
# One warning at a time, driven by the operator's cunxiangctl: a higher
# severity preempts, a lower one waits its turn, cancel stops, update
# replaces, silent tests sound nothing, drills skip the siren, a warning
# with a future effective time waits for it.  Every state change is a
# verified receipt.
. "$(dirname "$0")/lib.sh"

make_keys
make_clip long.opus 3.0 500
make_clip short.opus 0.5 900
# Warnings this test ends itself (preemption, cancel, update, stop) play a
# clip far longer than any step of the test, so none can end on its own
# before the event under test reaches the node, however loaded the machine.
make_clip hold.opus 60 400
make_clip mid.opus 12 500
node_conf village-201 430682101201 "
[key drill-only]
alg = ed25519
pubkey = $(pub_b64 "$RIG/rogue.pem")
zones = 430682101
actions = drill,cancel"
rig_up village-201 || exit 1
ctl_conf village-201
C="-c $RIG/ctl.conf"
warn() { ctl warn $C --zone 430682101201 --event flood "$@"; }

# preemption: severity 3 plays, severity 1 preempts it
a=$(warn --severity 3 --clip "$RIG/clips/hold.opus" --id arb-a-$RANDOM)
check "warn printed the id" [ -n "$a" ]
wait_receipt village-201 "$a" playing
b=$(warn --severity 1 --clip "$RIG/clips/short.opus" --id arb-b-$RANDOM)
check "lower severity preempted by severity 1" wait_receipt village-201 "$a" preempted
check "preempted receipt names the preempting warning" reason_has village-201 "$a" preempted "$b"
check "severity 1 plays to done" wait_receipt village-201 "$b" done
check "the preempted receipt holds its own amp off edge" [ "$(receipt_get village-201 "$a" preempted '" ".join("%s=%d" % (e["line"], e["v"]) for e in r["edges"])')" = "amp=1 amp=0" ]
pre_off=$(receipt_get village-201 "$a" preempted '[e["ms"] for e in r["edges"] if e["v"] == 0][0]')
check "... timed from its own arrival ($pre_off ms, after its 300 ms warm-up)" [ "${pre_off:-0}" -ge 300 ]

# one warning to two nested zones: the node hears it on both topics, acts once
nz=$(ctl warn $C --zone 430682101 --zone 430682101201 --event flood --severity 3 --clip "$RIG/clips/short.opus" --id arb-nz-$RANDOM)
check "nested zones: played once" wait_receipt village-201 "$nz" done
count_nz() { receipts village-201 | grep -c "\"ref\":\"$nz\".*\"state\":\"received\""; }
check "nested zones: one received receipt, no rejection" [ "$(count_nz)" = 1 ] && check "nested zones: no rejection receipt" no_receipt village-201 "$nz" rejected

# a drill key cannot withdraw a real warning
r1=$(warn --severity 3 --clip "$RIG/clips/long.opus" --id arb-r1-$RANDOM)
wait_receipt village-201 "$r1" playing
now=$(date +%s)
printf '{"v":1,"kind":"alert","id":"arb-dk-%s","sender":"drill","sent":%s,"status":"exercise","type":"update","ref":"%s","event":"drill","severity":1,"expires":%s,"zones":["430682101201"],"play":[{"clip":"short.opus","sha256":"%s"}]}' \
	"$now" "$now" "$r1" "$((now + 600))" "$(sha "$RIG/clips/short.opus")" > "$RIG/dk.json"
sign_body "$RIG/rogue.pem" ed25519 drill-only "$RIG/dk.json" "$RIG/dk.msg"
publish "$RIG/dk.msg" 430682101201
check "a drill key's update of a real warning is rejected" wait_receipt village-201 arb-dk-$now rejected
check "... and the real warning plays on to done" wait_receipt village-201 "$r1" done
check "... never reported cancelled" no_receipt village-201 "$r1" cancelled

# a cancel that overtakes its warning: the warning never sounds
now=$(date +%s)
printf '{"v":1,"kind":"alert","id":"arb-cx-%s","sender":"t","sent":%s,"status":"actual","type":"cancel","ref":"arb-late-%s","expires":%s,"zones":["430682101201"]}' \
	"$now" "$now" "$now" "$((now + 600))" > "$RIG/cx.json"
sign_body "$RIG/township.pem" ed25519 "$TOWNSHIP_KID" "$RIG/cx.json" "$RIG/cx.msg"
publish "$RIG/cx.msg" 430682101201
check "early cancel confirmed" wait_receipt village-201 arb-cx-$now done
before_late=$(edge_count village-201)
body arb-late-$now '["430682101201"]' "[{\"clip\":\"short.opus\",\"sha256\":\"$(sha "$RIG/clips/short.opus")\"}]" > "$RIG/late.json"
sign_body "$RIG/township.pem" ed25519 "$TOWNSHIP_KID" "$RIG/late.json" "$RIG/late.msg"
publish "$RIG/late.msg" 430682101201
check "the late warning is reported cancelled" wait_receipt village-201 arb-late-$now cancelled
check "... and never touched a relay" [ "$(edge_count village-201)" = "$before_late" ]
# the same across a restart: the early cancel is kept on disk
printf '{"v":1,"kind":"alert","id":"arb-cx2-%s","sender":"t","sent":%s,"status":"actual","type":"cancel","ref":"arb-late2-%s","expires":%s,"zones":["430682101201"]}' \
	"$now" "$now" "$now" "$((now + 600))" > "$RIG/cx2.json"
sign_body "$RIG/township.pem" ed25519 "$TOWNSHIP_KID" "$RIG/cx2.json" "$RIG/cx2.msg"
publish "$RIG/cx2.msg" 430682101201
wait_receipt village-201 arb-cx2-$now done
node_stop village-201
node_start village-201
wait_online village-201
body arb-late2-$now '["430682101201"]' "[{\"clip\":\"short.opus\",\"sha256\":\"$(sha "$RIG/clips/short.opus")\"}]" > "$RIG/late2.json"
sign_body "$RIG/township.pem" ed25519 "$TOWNSHIP_KID" "$RIG/late2.json" "$RIG/late2.msg"
publish "$RIG/late2.msg" 430682101201
check "an early cancel survives a restart" wait_receipt village-201 arb-late2-$now cancelled
check "... and the file is gone once used" [ -z "$(ls "$RIG/village-201/state/pending" | grep cancel)" ]

# a lower severity waits and plays after
# (sent back to back: the 12 s clip is still playing when the second arrives)
c=$(warn --severity 2 --clip "$RIG/clips/mid.opus" --id arb-c-$RANDOM)
d=$(warn --severity 4 --clip "$RIG/clips/short.opus" --id arb-d-$RANDOM)
check "severity 2 plays" wait_receipt village-201 "$c" playing
check "severity 4 is queued behind severity 2" wait_receipt village-201 "$d" queued
check "severity 2 finishes" wait_receipt village-201 "$c" done
check "then the queued one plays" wait_receipt village-201 "$d" done

# cancel
e=$(warn --severity 2 --clip "$RIG/clips/hold.opus" --id arb-e-$RANDOM)
wait_receipt village-201 "$e" playing
ctl cancel $C "$e" --zone 430682101201 --wait 60 > "$RIG/cancel.out"
check "cunxiangctl cancel --wait exits 0 (the node confirmed)" [ $? = 0 ]
check "cancelled receipt for the warning" wait_receipt village-201 "$e" cancelled
check "amplifier off after cancel" wait_for 60 bash -c "[ \"\$(awk '\$1==\"AMP_EN\" {print \$2}' '$RIG/village-201/sim/state')\" = 0 ]"
fr=$(receipt_get village-201 "$e" cancelled 'r["frames"]')
check "cancelled receipt shows part of the clip played ($fr of 2880000 frames)" [ "${fr:-0}" -gt 0 -a "${fr:-0}" -lt 2880000 ]

# update replaces the warning playing
f=$(warn --severity 2 --clip "$RIG/clips/hold.opus" --id arb-f-$RANDOM)
wait_receipt village-201 "$f" playing
g=$(ctl update $C "$f" --zone 430682101201 --event flood --severity 2 --clip "$RIG/clips/short.opus" --id arb-g-$RANDOM)
check "updated warning reported cancelled" wait_receipt village-201 "$f" cancelled
check "its reason names the update" reason_has village-201 "$f" cancelled "updated by $g"
check "the update plays to done" wait_receipt village-201 "$g" done

# silent test: verified and confirmed, nothing sounds
before=$(edge_count village-201)
t=$(warn --severity 4 --status test --siren air-raid --id arb-t-$RANDOM)
check "test warning confirmed done" wait_receipt village-201 "$t" done
check "its receipt says status test" [ "$(receipt_get village-201 "$t" done 'r["status"]')" = test ]
check "test warning closed no relay" [ "$(edge_count village-201)" = "$before" ]

# drill: clip plays, siren skipped
x=$(warn --severity 2 --status exercise --siren air-raid --clip "$RIG/clips/short.opus" --id arb-x-$RANDOM)
check "drill plays to done" wait_receipt village-201 "$x" done
check "drill receipt says exercise" [ "$(receipt_get village-201 "$x" done 'r["status"]')" = exercise ]
check "drill did not touch the siren relay" [ -z "$(edges village-201 | tail -n +$((before + 1)) | awk '$2=="SIREN_EN"')" ]
check "drill played only the clip (24000 frames)" [ "$(receipt_get village-201 "$x" done 'r["frames"]')" = 24000 ]

# effective in the future: queued, then plays when due
now=$(date +%s)
body arb-eff-$now '["430682101201"]' "[{\"clip\":\"short.opus\",\"sha256\":\"$(sha "$RIG/clips/short.opus")\"}]" "\"effective\":$((now + 6))" > "$RIG/eff.json"
sign_body "$RIG/township.pem" ed25519 "$TOWNSHIP_KID" "$RIG/eff.json" "$RIG/eff.msg"
publish "$RIG/eff.msg" 430682101201
check "future effective time: queued" wait_receipt village-201 arb-eff-$now queued
check "queued reason says it waits" reason_has village-201 arb-eff-$now queued "waiting until effective"
check "plays once effective" wait_receipt village-201 arb-eff-$now done
st=$(receipt_get village-201 arb-eff-$now playing 'r["started"] // 1000')
check "started at or after the effective time ($st >= $((now + 6)))" [ "${st:-0}" -ge $((now + 6)) ]

# the operator's view
ctl receipts $C "$g" --zone 430682101201 --timeout 60 --json > "$RIG/rcpt.json"
check "cunxiangctl receipts: exit 0 for a confirmed warning" [ $? = 0 ]
check "receipts --json shows the node done and verified" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
s = json.dumps(d)
sys.exit(0 if "village-201" in s and "\"done\"" in s else 1)' "$RIG/rcpt.json"

# stopping the node reports what was still waiting
q1=$(warn --severity 2 --clip "$RIG/clips/hold.opus" --id arb-q1-$RANDOM)
wait_receipt village-201 "$q1" playing
q2=$(warn --severity 3 --clip "$RIG/clips/short.opus" --id arb-q2-$RANDOM)
wait_receipt village-201 "$q2" queued
node_stop village-201
node_start village-201
wait_online village-201
check "stop: the queued warning reported failed" wait_receipt village-201 "$q2" failed
check "stop: the playing one too" wait_receipt village-201 "$q1" failed
finish
