#!/usr/bin/env bash
# Limits policies (docs/PROTOCOL.md section 16): a county's signed quiet
# hours that a township cannot loosen.  Real broker, real nodes on sim
# GPIO; each node's wall clock faked with libfaketime (an offset, monotonic
# left real), local time Asia/Shanghai; node.conf says quiet hours
# 22:00-06:00 on both.  Policies are sent with `cunxiangctl policy` by a
# county key (zones 430682, action policy) and a township key (430682101,
# action policy); the rig's warning key has no `policy`.
#   eve:   21:29 local.  The county's policy 21:00-07:00 (volume_night 40)
#          is held; a drill is refused naming the policy, no relay closes;
#          the township's looser policy (quiet off, volume_night 100) is held
#          and changes nothing; an actual warning plays, capped by the
#          county's volume_night; local status shows the effective limits and
#          their sources; after a restart both policies are held again (the
#          drill still refused); once the county withdraws its policy a drill
#          plays (node.conf's window has not begun).
#   night: 22:30 local.  The drill is refused naming the county's policy,
#          and after the withdrawal naming node.conf.
#   untr:  a wall clock in 1970 (untrusted: local time and the date unknown),
#          node.conf's quiet hours off.  The county's policy still counts, so
#          a drill is refused naming it; after the withdrawal a drill plays.
#   sighup: the county sends a policy again; p-eve's node.conf then takes
#          the action policy from the county's key, p-night's drops the
#          township's key, and both reload (SIGHUP): each drops the policy
#          whose key lost its right (a cancelled receipt saying why, file
#          gone), keeps the other, and judges by what is left (a drill at
#          21:3x plays on p-eve; p-night still refuses one by the county's).
. "$(dirname "$0")/lib.sh"

FT_LIB=/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1
[ -r "$FT_LIB" ] || { echo "libfaketime missing (apt-get install libfaketime)"; exit 1; }
export TZ=Asia/Shanghai

make_keys
openssl genpkey -algorithm ED25519 -out "$RIG/county-pol.pem" 2>/dev/null
openssl genpkey -algorithm ED25519 -out "$RIG/twp-pol.pem" 2>/dev/null
make_clip short.opus 0.5 900
SHORT="[{\"clip\":\"short.opus\",\"sha256\":\"$(sha "$RIG/clips/short.opus")\"}]"
declare -A ZONE=([p-eve]=430682101241 [p-night]=430682101242 [p-untr]=430682101243)
NODES="p-eve p-night p-untr"
now=$(date +%s)
EVE=$(date -d 'tomorrow 21:29:00' +%s)
NIGHT=$(date -d 'tomorrow 22:30:00' +%s)
declare -A OFF=([p-eve]=$((EVE - now)) [p-night]=$((NIGHT - now)) [p-untr]=$((300 - now)))
KEYS=$'\n[key county-pol]\nalg = ed25519\npubkey = '"$(pub_b64 "$RIG/county-pol.pem")"$'\nzones = 430682\nactions = policy'
KEYS+=$'\n[key twp-pol]\nalg = ed25519\npubkey = '"$(pub_b64 "$RIG/twp-pol.pem")"$'\nzones = 430682101\nactions = policy'
echo synced > "$RIG/synced"
for n in p-eve p-night; do
	node_conf "$n" "${ZONE[$n]}" $'[node]\nclock_sync = file:'"$RIG/synced"$'\n[limits]\nquiet_hours = 22:00-06:00'"$KEYS"
done
node_conf p-untr "${ZONE[p-untr]}" $'[node]\nclock_sync = none\n[limits]\nquiet_hours = off'"$KEYS"
broker_setup $NODES
broker_start || exit 1
capture_start
start() {
	NODE_WRAPPER="env LD_PRELOAD=$FT_LIB FAKETIME=$(printf '%+d' "${OFF[$1]}") FAKETIME_DONT_FAKE_MONOTONIC=1 TZ=$TZ" \
		node_start "$1"
}
for n in $NODES; do start "$n"; done
for n in $NODES; do wait_online "$n" || exit 1; done

fake_now() { echo $(( $(date +%s) + ${OFF[$1]} )); }
# warn NODE ID STATUS: a warning signed with the node's time by the rig's warning key
# (p-untr's clock is wrong: the sender's, the real one)
warn() {
	local n=$1 id=$2 st=$3 sent
	sent=$(fake_now "$n")
	[ "$n" = p-untr ] && sent=$(date +%s)
	body "$id" "[\"${ZONE[$n]}\"]" "$SHORT" "" "$sent" $((sent + 3600)) |
		sed "s/\"status\":\"actual\"/\"status\":\"$st\"/" > "$RIG/$id.json"
	sign_body "$RIG/township.pem" ed25519 "$TOWNSHIP_KID" "$RIG/$id.json" "$RIG/$id.msg"
	publish "$RIG/$id.msg" "${ZONE[$n]}"
}
amp_closed() { edges "$1" | awk '$2 == "AMP_EN" && $3 == 1' | wc -l; }
# ctl_as PEM KID: cunxiangctl signs with that key
ctl_as() {
	sed -i -e "s|^key = .*|key = $1|" -e "s|^kid = .*|kid = $2|" "$RIG/ctl.conf"
}
reason_is() { [ "$(receipt_get "$1" "$2" "$3" 'r["reason"]')" = "$4" ]; }
ctl_conf

# --- policies in ------------------------------------------------------------------
CP=county-$now
printf '{"id":"%s","sender":"county 430682","valid_until":%s,"zones":["430682"],"limits":{"quiet_hours":"21:00-07:00","volume_night":40}}' \
	"$CP" $((now + 30 * 86400)) > "$RIG/county.json"
printf '{"valid_until":%s,"zones":["430682"],"limits":{"quiet_hours":"21:00-21:00"}}' \
	$((now + 86400)) > "$RIG/bad.json"
ctl_as "$RIG/county-pol.pem" county-pol
out=$(ctl policy send -c "$RIG/ctl.conf" "$RIG/bad.json" 2>&1); rc=$?
check "ctl: a bad policy file is refused (exit 2), naming the file and member" \
    [ $rc = 2 ] && [[ $out == *"bad.json: not a valid policy: 'limits': 'quiet_hours' must be"* ]]
out=$(ctl policy send -c "$RIG/ctl.conf" --dry-run "$RIG/county.json")
check "ctl: send --dry-run prints the body as signed" \
    python3 -c 'import json,sys; b=json.loads(sys.argv[1]); sys.exit(not (b["kind"]=="policy" and b["id"]==sys.argv[2] and b["limits"]=={"quiet_hours":"21:00-07:00","volume_night":40}))' "$out" "$CP"
out=$(ctl policy send -c "$RIG/ctl.conf" "$RIG/county.json")
check "ctl: policy send prints the policy's id" [ "$out" = "$CP" ]
for n in $NODES; do
	check "$n: the county's policy is held" wait_receipt "$n" "$CP" done
	check "... its receipt says so" reason_is "$n" "$CP" done "policy held"
	check "... stored on the node's disk" [ -s "$RIG/$n/state/policies/p-$CP.cx" ]
done
# a key without the action policy: the rig's warning key
NP=nopol-$now
printf '{"v":1,"kind":"policy","id":"%s","sender":"t","sent":%s,"valid_until":%s,"zones":["%s"],"limits":{"quiet_hours":"off"}}' \
	"$NP" "$now" $((now + 86400)) "${ZONE[p-eve]}" > "$RIG/$NP.json"
sign_body "$RIG/township.pem" ed25519 "$TOWNSHIP_KID" "$RIG/$NP.json" "$RIG/$NP.msg"
publish "$RIG/$NP.msg" "${ZONE[p-eve]}"
check "a key without the action policy is refused" wait_receipt p-eve "$NP" rejected
check "... action-scope" reason_has p-eve "$NP" rejected "action-scope"

# --- eve: 21:29 ----------------------------------------------------------------------
POL="policy $CP from county-pol"
warn p-eve drill1-$now exercise
check "eve: a drill at 21:29 is rejected" wait_receipt p-eve drill1-$now rejected
check "... naming the county's policy" reason_is p-eve drill1-$now rejected "quiet-hours 21:00-07:00 ($POL)"
check "... it never plays" no_receipt p-eve drill1-$now playing
TP=twp-$now
printf '{"id":"%s","valid_until":%s,"zones":["430682101"],"limits":{"quiet_hours":"off","volume_night":100,"max_drill_s":600}}' \
	"$TP" $((now + 30 * 86400)) > "$RIG/twp.json"
ctl_as "$RIG/twp-pol.pem" twp-pol
check "ctl: the township's looser policy is sent" [ "$(ctl policy send -c "$RIG/ctl.conf" "$RIG/twp.json")" = "$TP" ]
check "eve: the township's policy is held" wait_receipt p-eve "$TP" done
warn p-eve drill2-$now exercise
check "eve: with the township's quiet hours off, a drill is still rejected" wait_receipt p-eve drill2-$now rejected
check "... naming the county's policy" reason_is p-eve drill2-$now rejected "quiet-hours 21:00-07:00 ($POL)"
check "... no relay has closed" [ "$(amp_closed p-eve)" = 0 ]
warn p-eve act-$now actual
check "eve: an actual warning plays" wait_receipt p-eve act-$now done
check "... capped by the county's volume_night" \
    reason_has p-eve act-$now playing "volume 100 capped to 40 (volume_night, $POL)"
check "... the amplifier relay closed once" [ "$(amp_closed p-eve)" = 1 ]
st=$("$CTL" local -c "$RIG/p-eve.conf" status)
check "eve: local status shows the effective limits and their sources" \
    python3 - "$st" "$CP" "$TP" <<'PY'
import json, sys
b = json.loads(sys.argv[1]); cp, tp = sys.argv[2], sys.argv[3]
l = b["limits"]
ok = l["quiet_hours"] == [{"hours": "21:00-07:00", "source": "policy %s from county-pol" % cp},
                          {"hours": "22:00-06:00", "source": "node.conf"}]
ok = ok and l["volume_night"] == {"value": 40, "source": "policy %s from county-pol" % cp}
ok = ok and l["max_drill_s"] == {"value": 600, "source": "policy %s from twp-pol" % tp}
ok = ok and l["volume_drill"] == {"value": 100, "source": "default"}
ok = ok and sorted(p["id"] for p in b["policies"]) == sorted([cp, tp])
ok = ok and all(p["active"] for p in b["policies"])
sys.exit(not ok)
PY

# --- night: 22:30 ---------------------------------------------------------------------
warn p-night drill1-$now exercise
check "night: a drill at 22:30 is rejected naming the county's policy" wait_receipt p-night drill1-$now rejected
check "... (inside node.conf's window too, the policy is named first)" \
    reason_is p-night drill1-$now rejected "quiet-hours 21:00-07:00 ($POL)"

# --- untrusted clock: 1970 -------------------------------------------------------------
check "untr: the node's clock is untrusted" grep -q "untrusted" "$RIG/p-untr.log"
warn p-untr drill1-$now exercise
check "untr: node.conf's quiet hours off, a drill is still rejected" wait_receipt p-untr drill1-$now rejected
check "... by the county's policy: the node cannot tell it is not in force" \
    reason_is p-untr drill1-$now rejected "quiet-hours 21:00-07:00 ($POL): local time unknown (wall clock untrusted)"
check "... no relay has closed" [ "$(amp_closed p-untr)" = 0 ]

# --- restart -----------------------------------------------------------------------------
node_stop p-eve
start p-eve
check "eve: after a restart both policies are held again" \
    wait_for 30 grep -q "policies: 2 held" "$RIG/p-eve.log"
wait_online p-eve || exit 1
warn p-eve drill3-$now exercise
check "eve: after the restart a drill is still rejected" wait_receipt p-eve drill3-$now rejected
check "... naming the county's policy" reason_is p-eve drill3-$now rejected "quiet-hours 21:00-07:00 ($POL)"

# --- withdrawal ----------------------------------------------------------------------------
ctl_as "$RIG/county-pol.pem" county-pol
WD=$(ctl policy withdraw -c "$RIG/ctl.conf" --zone 430682)
check "ctl: policy withdraw prints its id" [ -n "$WD" ]
for n in $NODES; do
	check "$n: the withdrawal is confirmed" wait_receipt "$n" "$WD" done
	check "... naming the policy withdrawn" reason_is "$n" "$WD" done "withdrew policy $CP"
	check "... its file is gone" [ ! -e "$RIG/$n/state/policies/p-$CP.cx" ]
done
warn p-eve drill4-$now exercise
check "eve: once withdrawn, a drill at 21:3x plays (node.conf: 22:00-06:00)" wait_receipt p-eve drill4-$now done
check "... a second relay closure" [ "$(amp_closed p-eve)" = 2 ]
warn p-night drill2-$now exercise
check "night: once withdrawn, a drill at 22:3x is rejected by node.conf's rule" \
    wait_receipt p-night drill2-$now rejected
check "... naming node.conf" reason_is p-night drill2-$now rejected "quiet-hours 22:00-06:00 (node.conf)"
check "night: no relay has closed" [ "$(amp_closed p-night)" = 0 ]
warn p-untr drill2-$now exercise
check "untr: once withdrawn, a drill plays (node.conf: quiet hours off)" wait_receipt p-untr drill2-$now done
check "... one relay closure" [ "$(amp_closed p-untr)" = 1 ]

# --- SIGHUP: the policies held are judged again by the reloaded trust store ------------
CP2=county2-$now
sed "s/\"$CP\"/\"$CP2\"/" "$RIG/county.json" > "$RIG/county2.json"
ctl_as "$RIG/county-pol.pem" county-pol
check "ctl: the county sends its policy again" [ "$(ctl policy send -c "$RIG/ctl.conf" "$RIG/county2.json")" = "$CP2" ]
for n in $NODES; do
	check "$n: the county's new policy is held" wait_receipt "$n" "$CP2" done
	check "$n: the township's policy is held" wait_receipt "$n" "$TP" done
done
POL2="policy $CP2 from county-pol"
warn p-eve drill5-$now exercise
check "eve: the new policy refuses a drill" wait_receipt p-eve drill5-$now rejected
check "... naming it" reason_is p-eve drill5-$now rejected "quiet-hours 21:00-07:00 ($POL2)"
sed -i '/^\[key county-pol\]$/,/^actions/s/^actions = policy$/actions = warn/' "$RIG/p-eve.conf"
sed -i '/^\[key twp-pol\]$/,$d' "$RIG/p-night.conf"
kill -HUP "${NODE_PID[p-eve]}" "${NODE_PID[p-night]}"
check "sighup: a policy whose key lost the action is dropped" wait_receipt p-eve "$CP2" cancelled
check "... the receipt says why" reason_is p-eve "$CP2" cancelled \
    "policy dropped, trust store reloaded: action-scope: key county-pol may not policy"
check "... logged" grep -qF "policy $CP2 (key county-pol) policy dropped, trust store reloaded" "$RIG/p-eve.log"
check "... its file is gone" [ ! -e "$RIG/p-eve/state/policies/p-$CP2.cx" ]
st=$("$CTL" local -c "$RIG/p-eve.conf" status)
check "... local status holds only the township's policy, node.conf's window first" \
    python3 - "$st" "$TP" <<'PY'
import json, sys
b = json.loads(sys.argv[1])
sys.exit(not ([p["id"] for p in b["policies"]] == [sys.argv[2]]
              and b["limits"]["quiet_hours"] == [{"hours": "22:00-06:00", "source": "node.conf"}]))
PY
warn p-eve drill6-$now exercise
check "eve: with the county's policy dropped, a drill at 21:3x plays" wait_receipt p-eve drill6-$now done
check "... a third relay closure" [ "$(amp_closed p-eve)" = 3 ]
check "sighup: a policy whose key is gone is dropped" wait_receipt p-night "$TP" cancelled
check "... the receipt says why" reason_has p-night "$TP" cancelled \
    "policy dropped, trust store reloaded: unknown-key"
check "... its file is gone" [ ! -e "$RIG/p-night/state/policies/p-$TP.cx" ]
check "... the county's policy is kept" [ -s "$RIG/p-night/state/policies/p-$CP2.cx" ]
warn p-night drill3-$now exercise
check "night: a drill is still refused" wait_receipt p-night drill3-$now rejected
check "... by the county's policy" reason_is p-night drill3-$now rejected "quiet-hours 21:00-07:00 ($POL2)"
check "night: no relay has closed" [ "$(amp_closed p-night)" = 0 ]
finish
