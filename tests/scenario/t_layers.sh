#!/usr/bin/env bash
# Priority layers on a real node (docs/PROTOCOL.md section 7, "Priority"):
# within the emergency layer a higher level of government comes first
# whatever the severity (the county key, zones 430682, over the township
# key, zones 430682101); an actual warning preempts a drill of any
# severity; a drill waits behind an actual warning.
. "$(dirname "$0")/lib.sh"

make_keys
make_clip short.opus 0.5 900
make_clip hold.opus 30.0 500
SHORT="[{\"clip\":\"short.opus\",\"sha256\":\"$(sha "$RIG/clips/short.opus")\"}]"
HOLD="[{\"clip\":\"hold.opus\",\"sha256\":\"$(sha "$RIG/clips/hold.opus")\"}]"
Z=430682101201
node_conf village-201 $Z
rig_up village-201 || exit 1
now=$(date +%s)

# send ID BY(township|county) STATUS SEVERITY PLAY
send() {
	local id=$1 by=$2 st=$3 sev=$4 play=$5
	body "$id" "[\"$Z\"]" "$play" |
		sed -e "s/\"status\":\"actual\"/\"status\":\"$st\"/" \
		    -e "s/\"severity\":2/\"severity\":$sev/" > "$RIG/$id.json"
	if [ "$by" = county ]; then
		sign_body "$RIG/county-sm2.pem" sm2-sm3 county-sm2 "$RIG/$id.json" "$RIG/$id.msg"
	else
		sign_body "$RIG/township.pem" ed25519 "$TOWNSHIP_KID" "$RIG/$id.json" "$RIG/$id.msg"
	fi
	publish "$RIG/$id.msg" $Z
}

# a township's red warning plays; the county's blue one preempts it
send tw-red-$now township actual 1 "$HOLD"
check "the township's red warning plays" wait_receipt village-201 tw-red-$now playing
send co-blue-$now county actual 4 "$HOLD"
check "the county's blue warning preempts it" wait_receipt village-201 tw-red-$now preempted
check "... naming the county's" reason_has village-201 tw-red-$now preempted "preempted by co-blue-$now"
check "... which plays" wait_receipt village-201 co-blue-$now playing

# the county's blue one plays; a township's red one waits behind it
send tw-red2-$now township actual 1 "$SHORT"
check "a township's red warning waits behind the county's blue one" \
    wait_receipt village-201 tw-red2-$now queued
check "... behind it" reason_has village-201 tw-red2-$now queued "behind co-blue-$now"
# a county drill (red) waits behind any actual warning
send co-drill-$now county exercise 1 "$SHORT"
check "a county's red drill waits behind an actual warning" wait_receipt village-201 co-drill-$now queued
check "the county's blue warning still plays" no_receipt village-201 co-blue-$now preempted

# cancel the county's warning: the township's red one plays next, then the drill
printf '{"v":1,"kind":"alert","id":"co-cx-%s","sender":"county","sent":%s,"status":"actual","type":"cancel","ref":"co-blue-%s","event":"flood","expires":%s,"zones":["%s"]}' \
    "$now" "$(date +%s)" "$now" $(( $(date +%s) + 600 )) $Z > "$RIG/cx.json"
sign_body "$RIG/county-sm2.pem" sm2-sm3 county-sm2 "$RIG/cx.json" "$RIG/cx.msg"
publish "$RIG/cx.msg" $Z
check "the county cancels its warning" wait_receipt village-201 co-blue-$now cancelled
check "the township's red warning plays to done" wait_receipt village-201 tw-red2-$now done
check "then the drill plays to done" wait_receipt village-201 co-drill-$now done
started() { receipt_get village-201 "$1" playing 'r["started"]'; }
check "... in that order" [ "$(started tw-red2-$now)" -lt "$(started co-drill-$now)" ]

# a drill plays; an actual warning of unknown severity preempts it
send tw-drill-$now township exercise 1 "$HOLD"
check "a red drill plays" wait_receipt village-201 tw-drill-$now playing
send tw-act-$now township actual 0 "$SHORT"
check "an actual warning of unknown severity preempts it" wait_receipt village-201 tw-drill-$now preempted
check "... and plays to done" wait_receipt village-201 tw-act-$now done
finish
