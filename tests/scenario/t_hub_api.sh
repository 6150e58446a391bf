#!/usr/bin/env bash
# The hub's HTTP API and the operator's hub commands, end to end: the real
# cunxiang-hub on a real broker with two real cunxiangd nodes (sim GPIO).
# cunxiangctl nodes lists both with their heartbeat ages; a warning's
# rollcall shows both done and exits 0; its exact payload comes back from
# the API and `show --cap ID` exports it as CAP (an unknown id: exit 3);
# its signed report verifies (and a
# report altered in the database does not); audit verify passes, then
# fails naming the record after one is edited with the sqlite3 CLI, and
# again after the last one is deleted.  Access: health is open, no token
# or a wrong one is 401, a viewer cannot POST (403).  The console's
# accounts: --account-add beside the running hub (password on stdin),
# --accounts lists it, a login over HTTP gets its cookie, session and
# event stream, a wrong password 401, and the hub takes the account
# command's audit records as its own (the chain stays intact); the page
# is served from console_dir.
. "$(dirname "$0")/lib.sh"

HPORT=$(free_port)
DB=$RIG/hub/hub.db

# --- the rig: broker, two nodes, the hub (lib.sh: hub_conf, hub_start) ----
make_keys
# synced clocks (the flag file): an unsynced clock is a fault that needs attention
echo synced > "$RIG/synced"
node_conf village-201 430682101201 $'[node]\nclock_sync = file:'"$RIG/synced"
node_conf village-202 430682101202 $'[node]\nclock_sync = file:'"$RIG/synced"
broker_setup village-201 village-202
broker_start || exit 1
node_start village-201
node_start village-202
wait_online village-201 || exit 1
wait_online village-202 || exit 1

VIEW_TOKEN=view-$(openssl rand -hex 16)
MAINT_TOKEN=maint-$(openssl rand -hex 16)
{
	echo "# role name sha256(token)"
	echo "viewer console $(printf %s "$VIEW_TOKEN" | sha256sum | cut -d' ' -f1)"
	echo "maintainer li.wei $(printf %s "$MAINT_TOKEN" | sha256sum | cut -d' ' -f1)"
} > "$RIG/hub.tokens"
# short: the roll-call's deadline and both reports; no resend
hub_conf "rollcall_deadline_s = 30
resend_s = 0
report_at_s = 2,4" village-201 village-202
# the console's files: a small page of the test's own
mkdir -p "$RIG/console"
printf '<!doctype html><title>cx</title>\n' > "$RIG/console/index.html"
sed -i "s|^listen = off\$|listen = 127.0.0.1:$HPORT\ntokens = $RIG/hub.tokens\nconsole_dir = $RIG/console|" "$RIG/hub.conf"
hub_start || exit 1

# the operator: ctl.conf with [hub] (token file relative to ctl.conf)
ctl_conf village-201 village-202
printf '%s\n' "$VIEW_TOKEN" > "$RIG/hub.token"
printf '\n[hub]\nurl = http://127.0.0.1:%s\ntoken_file = hub.token\nkey = %s\n' \
	"$HPORT" "$(pub_b64 "$RIG/hub.pem")" >> "$RIG/ctl.conf"
C="-c $RIG/ctl.conf"

# http METHOD PATH [TOKEN] [BODY]: prints the HTTP status (python3 urllib, so no
# command-line HTTP client is needed); the answer's body goes to $RIG/http.body
http() {
	python3 - "$HPORT" "$1" "$2" "${3:-}" "${4:-}" "$RIG/http.body" <<'PY'
import sys, urllib.request, urllib.error
port, method, path = sys.argv[1], sys.argv[2], sys.argv[3]
token = sys.argv[4] if len(sys.argv) > 4 else ""
out = open(sys.argv[6], "wb")
body = sys.argv[5].encode() if sys.argv[5] else None
req = urllib.request.Request("http://127.0.0.1:%s%s" % (port, path), data=body, method=method)
if token:
    req.add_header("Authorization", "Bearer " + token)
try:
    r = urllib.request.urlopen(req, timeout=10)
    out.write(r.read())
    print(r.status)
except urllib.error.HTTPError as e:
    out.write(e.read())
    print(e.code)
PY
}
hub_listening() { [ "$(http GET /api/health)" = 200 ]; }
check "the hub's API answers /api/health without a token" wait_for 60 hub_listening || {
	tail -20 "$RIG/hub.log"; exit 1; }

# --- access ----------------------------------------------------------------
check "no token: 401" [ "$(http GET /api/nodes)" = 401 ]
check "a wrong token: 401" [ "$(http GET /api/nodes wrong-token)" = 401 ]
check "a viewer reads the nodes: 200" [ "$(http GET /api/nodes "$VIEW_TOKEN")" = 200 ]
check "a viewer cannot POST a self-test: 403" \
	[ "$(http POST /api/selftest "$VIEW_TOKEN" '{"target":"village-201"}')" = 403 ]
check "a maintainer with an unknown target: 404, nothing sent" \
	[ "$(http POST /api/selftest "$MAINT_TOKEN" '{"target":"village-999"}')" = 404 ]
check "every request is logged with its token's name" \
	grep -q "http: POST /api/selftest 403 console" "$RIG/hub.log"

# --- console accounts: the account command beside the running hub --------------
ADMIN_PW=admin-$(openssl rand -hex 8)
check "--account-add: an admin made on the hub host, the password on stdin" \
	bash -c "printf '%s\n' '$ADMIN_PW' | '$HUB' -c '$RIG/hub.conf' --account-add li.admin \
	--role admin | grep -q 'account li.admin: added'"
check "... a password too short: refused, exit 1" \
	bash -c "! printf 'short\n' | '$HUB' -c '$RIG/hub.conf' --account-add zhao --role viewer"
check "--accounts lists the admin, enabled, never logged in (and no one else)" \
	bash -c "'$HUB' -c '$RIG/hub.conf' --accounts | grep -Eq '^li.admin +admin +enabled +last login never$' &&
	[ \$('$HUB' -c '$RIG/hub.conf' --accounts | wc -l) = 1 ]"
# console_login NAME PASSWORD: POST /api/login, then GET /api/session with the cookie
console_login() {
	python3 - "$HPORT" "$1" "$2" <<'PY'
import sys, json, urllib.request, urllib.error
port, name, pw = sys.argv[1:4]
def req(method, path, body=None, cookie=None):
    r = urllib.request.Request("http://127.0.0.1:%s%s" % (port, path), data=body, method=method)
    if cookie:
        r.add_header("Cookie", "cx_session=" + cookie)
    try:
        x = urllib.request.urlopen(r, timeout=10)
        return x.status, x.headers, x.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read()
st, h, b = req("POST", "/api/login", json.dumps({"name": name, "password": pw}).encode())
c = h.get("Set-Cookie", "")
if st != 200 or "HttpOnly" not in c or "SameSite=Strict" not in c:
    print("login:", st, c, b, file=sys.stderr)
    sys.exit(1)
cookie = c.split(";")[0].split("=", 1)[1]
st, h, b = req("GET", "/api/session", cookie=cookie)
s = json.loads(b)
if not (st == 200 and s["name"] == name and s["role"] == "admin" and s["csrf"]):
    sys.exit(1)
# the event stream opens for the session (its first line)
r = urllib.request.Request("http://127.0.0.1:%s/api/events" % port)
r.add_header("Cookie", "cx_session=" + cookie)
x = urllib.request.urlopen(r, timeout=10)
sys.exit(0 if x.headers.get("Content-Type") == "text/event-stream"
         and x.readline() == b"retry: 3000\n" else 1)
PY
}
# console_page: GET / is the page, with the console's policy and an ETag
console_page() {
	python3 - "$HPORT" "$RIG/console/index.html" <<'PY'
import sys, urllib.request
x = urllib.request.urlopen("http://127.0.0.1:%s/" % sys.argv[1], timeout=10)
sys.exit(0 if x.read() == open(sys.argv[2], "rb").read() and x.headers.get("ETag")
         and "default-src 'self'" in x.headers.get("Content-Security-Policy", "") else 1)
PY
}
check "the hub serves the console's page from console_dir (CSP, ETag)" console_page
check "a login over HTTP: the cookie (HttpOnly, SameSite=Strict) opens a session as admin and its event stream" \
	console_login li.admin "$ADMIN_PW"
check "... a wrong password: 401" \
	[ "$(http POST /api/login "" '{"name":"li.admin","password":"not the password"}')" = 401 ]
check "... audited: the login and the failure" [ "$(sqlite3 "$DB" "SELECT count(*) FROM audit
	WHERE (action = 'login' OR action = 'login-failed') AND subject = 'li.admin'")" = 2 ]
check "... the hub took the account command's signed records as its own, chain intact" \
	bash -c "grep -q 'appended and signed by another process' '$RIG/hub.log' &&
	! grep -q 'audit log altered' '$RIG/hub.log' && '$CTL' audit $C verify >/dev/null"

# --- nodes -----------------------------------------------------------------
both_online() {
	ctl nodes $C --json | python3 -c '
import sys, json
n = {x["id"]: x for x in json.load(sys.stdin)}
sys.exit(0 if all(n[i]["online"] and n[i]["age_s"] is not None for i in ("village-201", "village-202")) else 1)'
}
check "cunxiangctl nodes: both nodes online at the hub" wait_for 60 both_online
out=$(ctl nodes $C)
check "... the table shows each node, its state and its heartbeat age" \
	bash -c "grep -Eq '^village-201 +430682101201 +idle +[0-9]+s ' <<<'$out' &&
	         grep -Eq '^village-202 +430682101202 +idle +[0-9]+s ' <<<'$out'"
check "... --zone keeps the nodes inside the zone" \
	[ "$(ctl nodes $C --zone 430682101202 --json | python3 -c 'import sys,json; print(",".join(x["id"] for x in json.load(sys.stdin)))')" = village-202 ]
check "... nothing needs attention" bash -c "\"$CTL\" nodes $C --attention |
	grep -q '^0 nodes needing attention'"

# --- a warning's roll-call ------------------------------------------------------
id=$(ctl warn $C --zone 430682101 --status test --event test --severity 4 \
	--siren test-short --expires 600 --id hubapi-$RANDOM)
check "the warning was sent ($id)" [ -n "$id" ]
ctl rollcall $C "$id" --timeout 60 > "$RIG/rollcall.txt"
rc=$?
check "cunxiangctl rollcall follows to complete and exits 0 (exit $rc)" [ "$rc" = 0 ]
check "... both nodes listed done" bash -c "grep -Eq '^village-201 .* done +done ' '$RIG/rollcall.txt' &&
	grep -Eq '^village-202 .* done +done ' '$RIG/rollcall.txt'"
check "... the zone's verdict is ok" grep -q "^zone 430682101: ok" "$RIG/rollcall.txt"
verdict=$(ctl rollcall $C "$id" --once --json | python3 -c 'import sys,json; w=json.load(sys.stdin); print(w["verdict"], w["complete"], w["counts"]["done"])')
check "... --json: verdict ok, complete, 2 done ($verdict)" [ "$verdict" = "ok True 2" ]
ctl rollcall $C no-such-warning --once >/dev/null 2>&1
check "a warning the hub never saw: exit 3" [ $? = 3 ]

# --- the warning's exact payload, and show --cap ID from the hub --------------
check "GET /api/warnings/ID/payload: 200 for a viewer" \
	[ "$(http GET "/api/warnings/$id/payload" "$VIEW_TOKEN")" = 200 ]
check "... the signed payload exactly as the hub stored it" \
	[ "$(python3 -c 'import sys; print(open(sys.argv[1], "rb").read().hex())' "$RIG/http.body")" = \
	  "$(sqlite3 "$DB" "SELECT lower(hex(payload)) FROM warnings WHERE id = '$id'")" ]
cp "$RIG/http.body" "$RIG/w.payload"
ctl show $C --cap "$id" >"$RIG/show.xml" 2>"$RIG/show.err"
rc=$?
check "cunxiangctl show --cap ID: the hub's warning as CAP (exit $rc)" [ "$rc" = 0 ]
check "... valid CAP 1.2, its identifier and status Test" bash -c "
	xmllint --noout --schema '$TOP/common/CAP-v1.2.xsd' '$RIG/show.xml' 2>/dev/null &&
	grep -q '<identifier>$id</identifier>' '$RIG/show.xml' &&
	grep -q '<status>Test</status>' '$RIG/show.xml'"
check "... the same as show --cap of the payload saved from the API" \
	bash -c "\"$CTL\" show --cap '$RIG/w.payload' | cmp -s - '$RIG/show.xml'"
ctl show $C --cap no-such-warning >"$RIG/show.xml" 2>"$RIG/show.err"
rc=$?
check "show --cap of an id the hub does not hold: exit 3, nothing printed, the 404 named (exit $rc)" \
	bash -c "[ $rc = 3 ] && [ ! -s '$RIG/show.xml' ] && grep -q '404' '$RIG/show.err' &&
	grep -q 'no-such-warning' '$RIG/show.err'"
check "... GET of its payload: 404" \
	[ "$(http GET /api/warnings/no-such-warning/payload "$VIEW_TOKEN")" = 404 ]
check "... no token: 401" [ "$(http GET "/api/warnings/$id/payload")" = 401 ]

# --- the signed report ----------------------------------------------------------
report_made() { [ "$(sqlite3 "$DB" "SELECT count(*) FROM reports WHERE warning = '$id'")" = 2 ]; }
check "the hub made both reports (T+2, T+10)" wait_for 60 report_made
ctl report $C "$id" --at T+2 > "$RIG/report.json" 2>"$RIG/report.err"
rc=$?
check "cunxiangctl report verifies the hub's signature (exit $rc)" [ "$rc" = 0 ]
check "... it says so" grep -q "signed by hub-1: verified" "$RIG/report.err"
check "... the body is the report of that warning" python3 -c '
import sys, json
r = json.load(open(sys.argv[1]))
sys.exit(0 if r["kind"] == "report" and r["ref"] == sys.argv[2] and r["at"] == "T+2" else 1)' \
	"$RIG/report.json" "$id"
check "... --format csv lists both nodes" bash -c "\"$CTL\" report $C '$id' --format csv 2>/dev/null |
	grep -q village-201 && \"$CTL\" report $C '$id' --format csv 2>/dev/null | grep -q village-202"
sqlite3 "$DB" "UPDATE reports SET signed = CAST(replace(CAST(signed AS TEXT), 'village-202', 'village-209') AS BLOB) WHERE warning = '$id' AND at = 'T+2'"
ctl report $C "$id" --at T+2 >/dev/null 2>"$RIG/report.err"
rc=$?
check "a report altered in the database: exit 4, NOT verified (exit $rc)" \
	bash -c "[ $rc = 4 ] && grep -q 'NOT verified' '$RIG/report.err'"

# --- the audit log --------------------------------------------------------------
# (the hub appends nothing more: both reports are made, no resend, no warning)
ctl audit $C verify > "$RIG/audit.out" 2>&1
rc=$?
check "cunxiangctl audit verify: intact (exit $rc)" \
	bash -c "[ $rc = 0 ] && grep -q 'audit log intact' '$RIG/audit.out'"
n=$(sqlite3 "$DB" "SELECT max(seq) FROM audit")
check "... the log holds the start, the warning and both reports ($n records)" [ "${n:-0}" -ge 4 ]
orig=$(sqlite3 "$DB" "SELECT detail FROM audit WHERE seq = 2")
sqlite3 "$DB" "UPDATE audit SET detail = detail || ' (edited)' WHERE seq = 2"
ctl audit $C verify > "$RIG/audit.out" 2>&1
rc=$?
check "one record edited with sqlite3: exit 4, record 2 named (exit $rc: $(cat "$RIG/audit.out"))" \
	bash -c "[ $rc = 4 ] && grep -q 'BROKEN: record 2' '$RIG/audit.out'"
sqlite3 "$DB" "UPDATE audit SET detail = '$(printf %s "$orig" | sed "s/'/''/g")' WHERE seq = 2"
check "... put back: intact again" bash -c "\"$CTL\" audit $C verify >/dev/null"
sqlite3 "$DB" "DELETE FROM audit WHERE seq = $n"
ctl audit $C verify > "$RIG/audit.out" 2>&1
rc=$?
check "the last record deleted: exit 4 (exit $rc: $(cat "$RIG/audit.out"))" \
	bash -c "[ $rc = 4 ] && grep -q 'BROKEN' '$RIG/audit.out'"

# --- a tail removed while the hub is down. The hub never re-signs an
# altered log silently, and the next record it appends says so.
sqlite3 "$DB" "DELETE FROM audit WHERE seq = $((n - 1))"   # back to a chain the hub never signed
hub_stop; hub_start || exit 1
ctl audit $C verify > "$RIG/audit.out" 2>&1
rc=$?
check "a tail removed while the hub was down, then restarted: audit verify exits 4 naming the alteration (exit $rc: $(cat "$RIG/audit.out"))" \
	bash -c "[ $rc = 4 ] && grep -q 'the hub found its log altered' '$RIG/audit.out'"
check "... and the hub logged it" grep -q "audit log altered" "$RIG/hub.log"
hub_listening2() { [ "$(http GET /api/health)" = 200 ]; }
wait_for 60 hub_listening2

# --- a self-test through the API (last: the hub audits it) ----------------------
rc=$(http POST /api/selftest "$MAINT_TOKEN" '{"target":"village-201","mode":"silent"}')
st=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1])).get("id", ""))' "$RIG/http.body")
check "a maintainer starts a self-test of one node: 202 ($rc, $st)" [ "$rc" = 202 -a -n "$st" ]
seen_cmd() { [ "$(sqlite3 "$DB" "SELECT kind FROM warnings WHERE id = '$st'")" = selftest ]; }
check "... the hub signed and published it: it sees its own command on the node's cmd topic" \
	wait_for 60 seen_cmd
check "... audited with the maintainer's token name" \
	[ "$(sqlite3 "$DB" "SELECT count(*) FROM audit WHERE actor = 'li.wei' AND action = 'selftest' AND subject = 'village-201'")" = 1 ]

finish
