#!/usr/bin/env bash
# Protocol gaps a third-party sender hit (docs/PROTOCOL.md sections 3, 4, 6
# and 8), each as a sender and an operator see them:
#  - a zero-padded target zone travels on the topic of its normalised code;
#  - a refused cancel or update carries a listed reason code
#    (action-scope, zone-scope, downgrade);
#  - an update naming a warning the node does not hold plays, and the named
#    warning, if it comes later, never sounds;
#  - a signature whose length does not fit the algorithm is "malformed";
#  - "ended" is when the relays went off, "hold" recovers the last sample;
#  - an exact copy arriving after a restart is dropped without a receipt,
#    the same id with other bytes is still a replay;
#  - two early cancels of one warning, the first from a key that may not
#    withdraw it: the second still holds, across a restart.
. "$(dirname "$0")/lib.sh"

make_keys
make_clip long.opus 3.0 500
make_clip short.opus 0.5 900
node_conf village-201 430682101201 "
[key drill-only]
alg = ed25519
pubkey = $(pub_b64 "$RIG/rogue.pem")
zones = 430682101
actions = drill,cancel"
rig_up village-201 || exit 1
ctl_conf village-201
C="-c $RIG/ctl.conf"
SHORT="[{\"clip\":\"short.opus\",\"sha256\":\"$(sha "$RIG/clips/short.opus")\"}]"
LONG="[{\"clip\":\"long.opus\",\"sha256\":\"$(sha "$RIG/clips/long.opus")\"}]"
# signed KEY ALG KID NAME JSON: sign a body into $RIG/NAME.msg
signed() { printf '%s' "$5" > "$RIG/$4.json"; sign_body "$1" "$2" "$3" "$RIG/$4.json" "$RIG/$4.msg"; }
town() { signed "$RIG/township.pem" ed25519 "$TOWNSHIP_KID" "$@"; }
# withdraw TYPE ID REF STATUS: a cancel or update body
withdraw() {
	local now; now=$(date -u +%s)
	if [ "$1" = cancel ]; then
		printf '{"v":1,"kind":"alert","id":"%s","sender":"t","sent":%s,"status":"%s","type":"cancel","ref":"%s","expires":%s,"zones":["430682101201"]}' \
			"$2" "$now" "$4" "$3" "$((now + 600))"
	else
		printf '{"v":1,"kind":"alert","id":"%s","sender":"t","sent":%s,"status":"%s","type":"update","ref":"%s","event":"flood","severity":2,"expires":%s,"zones":["430682101201"],"play":%s}' \
			"$2" "$now" "$4" "$3" "$((now + 600))" "$SHORT"
	fi
}

# --- a zero-padded zone is published on its normalised topic ---------------
mosquitto_sub -V mqttv5 -h 127.0.0.1 -p "$PORT" -u monitor -P pw-monitor -t "$PREFIX/alert/#" \
	-F '%t' > "$RIG/alert-topics" 2>/dev/null &
# subscribed once a marker comes back (no sleep: the machine may be busy)
sub_ready() {
	mosquitto_pub -V mqttv5 -h 127.0.0.1 -p "$PORT" -u monitor -P pw-monitor -t "$PREFIX/alert/ready" -m x
	grep -qx "$PREFIX/alert/ready" "$RIG/alert-topics"
}
wait_for 60 sub_ready || echo "alert subscriber not ready"
zp=$(ctl warn $C --zone 430682101000 --event flood --severity 3 --clip "$RIG/clips/short.opus" --id zp-$RANDOM)
check "zero-padded zone: the village plays it" wait_receipt village-201 "$zp" done 60
check "... published on cx/alert/43/06/82/101 (normalised), not a 12-digit topic" \
	wait_for 30 grep -qx "$PREFIX/alert/43/06/82/101" "$RIG/alert-topics"
check "... and on no other alert topic" [ "$(grep -vx "$PREFIX/alert/ready" "$RIG/alert-topics" | sort -u | wc -l)" = 1 ]

# --- "ended" and "hold" ----------------------------------------------------
hold=$(receipt_get village-201 "$zp" done 'r["hold"]')
check "done receipt: hold ($hold ms) is the configured 300 ms hold, give or take a tick" \
	[ "${hold:-0}" -ge 290 ] && [ "${hold:-0}" -le 2000 ]
span=$(receipt_get village-201 "$zp" done 'r["ended"] - r["started"]')
check "... ended - started ($span ms) covers the 0.5 s clip and the hold" [ "${span:-0}" -ge 750 ]
off=$(receipt_get village-201 "$zp" done '[e["ms"] for e in r["edges"] if e["line"] == "amp" and e["v"] == 0][-1]')
end_rel=$(receipt_get village-201 "$zp" done 'r["ended"] - r["received"]')
check "... ended is the amp relay's off edge (edge $off ms, ended $end_rel ms after received)" \
	[ $(( ${end_rel:-0} - ${off:-0} )) -ge -50 ] && [ $(( ${end_rel:-0} - ${off:-0} )) -le 50 ]
pl=$(receipt_get village-201 "$zp" playing 'r["ended"]')
check "... a playing receipt has ended 0" [ "$pl" = 0 ]

# --- refused withdrawals carry a reason code ---------------------------------
a1=pg-a1-$RANDOM
town a1 "$(body "$a1" '["430682101201"]' "$LONG")"
publish "$RIG/a1.msg" 430682101201
wait_receipt village-201 "$a1" playing 60
town dn "$(withdraw update pg-dn-$RANDOM "$a1" exercise)"
dn=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["id"])' "$RIG/dn.json")
publish "$RIG/dn.msg" 430682101201
check "an exercise update of an actual warning is rejected" wait_receipt village-201 "$dn" rejected 60
check "... with reason code downgrade" reason_has village-201 "$dn" rejected "downgrade: "
check "... and the actual warning plays to done" wait_receipt village-201 "$a1" done 60

# the county (SM2) warns two townships; township-101 may not cancel it
a2=pg-a2-$RANDOM
signed "$RIG/county-sm2.pem" sm2-sm3 county-sm2 a2 "$(body "$a2" '["430682101201","430682102201"]' "$LONG")"
publish "$RIG/a2.msg" 430682101201
wait_receipt village-201 "$a2" playing 60
zc=pg-zc-$RANDOM
town zc "$(withdraw cancel "$zc" "$a2" actual)"
publish "$RIG/zc.msg" 430682101201
check "a township cancel of a county warning that reaches another township is rejected" \
	wait_receipt village-201 "$zc" rejected 60
check "... with reason code zone-scope" reason_has village-201 "$zc" rejected "zone-scope: "
check "... and the county warning plays to done" wait_receipt village-201 "$a2" done 60

# --- an update naming a warning the node does not hold --------------------
late=pg-late-$RANDOM
up=pg-up-$RANDOM
town up "$(withdraw update "$up" "$late" actual)"
publish "$RIG/up.msg" 430682101201
check "an update of an unknown warning plays as a new warning" wait_receipt village-201 "$up" done 60
before=$(edge_count village-201)
town late "$(body "$late" '["430682101201"]' "$SHORT")"
publish "$RIG/late.msg" 430682101201
check "the warning it named, arriving later, is reported cancelled" wait_receipt village-201 "$late" cancelled 60
check "... saying by which update" reason_has village-201 "$late" cancelled "updated by $up"
check "... and never touched a relay" [ "$(edge_count village-201)" = "$before" ]

# --- a signature of the wrong length for its algorithm --------------------
sl=pg-sl-$RANDOM
body "$sl" '["430682101201"]' "$SHORT" > "$RIG/sl.json"
head -c 63 /dev/urandom > "$RIG/sl.sig"
{ printf 'CX1 ed25519 %s %s\n' "$TOWNSHIP_KID" "$(base64 -w0 "$RIG/sl.sig")"; cat "$RIG/sl.json"; } > "$RIG/sl.msg"
before=$(edge_count village-201)
publish "$RIG/sl.msg" 430682101201
check "a 63-byte Ed25519 signature is rejected as malformed (by digest)" \
	wait_for 60 has_digest village-201 "$(digest16 "$RIG/sl.msg")" malformed
check "... nothing sounded" [ "$(edge_count village-201)" = "$before" ]

# --- an exact copy after a restart ----------------------------------------
ec=pg-ec-$RANDOM
town ec "$(body "$ec" '["430682101201"]' "$SHORT")"
publish "$RIG/ec.msg" 430682101201
wait_receipt village-201 "$ec" done 60
node_stop village-201
node_start village-201
wait_online village-201
before=$(edge_count village-201)
publish "$RIG/ec.msg" 430682101201
# same id, other bytes (another title): a replay
sed 's/"title":"flood"/"title":"flood!"/' "$RIG/ec.json" > "$RIG/ec2.json"
sign_body "$RIG/township.pem" ed25519 "$TOWNSHIP_KID" "$RIG/ec2.json" "$RIG/ec2.msg"
publish "$RIG/ec2.msg" 430682101201
check "after a restart, the same id with other bytes is rejected as a replay" \
	wait_for 60 has_digest village-201 "$(digest16 "$RIG/ec2.msg")" replay
no_digest() { ! has_digest "$@"; }
check "... the exact copy before it was dropped without a rejection" \
	no_digest village-201 "$(digest16 "$RIG/ec.msg")"
check "... and sent no second receipt of any state" \
	[ "$(receipts village-201 | grep -c "\"ref\":\"$ec\".*\"state\":\"received\"")" = 1 ]
check "... nothing sounded" [ "$(edge_count village-201)" = "$before" ]

# --- two early cancels, one from a key that may not cancel it ----------------
# cancel_of ID KEY.pem KID REF: an early cancel of REF, confirmed "done"
cancel_of() {
	printf '%s' "$(withdraw cancel "$1" "$4" actual)" > "$RIG/$1.json"
	sign_body "$2" ed25519 "$3" "$RIG/$1.json" "$RIG/$1.msg"
	publish "$RIG/$1.msg" 430682101201
	wait_receipt village-201 "$1" done 60
}
lw=pg-lw-$RANDOM
check "an early cancel by a drill key is confirmed (it cannot know yet)" \
	cancel_of pg-c1-$RANDOM "$RIG/rogue.pem" drill-only "$lw"
check "an early cancel of the same warning by the township key is confirmed" \
	cancel_of pg-c2-$RANDOM "$RIG/township.pem" "$TOWNSHIP_KID" "$lw"
before=$(edge_count village-201)
town lw "$(body "$lw" '["430682101201"]' "$SHORT")"
publish "$RIG/lw.msg" 430682101201
check "the warning arrives: cancelled by the township's early cancel" \
	wait_receipt village-201 "$lw" cancelled 60
check "... the drill key's cancel was set aside" \
	grep -q "early cancel of $lw ignored: action-scope" "$RIG/village-201.log"
check "... and it never touched a relay" [ "$(edge_count village-201)" = "$before" ]
# the same across a restart, the township's cancel first this time
lr=pg-lr-$RANDOM
check "(restart) an early cancel by the township key" \
	cancel_of pg-c3-$RANDOM "$RIG/township.pem" "$TOWNSHIP_KID" "$lr"
check "(restart) then one by the drill key" cancel_of pg-c4-$RANDOM "$RIG/rogue.pem" drill-only "$lr"
node_stop village-201
node_start village-201
wait_online village-201
before=$(edge_count village-201)
town lr "$(body "$lr" '["430682101201"]' "$SHORT")"
publish "$RIG/lr.msg" 430682101201
check "after a restart both were kept: the warning is cancelled" \
	wait_receipt village-201 "$lr" cancelled 60
check "... and never touched a relay" [ "$(edge_count village-201)" = "$before" ]

finish
