#!/usr/bin/env bash
# Sending from the hub (the console's POST /api/send/preview and /api/send),
# end to end: the real cunxiang-hub with a [signer] (the township key) on a
# real broker with three real cunxiangd nodes (sim GPIO), an operator's
# bearer token, HTTP by python3 urllib.  A drill previewed and sent to
# township 430682101 is played by both nodes there (done receipts) and its
# roll-call at the hub is complete; an actual warning needs the second
# confirmation, and nothing is published before it; a zone outside the key's
# scope is refused (403) and no node hears anything; a cancel of the actual
# warning stops it (cancelled receipts); the audit log names the operator.
. "$(dirname "$0")/lib.sh"

HPORT=$(free_port)
make_keys
make_clip flood.opus 1 700
(cd "$RIG/clips" && sha256sum flood.opus > SHA256SUMS)
echo synced > "$RIG/synced"
for n in village-201:430682101201 village-202:430682101202 village-301:430682102301; do
	node_conf "${n%%:*}" "${n#*:}" $'[node]\nclock_sync = file:'"$RIG/synced"
done
broker_setup village-201 village-202 village-301
# the hub publishes the warnings it signs: write on the alert topics
sed -i "/^user hub\$/a topic write $PREFIX/alert/#" "$RIG/acl"
broker_start || exit 1
for n in village-201 village-202 village-301; do node_start $n; done
for n in village-201 village-202 village-301; do wait_online $n || exit 1; done

OP_TOKEN=op-$(openssl rand -hex 16)
VIEW_TOKEN=view-$(openssl rand -hex 16)
{
	echo "operator li.wei $(printf %s "$OP_TOKEN" | sha256sum | cut -d' ' -f1)"
	echo "viewer wall $(printf %s "$VIEW_TOKEN" | sha256sum | cut -d' ' -f1)"
} > "$RIG/hub.tokens"
hub_conf "rollcall_deadline_s = 60
resend_s = 0" village-201 village-202 village-301
sed -i "s|^listen = off\$|listen = 127.0.0.1:$HPORT\ntokens = $RIG/hub.tokens|" "$RIG/hub.conf"
printf '[signer]\nkey = %s\nkid = %s\nzones = 430682101\nactions = warn,cancel,drill,test\nclip_dir = %s\n' \
	"$RIG/township.pem" "$TOWNSHIP_KID" "$RIG/clips" >> "$RIG/hub.conf"
hub_start || exit 1
check "the hub loaded the signer" grep -q "signer $TOWNSHIP_KID: the console may send" "$RIG/hub.log"

# http METHOD PATH TOKEN [BODY]: prints the status; the answer in $RIG/http.body
http() {
	python3 - "$HPORT" "$1" "$2" "${3:-}" "${4:-}" "$RIG/http.body" <<'PY'
import sys, urllib.request, urllib.error
port, method, path, token, body = sys.argv[1:6]
req = urllib.request.Request("http://127.0.0.1:%s%s" % (port, path),
                             data=body.encode() if body else None, method=method)
if token:
    req.add_header("Authorization", "Bearer " + token)
try:
    r = urllib.request.urlopen(req, timeout=10)
    data, code = r.read(), r.status
except urllib.error.HTTPError as e:
    data, code = e.read(), e.code
open(sys.argv[6], "wb").write(data)
print(code)
PY
}
# field EXPR: a value of the last answer (python expression on j)
field() { python3 -c 'import sys, json; j = json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$RIG/http.body" "$1"; }
# with FIELDS KEY TOKEN [KEY TOKEN]: the fields with the tokens added
with() { python3 -c 'import sys, json; f = json.loads(sys.argv[1]); a = sys.argv[2:]
f.update(dict(zip(a[::2], a[1::2]))); print(json.dumps(f))' "$@"; }
listening() { [ "$(http GET /api/health)" = 200 ]; }
check "the hub's API answers" wait_for 60 listening || { tail -20 "$RIG/hub.log"; exit 1; }
online3() { [ "$(hub_sql "SELECT count(*) FROM node_state WHERE online = 1")" = 3 ]; }
check "the three nodes online at the hub" wait_for 60 online3

# --- catalogue and zones ------------------------------------------------------
check "catalog: the clip pinned, the signer's scope" [ "$(http GET /api/catalog "$VIEW_TOKEN")" = 200 ]
check "... flood.opus with its SHA-256" [ "$(field 'j["clips"][0]["name"] + " " + j["clips"][0]["sha256"]')" = "flood.opus $(sha "$RIG/clips/flood.opus")" ]
check "... kid and zones" [ "$(field 'j["signer"]["kid"] + " " + ",".join(j["signer"]["zones"])')" = "$TOWNSHIP_KID 430682101" ]
http GET /api/zones "$VIEW_TOKEN" >/dev/null
check "zones: township 430682101 holds 2 nodes, ok" [ "$(field '[(z["nodes"], z["ok"]) for z in j["zones"] if z["zone"] == "430682101"][0]')" = "(2, 2)" ]

# --- a drill ----------------------------------------------------------------
DRILL='{"type":"alert","status":"exercise","event":"flood","severity":3,"title":"演练","text":"",
 "zones":["430682101"],"clips":["flood.opus"],"sirens":[],"speech":false,"volume":null,"expires_s":600}'
check "a viewer may not preview: 403" [ "$(http POST /api/send/preview "$VIEW_TOKEN" "$DRILL")" = 403 ]
rc=$(http POST /api/send/preview "$OP_TOKEN" "$DRILL")
check "preview of a drill: 200 ($rc)" [ "$rc" = 200 ]
check "... 2 nodes, none offline, not actual" [ "$(field 'j["nodes"], j["offline"], j["actual"]')" = "(2, 0, False)" ]
check "... the body names the sender and pins the clip" [ "$(field 'j["body"]["sender"], j["body"]["play"][0]["sha256"]')" = "('$TOWNSHIP_KID/li.wei', '$(sha "$RIG/clips/flood.opus")')" ]
TOKEN=$(field 'j["confirm"]')
rc=$(http POST /api/send "$OP_TOKEN" "$DRILL")
check "a send without the token: 409 need preview ($rc)" [ "$rc" = 409 -a "$(field 'j["need"]')" = preview ]
rc=$(http POST /api/send "$OP_TOKEN" "$(with "$DRILL" confirm "$TOKEN")")
check "the send with it: 202 ($rc: $(cat "$RIG/http.body"))" [ "$rc" = 202 ]
DRILL_ID=$(field 'j["id"]')
check "... published once (one zone), id $DRILL_ID" [ "$(field 'j["published"]')" = 1 ]
check "... the same token again: 409 need preview" [ "$(http POST /api/send "$OP_TOKEN" "$(with "$DRILL" confirm "$TOKEN")")" = 409 ]
played() { [ "$(hub_sql "SELECT count(DISTINCT node) FROM receipts WHERE ref='$DRILL_ID' AND state='done'")" = 2 ]; }
check "both nodes of the township played it (done receipts at the hub)" wait_for 90 played
complete() { http GET "/api/warnings/$DRILL_ID" "$VIEW_TOKEN" >/dev/null; [ "$(field 'j["complete"], j["verdict"], j["status"]')" = "(True, 'ok', 'exercise')" ]; }
check "... its roll-call at the hub is complete, ok" wait_for 30 complete
http GET /api/nodes/village-201 "$VIEW_TOKEN" >/dev/null
check "the node page lists the drill with its final receipt" [ "$(field '[(w["state"], w["evidence"]["state"]) for w in j["warnings"] if w["id"] == "'"$DRILL_ID"'"][0]')" = "('done', 'done')" ]
check "... and heartbeats received" [ "$(field 'len(j["heartbeats"]) > 0')" = True ]

# --- outside the key's scope ----------------------------------------------------
FAR='{"type":"alert","status":"exercise","event":"flood","severity":3,"title":"x","zones":["430682102"],"sirens":["air-raid"]}'
rc=$(http POST /api/send/preview "$OP_TOKEN" "$FAR")
check "a zone outside the key's scope: 403 zone-scope ($rc)" bash -c "[ $rc = 403 ] && grep -q zone-scope '$RIG/http.body'"
check "... the send as well: 403" [ "$(http POST /api/send "$OP_TOKEN" "$(with "$FAR" confirm "$TOKEN")")" = 403 ]

# --- an actual warning: the second confirmation -----------------------------------
ACTUAL='{"type":"alert","status":"actual","event":"flood","severity":1,"title":"山洪预警","text":"",
 "zones":["430682101"],"sirens":["air-raid"],"expires_s":600}'
http POST /api/send/preview "$OP_TOKEN" "$ACTUAL" >/dev/null
check "preview of an actual warning: actual" [ "$(field 'j["actual"]')" = True ]
TOKEN=$(field 'j["confirm"]')
rc=$(http POST /api/send "$OP_TOKEN" "$(with "$ACTUAL" confirm "$TOKEN")")
check "the first send: 409 need actual, for 2 nodes ($rc)" [ "$rc" = 409 -a "$(field 'j["need"], j["nodes"]')" = "('actual', 2)" ]
TOKEN2=$(field 'j["confirm_actual"]')
rc=$(http POST /api/send "$OP_TOKEN" "$(with "$ACTUAL" confirm "$TOKEN" confirm_actual "$TOKEN2")")
check "the send with both tokens: 202 ($rc)" [ "$rc" = 202 ]
ACTUAL_ID=$(field 'j["id"]')
playing() { [ "$(hub_sql "SELECT count(DISTINCT node) FROM receipts WHERE ref='$ACTUAL_ID' AND state='playing'")" = 2 ]; }
check "both nodes play it" wait_for 60 playing
check "... exactly one actual warning ever reached the broker (nothing before the second confirmation)" \
	[ "$(hub_sql "SELECT count(*) FROM warnings WHERE status='actual'")" = 1 ]

# --- cancel it --------------------------------------------------------------------
CANCEL='{"type":"cancel","ref":"'"$ACTUAL_ID"'"}'
http POST /api/send/preview "$OP_TOKEN" "$CANCEL" >/dev/null
check "preview of the cancel: the original's zones and status" [ "$(field 'j["body"]["zones"], j["body"]["status"]')" = "(['430682101'], 'actual')" ]
rc=$(http POST /api/send "$OP_TOKEN" "$(with "$CANCEL" confirm "$(field 'j["confirm"]')")")
check "the cancel needs no second confirmation: 202 ($rc)" [ "$rc" = 202 ]
CANCEL_ID=$(field 'j["id"]')
stopped() { [ "$(hub_sql "SELECT count(DISTINCT node) FROM receipts WHERE ref='$ACTUAL_ID' AND state='cancelled'")" = 2 ]; }
check "both nodes stopped the warning (cancelled receipts)" wait_for 60 stopped

# --- nobody outside the township heard anything; the audit names the operator -----
check "village-301 (outside the scope) received nothing" \
	[ "$(hub_sql "SELECT count(*) FROM receipts WHERE node='village-301'")" = 0 ]
audited() { [ "$(hub_sql "SELECT count(*) FROM audit WHERE actor='li.wei' AND action='$1' AND subject='$2'")" = 1 ]; }
check "audit: li.wei's drill" audited drill "$DRILL_ID"
check "audit: li.wei's actual warning" audited warn "$ACTUAL_ID"
check "audit: li.wei's cancel" audited cancel "$CANCEL_ID"
check "audit: nothing for the refused send" [ "$(hub_sql "SELECT count(*) FROM audit WHERE actor='li.wei'")" = 3 ]
hub_stop
finish
