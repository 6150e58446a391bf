#!/usr/bin/env bash
# The web console in a real browser (Debian's headless Chromium driven by
# tests/browser/console_test.py through chromedriver and python3-selenium),
# on the real cunxiang-hub with three real cunxiangd nodes (sim GPIO) on a
# real broker.  The hub holds the township key ([signer]) and serves the
# console from hub/console; accounts for an operator, a maintainer, a viewer
# and an admin are made with cunxiang-hub --account-add.  The browser test
# logs in, reads the zone tree, sends a drill and watches the roll-call fill
# in live, sends an actual warning (two confirmations) and cancels it, runs
# a self-test that finds a relay stuck off, reads a node's page, checks the
# audit log, and shows that a viewer cannot send.  Screenshots of every step
# are kept in $BUILD/console-shots/.
. "$(dirname "$0")/lib.sh"

for c in chromium chromedriver; do
	command -v $c >/dev/null || { fail "$c is not installed (make deps)"; finish; exit 1; }
done
/usr/bin/python3 -c 'import selenium' 2>/dev/null ||
	{ fail "python3-selenium is not installed (make deps)"; finish; exit 1; }

HPORT=$(free_port)
make_keys
echo synced > "$RIG/synced"
make_clip short.opus 1 700
make_clip long.opus 40 500
(cd "$RIG/clips" && sha256sum short.opus long.opus > SHA256SUMS)
# the hub signs self-tests with its own key: the nodes trust it for tests
openssl genpkey -algorithm ED25519 -out "$RIG/hub.pem" 2>/dev/null; chmod 600 "$RIG/hub.pem"
extra="[node]
clock_sync = file:$RIG/synced
[selftest]
nightly = off
[key hub-1]
alg = ed25519
pubkey = $(pub_b64 "$RIG/hub.pem")
zones = 430682101
actions = test"
for n in v201:430682101201 v202:430682101202 v203:430682101203; do
	node_conf "${n%%:*}" "${n#*:}" "$extra"
done
# v201's amplifier relay reads back through a feedback line (the self-test's amp_relay check)
sed -i 's/^siren = SIREN_EN$/siren = SIREN_EN\namp_feedback = AMP_OK/' "$RIG/v201.conf"
printf 'AMP_OK AMP_EN\n' > "$RIG/v201/sim/wire"
mkdir -p "$RIG/v201/sim/fault"
broker_setup v201 v202 v203
# the hub publishes the warnings the console sends
sed -i "/^user hub\$/a topic write $PREFIX/alert/#" "$RIG/acl"
broker_start || exit 1
for n in v201 v202 v203; do node_start $n; done
for n in v201 v202 v203; do wait_online $n || exit 1; done
# the browser test stops v202 (SIGTERM) to see it go offline on the page
mkdir -p "$RIG/pids"
for n in v201 v202 v203; do echo "${NODE_PID[$n]}" > "$RIG/pids/$n"; done

hub_conf "zones = $(pwd)/firmware-config/zones-430682.csv
rollcall_deadline_s = 20
resend_s = 0
report_at_s = 5,10" v201 v202 v203
sed -i "s|^listen = off\$|listen = 127.0.0.1:$HPORT\nconsole_dir = $(pwd)/hub/console|" "$RIG/hub.conf"
cat >> "$RIG/hub.conf" <<CONF
[signer]
key = $RIG/township.pem
kid = $TOWNSHIP_KID
zones = 430682101
actions = warn,cancel,drill,test
clip_dir = $RIG/clips
CONF

mkdir -p "$RIG/hub"
add_account() {  # NAME ROLE PASSWORD
	printf '%s\n' "$3" | "$HUB" -c "$RIG/hub.conf" --account-add "$1" --role "$2" >> "$RIG/accounts.log" 2>&1
}
check "account li.op (operator) made" add_account li.op operator 'flood-duty-2026'
check "account zhao.mt (maintainer) made" add_account zhao.mt maintainer 'check-the-horns'
check "account wang.view (viewer) made" add_account wang.view viewer 'only-looking-1'
check "account zhang.admin (admin) made" add_account zhang.admin admin 'keys-to-the-hub'
hub_start || exit 1
up() { [ "$(hub_sql "SELECT count(*) FROM node_state WHERE online = 1")" = 3 ]; }
check "three nodes online at the hub" wait_for 60 up

SHOTS=$BUILD/console-shots
rm -rf "$SHOTS"; mkdir -p "$SHOTS"
out=$(timeout 600 /usr/bin/python3 tests/browser/console_test.py --url "http://127.0.0.1:$HPORT" \
	--db "$RIG/hub/hub.db" --rig "$RIG" --shots "$SHOTS" 2>"$RIG/browser.err")
echo "$out"
NPASS=$((NPASS + $(grep -c '^ok - ' <<< "$out")))
NFAIL=$((NFAIL + $(grep -c '^FAIL - ' <<< "$out")))
grep -q '^browser test: done$' <<< "$out" || { fail "the browser test ran to its end"; tail -30 "$RIG/browser.err"; }
check "screenshots kept ($SHOTS)" [ "$(ls "$SHOTS"/*.png 2>/dev/null | wc -l)" -ge 10 ]
hub_stop
finish
