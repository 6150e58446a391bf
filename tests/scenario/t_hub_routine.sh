#!/usr/bin/env bash
# Routine programmes as the hub sees them (docs/PROTOCOL.md sections 9 and
# 15, HUB-API.md GET /api/nodes/ID).  A real hub and two real nodes whose
# wall clocks are faked with libfaketime (as t_schedule.sh; local time
# Asia/Shanghai, quiet hours 22:00-06:00), each sent a signed schedule:
#   r-day   09:59:50: its 10:00 programme "news" plays (done);
#   r-night 00:06:50: its 00:07 programme "midnight" is refused (quiet hours).
# The hub stores both plays as the nodes' routine plays (/api/nodes/ID
# routine_plays: programme, state, reason), and shows each node's signed
# status with the schedules it holds (id, key, zones, next due, last
# result).  The programmes' receipts are not warnings: no roll-call, no
# quarantine, GET /api/warnings/REF is 404.  cunxiangctl schedule list
# prints the same, from the hub and, without [hub], from the nodes'
# retained statuses on the broker.
. "$(dirname "$0")/lib.sh"

FT_LIB=/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1
[ -r "$FT_LIB" ] || { echo "libfaketime missing (apt-get install libfaketime)"; exit 1; }
export TZ=Asia/Shanghai
HPORT=$(free_port)

make_keys
openssl genpkey -algorithm ED25519 -out "$RIG/sched.pem" 2>/dev/null
make_clip short.opus 0.5 900
SHORT="[{\"clip\":\"short.opus\",\"sha256\":\"$(sha "$RIG/clips/short.opus")\"}]"
declare -A ZONE=([r-day]=430682101241 [r-night]=430682101242)
now=$(date +%s)
DAYT=$(date -d 'tomorrow 09:59:50' +%s)
NIGHT=$(date -d 'tomorrow 00:06:50' +%s)
declare -A OFF=([r-day]=$((DAYT - now)) [r-night]=$((NIGHT - now)))
KEY=$'\n[key sched-101]\nalg = ed25519\npubkey = '"$(pub_b64 "$RIG/sched.pem")"$'\nzones = 430682101\nactions = schedule'
echo synced > "$RIG/synced"
for n in r-day r-night; do
	node_conf "$n" "${ZONE[$n]}" $'[node]\nclock_sync = file:'"$RIG/synced"$'\n[limits]\nquiet_hours = 22:00-06:00'"$KEY"
done
broker_setup r-day r-night
broker_start || exit 1
capture_start

# the hub first: it hears every receipt and status (the nodes' keys made beforehand)
for n in r-day r-night; do "$CTL" node-key -c "$RIG/$n.conf" --create >/dev/null || exit 1; done
TOKEN=view-$(openssl rand -hex 16)
echo "viewer console $(printf %s "$TOKEN" | sha256sum | cut -d' ' -f1)" > "$RIG/hub.tokens"
hub_conf "" r-day r-night
sed -i "s|^listen = off\$|listen = 127.0.0.1:$HPORT\ntokens = $RIG/hub.tokens|" "$RIG/hub.conf"
hub_start || exit 1

for n in r-day r-night; do
	NODE_WRAPPER="env LD_PRELOAD=$FT_LIB FAKETIME=+${OFF[$n]} FAKETIME_DONT_FAKE_MONOTONIC=1 TZ=$TZ" \
		node_start "$n"
done
for n in r-day r-night; do wait_online "$n" || exit 1; done

fake_now() { echo $(( $(date +%s) + ${OFF[$1]} )); }
# sched NODE ID PROGRAMMES_JSON: signed by the schedule key, to the node's zone
sched() {
	local n=$1 id=$2 progs=$3 sent; sent=$(fake_now "$1")
	printf '{"v":1,"kind":"schedule","id":"%s","sender":"township 101","sent":%s,"valid_until":%s,"zones":["%s"],"programmes":%s}' \
		"$id" "$sent" $((sent + 30 * 86400)) "${ZONE[$n]}" "$progs" > "$RIG/$id.json"
	sign_body "$RIG/sched.pem" ed25519 sched-101 "$RIG/$id.json" "$RIG/$id.msg"
	publish "$RIG/$id.msg" "${ZONE[$n]}"
}
ALL='["mon","tue","wed","thu","fri","sat","sun"]'
P='{"name":"%s","days":'$ALL',"at":"%s","play":'$SHORT',"max_s":60}'
sched r-night n-$now "[$(printf "$P" midnight 00:07)]"
sched r-day d-$now "[$(printf "$P" news 10:00),$(printf "$P" chime 10:30)]"
DATE=$(date -d "@$((DAYT + 60))" +%Y%m%d)
NDATE=$(date -d "@$((NIGHT + 60))" +%Y%m%d)
DREF=d-$now:news:$DATE
NREF=n-$now:midnight:$NDATE

check "day: the schedule is held" wait_receipt r-day d-$now done
check "night: the schedule is held" wait_receipt r-night n-$now done
check "day: news plays at 10:00 and is done" wait_receipt r-day "$DREF" done
check "night: midnight at 00:07 is refused" wait_receipt r-night "$NREF" rejected
check "... naming quiet hours" reason_has r-night "$NREF" rejected "quiet-hours 22:00-06:00"

# node NODE: GET /api/nodes/NODE into $RIG/NODE.json; 0 if 200
node_get() {
	python3 - "$HPORT" "$TOKEN" "$1" "$RIG/$1.json" <<'PY'
import sys, urllib.request, urllib.error
port, token, node, out = sys.argv[1:5]
r = urllib.request.Request("http://127.0.0.1:%s/api/nodes/%s" % (port, node))
r.add_header("Authorization", "Bearer " + token)
try:
    open(out, "wb").write(urllib.request.urlopen(r, timeout=10).read())
except urllib.error.HTTPError as e:
    sys.exit(1)
PY
}
# shown NODE PYTHON-EXPR: the node's page at the hub satisfies EXPR (n = the page)
shown() {
	node_get "$1" && python3 - "$RIG/$1.json" "$2" <<'PY'
import json, sys
n = json.load(open(sys.argv[1]))
def plays(prog):
    return [p for p in n.get("routine_plays", []) if p["programme"] == prog]
def sched():
    s = (n.get("status") or {}).get("schedules") or []
    return s[0] if len(s) == 1 else None
def prog(name):
    s = sched()
    return next((p for p in (s or {}).get("programmes", []) if p["name"] == name), None)
sys.exit(0 if eval(sys.argv[2]) else 1)
PY
}
check "hub: r-day's routine plays list news, done" wait_for 30 shown r-day \
	"[(p['ref'], p['schedule'], p['date'], p['state']) for p in plays('news')] == [('$DREF', 'd-$now', '$DATE', 'done')] and plays('news')[0]['started_ms'] > 0"
check "hub: r-night's routine plays list midnight, refused for quiet hours" wait_for 30 shown r-night \
	"[(p['ref'], p['state'], p['reason']) for p in plays('midnight')] == [('$NREF', 'rejected', 'quiet-hours 22:00-06:00 (node.conf)')]"
NEXT_NEWS=$(date -d "@$((DAYT + 86400 + 10))" +%F)" 10:00"
NEXT_CHIME=$(date -d "@$DAYT" +%F)" 10:30"
check "hub: r-day's status holds the schedule: id, key, zone, validity" wait_for 30 shown r-day \
	"sched() and sched()['id'] == 'd-$now' and sched()['key'] == 'sched-101' and sched()['zones'] == ['${ZONE[r-day]}'] and sched()['valid_until'] > sched()['valid_from']"
check "... news next due tomorrow 10:00 ($NEXT_NEWS), its last play done" wait_for 30 shown r-day \
	"prog('news')['next_local'] == '$NEXT_NEWS' and prog('news')['last']['state'] == 'done' and prog('news')['last']['ref'] == '$DREF'"
check "... chime next due today 10:30 ($NEXT_CHIME), never played" shown r-day \
	"prog('chime')['next_local'] == '$NEXT_CHIME' and 'last' not in prog('chime') and prog('chime')['next'] == $(date -d "$NEXT_CHIME" +%s)"
check "hub: r-night's status: midnight's last play rejected, quiet hours" wait_for 30 shown r-night \
	"prog('midnight')['last']['state'] == 'rejected' and prog('midnight')['last']['reason'] == 'quiet-hours 22:00-06:00 (node.conf)'"

# not warnings: no roll-call, nothing quarantined
check "hub: nothing quarantined" [ "$(hub_sql 'SELECT count(*) FROM quarantine')" = 0 ]
check "... nothing kept apart in its log" bash -c "! grep -q 'kept apart' '$RIG/hub.log'"
check "... the programme receipts are stored" \
	[ "$(hub_sql "SELECT count(*) FROM receipts WHERE ref IN ('$DREF', '$NREF')")" -ge 2 ]
check "... and no warning or roll-call names them" \
	[ "$(hub_sql "SELECT count(*) FROM warnings WHERE id IN ('$DREF', '$NREF')")" = 0 ]
# api_get PATH: prints the HTTP status, the body into $RIG/api.body
api_get() {
	python3 - "$HPORT" "$TOKEN" "$1" "$RIG/api.body" <<'PY'
import sys, urllib.request, urllib.error
r = urllib.request.Request("http://127.0.0.1:%s%s" % (sys.argv[1], sys.argv[3]))
r.add_header("Authorization", "Bearer " + sys.argv[2])
try:
    x = urllib.request.urlopen(r, timeout=10); b = x.read(); print(x.status)
except urllib.error.HTTPError as e:
    b = e.read(); print(e.code)
open(sys.argv[4], "wb").write(b)
PY
}
not_a_warning() { [ "$(api_get "/api/warnings/$DREF")" = 404 ] && grep -q 'not a warning' "$RIG/api.body"; }
check "... GET /api/warnings/$DREF: 404, a play not a warning" not_a_warning
no_rollcall() {
	[ "$(api_get /api/warnings)" = 200 ] && python3 -c '
import json, sys
ids = [w["id"] for w in json.load(open(sys.argv[1]))]
sys.exit(1 if set(sys.argv[2:]) & set(ids) else 0)' "$RIG/api.body" "$DREF" "$NREF"
}
check "... GET /api/warnings lists none of them" no_rollcall

# --- cunxiangctl schedule list ---------------------------------------------------
ctl_conf r-day r-night
cp "$RIG/ctl.conf" "$RIG/ctl-broker.conf"
printf '%s\n' "$TOKEN" > "$RIG/hub.token"
printf '\n[hub]\nurl = http://127.0.0.1:%s\ntoken_file = hub.token\nkey = %s\n' \
	"$HPORT" "$(pub_b64 "$RIG/hub.pem")" >> "$RIG/ctl.conf"
only() { grep -q "^$1 " "$RIG/list.out" && ! grep -q "^$2 " "$RIG/list.out"; }
for c in ctl ctl-broker; do
	out=$(ctl schedule list -c "$RIG/$c.conf" 2>&1); rc=$?
	echo "$out"
	check "$c: schedule list exits 0 ($rc)" [ "$rc" = 0 ]
	check "... r-day: news next $NEXT_NEWS, last done" \
		grep -Eq "^r-day +.*d-$now +sched-101 +news +$NEXT_NEWS +done" <<<"$out"
	check "... r-day: chime next $NEXT_CHIME, never played" \
		grep -Eq "^r-day +.*d-$now +sched-101 +chime +$NEXT_CHIME +-" <<<"$out"
	check "... r-night: midnight refused, quiet hours" \
		grep -Eq "^r-night +.*n-$now +sched-101 +midnight +.* rejected quiet-hours 22:00-06:00" <<<"$out"
	ctl schedule list -c "$RIG/$c.conf" --node r-night >"$RIG/list.out" 2>&1
	check "... --node r-night: only r-night" only r-night r-day
	ctl schedule list -c "$RIG/$c.conf" --zone "${ZONE[r-day]}" >"$RIG/list.out" 2>&1
	check "... --zone ${ZONE[r-day]}: only r-day" only r-day r-night
done
ctl schedule list -c "$RIG/ctl.conf" --node r-nowhere >/dev/null 2>&1
check "schedule list --node of a node not enrolled: exit 1" [ $? = 1 ]
finish
