#!/usr/bin/env bash
# The hub under valgrind (memcheck): start with its HTTP API, two nodes
# heartbeating, a warning followed to its roll-call and both reports, an
# unreadable and a forged receipt kept apart, the API read by cunxiangctl
# (nodes, rollcall, report, audit verify), a console login with the page
# and an event stream left open, SIGTERM.  No memory error, no
# leak, a clean exit.
. "$(dirname "$0")/lib.sh"
command -v valgrind >/dev/null || { echo "valgrind missing"; exit 1; }

HPORT=$(free_port)
make_keys
node_conf village-201 430682101201
node_conf village-202 430682101202
broker_setup village-201 village-202
broker_start || exit 1
node_start village-201
node_start village-202
wait_online village-201 || exit 1
wait_online village-202 || exit 1

TOKEN=view-$(openssl rand -hex 16)
echo "viewer valgrind $(printf %s "$TOKEN" | sha256sum | cut -d' ' -f1)" > "$RIG/hub.tokens"
hub_conf "rollcall_deadline_s = 30
resend_s = 0
report_at_s = 2,4" village-201 village-202
mkdir -p "$RIG/console"
printf '<!doctype html><title>cx</title>\n' > "$RIG/console/index.html"
sed -i "s|^listen = off\$|listen = 127.0.0.1:$HPORT\ntokens = $RIG/hub.tokens\nconsole_dir = $RIG/console|" "$RIG/hub.conf"
HUB_WRAPPER="valgrind --leak-check=full --show-leak-kinds=definite,indirect,possible --errors-for-leak-kinds=definite,indirect,possible --error-exitcode=99 --log-file=$RIG/valgrind.log"
hub_start || exit 1

ctl_conf village-201 village-202
printf '%s\n' "$TOKEN" > "$RIG/hub.token"
printf '\n[hub]\nurl = http://127.0.0.1:%s\ntoken_file = hub.token\nkey = %s\n' \
	"$HPORT" "$(pub_b64 "$RIG/hub.pem")" >> "$RIG/ctl.conf"
C="-c $RIG/ctl.conf"

both_online() { [ "$(ctl nodes $C 2>/dev/null | grep -cE '^village-20[12] +[0-9]+ +idle ')" = 2 ]; }
check "nodes online at the hub under valgrind" wait_for 240 both_online

id=$(ctl warn $C --zone 430682101 --status test --event test --severity 4 \
	--siren test-short --expires 600 --id vghub-$RANDOM)
ctl rollcall $C "$id" --timeout 240 > "$RIG/rollcall.txt"
check "roll-call complete, both done (exit $?)" grep -q "^zone 430682101: ok" "$RIG/rollcall.txt"
# an unreadable and a forged receipt (signed by a key that is not the node's)
head -c 300 /dev/urandom > "$RIG/junk.msg"
mosquitto_pub -h 127.0.0.1 -p "$PORT" -u village-201 -P pw-village-201 -i village-201-x \
	-t "$PREFIX/node/village-201/receipt" -f "$RIG/junk.msg" -q 1 2>/dev/null
printf '{"v":1,"kind":"receipt","node":"village-201","seq":999999999999,"time":%s000,"ref":"%s","digest":"","state":"failed","code":4,"reason":"forged"}' \
	"$(date +%s)" "$id" > "$RIG/forged.json"
openssl genpkey -algorithm ED25519 -out "$RIG/forger.pem" 2>/dev/null
sign_body "$RIG/forger.pem" ed25519 village-201 "$RIG/forged.json" "$RIG/forged.msg"
mosquitto_pub -h 127.0.0.1 -p "$PORT" -u village-201 -P pw-village-201 -i village-201-y \
	-t "$PREFIX/node/village-201/receipt" -f "$RIG/forged.msg" -q 1 2>/dev/null
kept_apart() { [ "$(sqlite3 -readonly "$RIG/hub/hub.db" 'SELECT count(*) FROM quarantine')" -ge 1 ]; }
check "bad receipts kept apart" wait_for 120 kept_apart
report_made() { [ "$(sqlite3 -readonly "$RIG/hub/hub.db" "SELECT count(*) FROM reports WHERE warning = '$id'")" = 2 ]; }
check "both reports made" wait_for 240 report_made
check "the report verifies" ctl report $C "$id" --at T+10
check "the audit log verifies" ctl audit $C verify

# the console: an account, a login, the page, and an event stream left open at SIGTERM
PW=pw-$(openssl rand -hex 8)
check "an account made beside the hub" bash -c "printf '%s\n' '$PW' |
	'$HUB' -c '$RIG/hub.conf' --account-add vg.admin --role admin >/dev/null"
python3 - "$HPORT" "$PW" "$RIG/stream.out" > "$RIG/stream.log" 2>&1 <<'PY' &
import sys, json, urllib.request
port, pw, out = sys.argv[1], sys.argv[2], open(sys.argv[3], "wb", buffering=0)
base = "http://127.0.0.1:%s" % port
urllib.request.urlopen(base + "/", timeout=240).read()
r = urllib.request.Request(base + "/api/login", method="POST",
    data=json.dumps({"name": "vg.admin", "password": pw}).encode())
x = urllib.request.urlopen(r, timeout=240)
csrf = json.load(x)["csrf"]
cookie = x.headers["Set-Cookie"].split(";")[0]
r = urllib.request.Request(base + "/api/events", headers={"Cookie": cookie})
x = urllib.request.urlopen(r, timeout=600)
out.write(x.readline())
x.read()            # until the hub closes the stream
PY
STREAM_PID=$!
stream_open() { grep -q "retry: 3000" "$RIG/stream.out" 2>/dev/null; }
check "a login and an event stream under valgrind" wait_for 240 stream_open
kill -TERM "$HUB_PID"; wait "$HUB_PID"; rc=$?
wait "$STREAM_PID"
HUB_PID=
check "hub exited cleanly under valgrind (exit $rc)" [ "$rc" = 0 ]
check "valgrind: no errors" grep -q "ERROR SUMMARY: 0 errors" "$RIG/valgrind.log"
check "valgrind: no leaks" bash -c "! grep -qE '(definitely|indirectly|possibly) lost: [1-9]' '$RIG/valgrind.log'"
[ "$NFAIL" = 0 ] || tail -60 "$RIG/valgrind.log"
finish
