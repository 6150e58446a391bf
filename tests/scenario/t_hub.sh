#!/usr/bin/env bash
# The township hub on a real broker with five real nodes (sim GPIO, WAV
# sinks) and one warning to their township:
#   v201 plays it (done) and a person acknowledges it;
#   v202 cannot (its clip is missing): failed, with the reason;
#   v203 was stopped before the warning: offline when sent;
#   v204 is online but its ACL hides the alert topics: silent until the hub
#        resends the exact payload on its cmd topic, then done;
#   v205 is frozen (SIGSTOP, long keepalive) before the warning: online when
#        sent, never answers: silent.
# A receipt forged with another key is kept apart and never counted; the hub
# is killed (SIGKILL) while receipts come in and restarted: nothing lost.
# The report "T+2" (at a short test time) is stored, written, published and
# signed by the hub's key; every node killed shows offline (the will); the
# audit chain is intact, and an edit of it is found.
. "$(dirname "$0")/lib.sh"

make_keys
make_clip flood.opus 1 440
for n in 201 202 203 204 205; do node_conf v$n 43068210120${n: -1}; done
mkdir -p "$RIG/noclips"
sed -i "s|^clip_dir = .*|clip_dir = $RIG/noclips|" "$RIG/v202.conf"
sed -i 's/^keepalive_s = 5$/keepalive_s = 120/' "$RIG/v205.conf"
# a step the rest depends on: stop at once when it fails
need() { local before=$NFAIL; check "$@"; [ "$NFAIL" = "$before" ] || { finish; exit 1; }; }
rig_up v201 v202 v203 v204 v205 || exit 1
: > "$RIG/v204.acl"                        # v204 reads no alert topic ...
broker_setup v201 v202 v203 v204 v205      # ... from the next connection
kill -HUP "$BROKER_PID"
node_stop v204; node_start v204
wait_for 60 bash -c "[ \$(grep -c 'mqtt: connected' '$RIG/v204.log') -ge 2 ]"

hub_conf "rollcall_deadline_s = 30
resend_s = 4
offline_grace = 10
report_at_s = 32,40" v201 v202 v203 v204 v205
check "cunxiang-hub -n checks the configuration" "$HUB" -n -c "$RIG/hub.conf"
hub_start || exit 1
online() { [ "$(hub_sql "SELECT count(*) FROM node_state WHERE online=1")" = "$1" ]; }
need "the hub sees the five nodes online (their retained status)" wait_for 60 online 5

# what the broker carries to the report and resend topics
mosquitto_sub -V mqttv5 -h 127.0.0.1 -p "$PORT" -u monitor -P pw-monitor -q 1 \
	-t "$PREFIX/hub/+/report" -t "$PREFIX/node/v204/cmd" -t "$PREFIX/alert/seen-probe" \
	-F '%t %l' > "$RIG/seen" 2>/dev/null &
seen_probe() {
	mosquitto_pub -V mqttv5 -h 127.0.0.1 -p "$PORT" -u monitor -P pw-monitor -q 1 \
		-t "$PREFIX/alert/seen-probe" -m probe && grep -q "^$PREFIX/alert/seen-probe " "$RIG/seen"
}
wait_for 60 seen_probe || { echo "subscriber not ready"; exit 1; }

node_stop v203
need "v203 stopped: offline at the hub (its status)" wait_for 60 online 4
kill -STOP "${NODE_PID[v205]}"

W=hub-w1
body $W '["430682101"]' '[{"clip":"flood.opus","sha256":"'"$(sha "$RIG/clips/flood.opus")"'"}]' > "$RIG/w.json"
sign_body "$RIG/township.pem" ed25519 "$TOWNSHIP_KID" "$RIG/w.json" "$RIG/w.msg"
publish "$RIG/w.msg" 430682101
seen_w() { [ "$(hub_sql "SELECT count(*) FROM warnings WHERE id='$W'")" = 1 ]; }
need "the hub keeps the warning at first sight" wait_for 60 seen_w
same_payload() { hub_sql "SELECT hex(payload) FROM warnings WHERE id='$W'" | unhex | cmp -s - "$RIG/w.msg"; }
check "... byte-exact" same_payload
hub_stop KILL                              # receipts come in while it is down
need "v201 plays it (done)" wait_receipt v201 $W done
check "v202 fails it (clip missing)" wait_receipt v202 $W failed

# a person at v201 acknowledges; a forged "done" for v205 (another key)
ack_body() {
	printf '{"v":1,"kind":"receipt","node":"%s","seq":%s,"time":%s,"ref":"%s","state":"%s","by":"button"}' \
		"$1" "$2" "$(date +%s%3N)" "$W" "$3"
}
ack_body v201 900000 acknowledged > "$RIG/ack.json"
sign_body "$RIG/v201/state/node.key" ed25519 v201 "$RIG/ack.json" "$RIG/ack.msg"
ack_body v205 900001 done > "$RIG/forged.json"
sign_body "$RIG/rogue.pem" ed25519 v205 "$RIG/forged.json" "$RIG/forged.msg"
mosquitto_pub -V mqttv5 -h 127.0.0.1 -p "$PORT" -u v201 -P pw-v201 -q 1 -t "$PREFIX/node/v201/receipt" -f "$RIG/ack.msg"
mosquitto_pub -V mqttv5 -h 127.0.0.1 -p "$PORT" -u v205 -P pw-v205 -q 1 -t "$PREFIX/node/v205/receipt" -f "$RIG/forged.msg"

hub_start || exit 1                        # the persistent session hands over what came
stored() { [ "$(hub_sql "SELECT count(*) FROM receipts WHERE ref='$W' AND node='$1' AND state='$2'")" -ge 1 ]; }
need "after the restart: v201's done is stored" wait_for 60 stored v201 done
check "... v202's failed" wait_for 60 stored v202 failed
check "... v201's acknowledgement" wait_for 60 stored v201 acknowledged
check "... and v201's received (nothing lost)" stored v201 received
quarantined() { [ "$(hub_sql "SELECT count(*) FROM quarantine WHERE topic='$PREFIX/node/v205/receipt' AND problem='bad signature'")" = 1 ]; }
check "the forged receipt is kept apart (bad signature)" wait_for 60 quarantined
check "... and never stored as a receipt" bash -c "[ \"\$(sqlite3 -readonly '$RIG/hub/hub.db' \"SELECT count(*) FROM receipts WHERE node='v205'\")\" = 0 ]"
check "the roll-call was restored from the store" grep -q "roll-call restored" "$RIG/hub.log"

resent() { grep -q "^$PREFIX/node/v204/cmd $(stat -c %s "$RIG/w.msg")\$" "$RIG/seen"; }
check "the silent online node v204 gets the warning again on its cmd topic" wait_for 60 resent
check "... the hub audits it" wait_for 60 bash -c "[ \"\$(sqlite3 -readonly '$RIG/hub/hub.db' \"SELECT count(*) FROM audit WHERE action='resend' AND subject='$W' AND detail LIKE '%v204%'\")\" -ge 1 ]"
check "... and v204 answers: done" wait_receipt v204 $W done

REP="$RIG/hub/reports/$W-T+2"
need "report T+2 written" wait_for 90 test -s "$REP.txt"
rep() { python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$REP.json" "$1"; }
cls() { rep "{n['node']: n['class'] for n in r['nodes']}['$1']"; }
check "report: v201 done" [ "$(cls v201)" = done ]
check "report: v201 acknowledged by a person" [ "$(rep "[n['acknowledged'] for n in r['nodes'] if n['node']=='v201'][0]")" = True ]
check "report: v202 failed, the clip named in the reason" bash -c "[ '$(cls v202)' = failed ] && python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); sys.exit(0 if any(\"flood.opus\" in n[\"reason\"] for n in r[\"nodes\"] if n[\"node\"]==\"v202\") else 1)' '$REP.json'"
check "report: v203 offline when sent" [ "$(cls v203)" = offline ]
check "report: v204 done (after the resend)" [ "$(cls v204)" = done ]
check "report: v205 silent (the forged done not counted)" [ "$(cls v205)" = silent ]
check "report: verdict failed; zone counts" [ "$(rep "(r['verdict'], [(z['zone'], z['expected'], z['done'], z['failed'], z['silent'], z['offline'], z['acknowledged']) for z in r['zones']])")" = "('failed', [('430682101', 5, 2, 1, 1, 1, 1)])" ]
check "report: one unverified answer, never listed" [ "$(rep "(r['counts']['unverified'], len(r['nodes']))")" = "(1, 5)" ]
check "report CSV: a header and one line per node" [ "$(wc -l < "$REP.csv")" = 6 ]
check "report text: the verdict" grep -q "^Verdict: failed" "$REP.txt"
openssl pkey -in "$RIG/hub.pem" -pubout -out "$RIG/hub.pub" 2>/dev/null
sig_ok() {
	head -n1 "$REP.signed" | cut -d' ' -f4 | base64 -d > "$RIG/rep.sig"
	tail -c +$(( $(head -n1 "$REP.signed" | wc -c) + 1 )) "$REP.signed" > "$RIG/rep.body"
	head -n1 "$REP.signed" | grep -q '^CX1 ed25519 hub-1 ' && cmp -s "$RIG/rep.body" "$REP.json" &&
	openssl pkeyutl -verify -rawin -pubin -inkey "$RIG/hub.pub" -in "$RIG/rep.body" -sigfile "$RIG/rep.sig" >/dev/null
}
check "report signed by the hub's key" sig_ok
check "report stored once" [ "$(hub_sql "SELECT count(*) FROM reports WHERE warning='$W' AND at='T+2'")" = 1 ]
check "report published on $PREFIX/hub/hub-1/report" wait_for 60 grep -q "^$PREFIX/hub/hub-1/report " "$RIG/seen"

node_kill v201
offline_will() { [ "$(hub_sql "SELECT count(*) FROM events WHERE node='v201' AND kind='offline' AND detail LIKE '%will%'")" -ge 1 ]; }
check "v201 killed: offline at the hub (its will)" wait_for 60 offline_will
check "... node_state says so" [ "$(hub_sql "SELECT online, state FROM node_state WHERE node='v201'")" = "0|offline" ]

kill -CONT "${NODE_PID[v205]}"
hub_stop
check "audit: start, enrolment, the warning, the report, stop" [ "$(hub_sql "SELECT count(*) FROM audit WHERE action IN ('start','enrolled','alert','report','stop')")" -ge 10 ]
check "audit chain intact (--audit-verify)" "$HUB" -c "$RIG/hub.conf" --audit-verify
sqlite3 "$RIG/hub/hub.db" "UPDATE audit SET detail='edited' WHERE seq=3"
broken() { "$HUB" -c "$RIG/hub.conf" --audit-verify > "$RIG/av.out"; [ $? = 4 ] && grep -q "record 3" "$RIG/av.out"; }
check "an edited audit record is found (exit 4, record 3)" broken
finish
