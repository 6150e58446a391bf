#!/usr/bin/env bash
# Routine programme schedules (docs/PROTOCOL.md section 15).  Real broker,
# real nodes on sim GPIO; each node's wall clock faked with libfaketime (an
# offset, monotonic left real), local time Asia/Shanghai.  Schedules are
# signed with openssl by a key allowed only "schedule".
#   day:   09:59:50 local.  A schedule is held (done receipt); a warning key
#          cannot send one (action-scope); its 10:00 programme plays at 10:00
#          by the node's clock, ref ID:news:YYYYMMDD, status ""; a drill
#          preempts it, and it resumes where it stopped once the drill is
#          over; a stale schedule is refused; a withdrawal empties
#          the store; after a restart the node holds what its disk held.
#   limits: 09:59:50 local, max_routine_s 1, max_routine_day_s 1: the 10:00
#          programme is cut at 1 s; the other one due at 10:00 waits behind it
#          and is refused when it would start, the 10:01 one too (the day's
#          used): the two due together never exceed the day's limit.
#   night: 00:06:50 local, quiet hours 22:00-06:00 (the incidents: a
#          programme at 00:07, a run of routine items from midnight).  Every
#          programme is refused in a rejected receipt naming the rule, and
#          no relay closes.
#   untrusted: 1970, no time source: the schedule is held, its programmes
#          held back, said once in a rejected receipt; no relay closes.
#   chime: 09:59:50 local, feedback wired (cunxiangctl sends the schedule): the
#          10:00 chime plays the two tones in the chime layer, the relay closes
#          and opens, its done receipt carries the amp_relay check; at 10:01 a
#          routine programme and a chime are due together: the programme plays,
#          the chime is dropped ("preempted ... not resumed").
#   sighup: the trust store is reloaded; a schedule whose key lost the action
#          "schedule" (s-cap) or is gone (s-untr) is dropped, logged, its
#          file removed, a "cancelled" receipt saying why.
. "$(dirname "$0")/lib.sh"

FT_LIB=/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1
[ -r "$FT_LIB" ] || { echo "libfaketime missing (apt-get install libfaketime)"; exit 1; }
export TZ=Asia/Shanghai

make_keys
openssl genpkey -algorithm ED25519 -out "$RIG/sched.pem" 2>/dev/null
make_clip long.opus 6.0 600
make_clip short.opus 0.5 900
LONG="[{\"clip\":\"long.opus\",\"sha256\":\"$(sha "$RIG/clips/long.opus")\"}]"
SHORT="[{\"clip\":\"short.opus\",\"sha256\":\"$(sha "$RIG/clips/short.opus")\"}]"
declare -A ZONE=([s-day]=430682101231 [s-night]=430682101232 [s-cap]=430682101233
	[s-untr]=430682101234 [s-chime]=430682101235)
NODES="s-day s-night s-cap s-untr s-chime"
now=$(date +%s)
DAYT=$(date -d 'tomorrow 09:59:50' +%s)
NIGHT=$(date -d 'tomorrow 00:06:50' +%s)
declare -A OFF=([s-day]=$((DAYT - now)) [s-night]=$((NIGHT - now)) [s-cap]=$((DAYT - now))
	[s-untr]=-$((now - 300)) [s-chime]=$((DAYT - now)))   # s-untr: 1970, no time source
KEY=$'\n[key sched-101]\nalg = ed25519\npubkey = '"$(pub_b64 "$RIG/sched.pem")"$'\nzones = 430682101\nactions = schedule'
echo synced > "$RIG/synced"
node_conf s-day "${ZONE[s-day]}" $'[node]\nclock_sync = file:'"$RIG/synced$KEY"
node_conf s-night "${ZONE[s-night]}" $'[node]\nclock_sync = file:'"$RIG/synced"$'\n[limits]\nquiet_hours = 22:00-06:00'"$KEY"
node_conf s-cap "${ZONE[s-cap]}" $'[node]\nclock_sync = file:'"$RIG/synced"$'\n[limits]\nquiet_hours = off\nmax_routine_s = 1\nmax_routine_day_s = 1'"$KEY"
node_conf s-untr "${ZONE[s-untr]}" $'[node]\nclock_sync = none'"$KEY"
node_conf s-chime "${ZONE[s-chime]}" $'[node]\nclock_sync = file:'"$RIG/synced$KEY"
# s-chime's amplifier feedback is wired to its relay, as on a healthy speaker line
sed -i 's/^siren = SIREN_EN$/siren = SIREN_EN\namp_feedback = AMP_OK/' "$RIG/s-chime.conf"
printf 'AMP_OK AMP_EN\n' > "$RIG/s-chime/sim/wire"
broker_setup $NODES
broker_start || exit 1
capture_start
start() {
	local o=${OFF[$1]}
	[ "${o:0:1}" = - ] || o=+$o
	NODE_WRAPPER="env LD_PRELOAD=$FT_LIB FAKETIME=$o FAKETIME_DONT_FAKE_MONOTONIC=1 TZ=$TZ" \
		node_start "$1"
}
for n in $NODES; do start "$n"; done
for n in $NODES; do wait_online "$n" || exit 1; done

fake_now() { echo $(( $(date +%s) + ${OFF[$1]} )); }
# sched NODE ID PROGRAMMES_JSON [KEYPEM KID] [SENT]: signed, published to the node's zone
sched() {
	local n=$1 id=$2 progs=$3 pem=${4:-$RIG/sched.pem} kid=${5:-sched-101} sent=${6:-$(fake_now "$1")}
	printf '{"v":1,"kind":"schedule","id":"%s","sender":"township 101","sent":%s,"valid_until":%s,"zones":["%s"],"programmes":%s}' \
		"$id" "$sent" $((sent + 30 * 86400)) "${ZONE[$n]}" "$progs" > "$RIG/$id.json"
	sign_body "$pem" ed25519 "$kid" "$RIG/$id.json" "$RIG/$id.msg"
	publish "$RIG/$id.msg" "${ZONE[$n]}"
}
amp_closed() { edges "$1" | awk '$2 == "AMP_EN" && $3 == 1' | wc -l; }
DATE=$(date -d "@$((DAYT + 60))" +%Y%m%d)
NDATE=$(date -d "@$((NIGHT + 60))" +%Y%m%d)

ALL='["mon","tue","wed","thu","fri","sat","sun"]'
# cunxiangctl schedule, signing with the schedule key
ctl_conf
sed -i -e "s|^key = .*|key = $RIG/sched.pem|" -e "s|^kid = .*|kid = sched-101|" "$RIG/ctl.conf"
# chime: sent first too (cunxiangctl, at the node's faked time): a chime at 10:00 alone, and at
# 10:01 a chime and a routine programme at the same time
printf '{"id":"ch-%s","valid_until":%s,"zones":["%s"],"programmes":[{"name":"chime","days":%s,"at":"10:00","chime":true,"volume":30},{"name":"news","days":%s,"at":"10:01","play":%s,"max_s":60},{"name":"chime2","days":%s,"at":"10:01","chime":true}]}' \
	"$now" $(( $(fake_now s-chime) + 86400 )) "${ZONE[s-chime]}" "$ALL" "$ALL" "$SHORT" "$ALL" > "$RIG/chime.json"
out=$(env LD_PRELOAD=$FT_LIB FAKETIME=+${OFF[s-chime]} "$CTL" schedule send -c "$RIG/ctl.conf" "$RIG/chime.json" 2>&1)
check "ctl: a schedule with chime programmes is sent" [ "$out" = "ch-$now" ]

# night: sent first, while it is 00:06:5x there
P='{"name":"%s","days":'$ALL',"at":"%s","play":'$LONG',"max_s":300}'
progs="[$(printf "$P" midnight 00:07),$(printf "$P" item1 00:07),$(printf "$P" item2 00:07),$(printf "$P" item3 00:07)]"
sched s-night n-$now "$progs"
# limits: sent first too, while it is 09:59:5x there
sched s-cap c-$now "[$(printf "$P" a 10:00),$(printf "$P" b 10:00),$(printf "$P" c 10:01)]"

# --- day ------------------------------------------------------------------------
sched s-day bad-$now "[{\"name\":\"news\",\"days\":[\"mon\"],\"at\":\"10:00\",\"play\":$LONG,\"max_s\":60}]" \
	"$RIG/township.pem" "$TOWNSHIP_KID"
check "a warning key cannot send a schedule" wait_receipt s-day bad-$now rejected
check "... action-scope" reason_has s-day bad-$now rejected "action-scope"
sched s-day w-$now "[{\"name\":\"news\",\"days\":$ALL,\"at\":\"10:00\",\"play\":$LONG,\"volume\":80,\"max_s\":600}]"
check "day: the schedule is held" wait_receipt s-day w-$now done
check "... its receipt says when its programme is next due" \
    reason_has s-day w-$now done "schedule held: 1 programmes, next news at $(date -d "@$((DAYT + 60))" +%F) 10:00"
check "... stored on the node's disk" [ -s "$RIG/s-day/state/schedules/s-w-$now.cx" ]
REF=w-$now:news:$DATE
check "day: the programme plays at 10:00 by the node's clock" wait_receipt s-day "$REF" playing
check "... its receipts carry status \"\"" [ "$(receipt_get s-day "$REF" playing 'repr(r["status"])')" = "''" ]
check "... started at 10:00 on the node's local clock" \
    grep -q "$(date -d "@$((DAYT + 60))" +%F) 10:00:0.*routine programme $REF due" "$RIG/s-day.log"
check "... the amplifier relay closed" [ "$(amp_closed s-day)" = 1 ]
body drill-$now "[\"${ZONE[s-day]}\"]" "$SHORT" "" "$(fake_now s-day)" $(( $(fake_now s-day) + 3600 )) |
	sed 's/"status":"actual"/"status":"exercise"/' > "$RIG/drill-$now.json"
sign_body "$RIG/township.pem" ed25519 "$TOWNSHIP_KID" "$RIG/drill-$now.json" "$RIG/drill-$now.msg"
publish "$RIG/drill-$now.msg" "${ZONE[s-day]}"
check "day: a drill preempts the routine programme" wait_receipt s-day "$REF" preempted
check "... which says it will resume" reason_has s-day "$REF" preempted "preempted by drill-$now; resumes when it is over"
check "... and waits behind the drill" reason_has s-day "$REF" queued "behind drill-$now"
check "... the drill plays to its end" wait_receipt s-day drill-$now done
check "day: the programme resumes and plays to its end" wait_receipt s-day "$REF" done
pre=$(receipt_get s-day "$REF" preempted 'r["frames"]')
post=$(receipt_get s-day "$REF" done 'r["frames"]')
check "... where it stopped: $pre frames before, $post after, the 6 s clip once ($((pre + post)))" \
    [ "${pre:-0}" -gt 0 ] && [ "${post:-0}" -gt 0 ] && [ $((pre + post)) -le $((6 * 48000 + 48000)) ] &&
    [ "$post" -lt $((6 * 48000 - 4800)) ]
sched s-day old-$now "[{\"name\":\"x\",\"days\":$ALL,\"at\":\"11:00\",\"play\":$LONG,\"max_s\":60}]" \
	"" "" $(( $(fake_now s-day) - 600 ))
check "day: an older schedule of the same key and zones is refused" wait_receipt s-day old-$now rejected
check "... stale, naming the one held" reason_has s-day old-$now rejected "stale: schedule w-$now"

# restart: the node holds what its disk held
node_stop s-day
start s-day
check "day: after a restart the schedule is held again" \
    wait_for 30 grep -q "schedules: 1 held, 1 programmes" "$RIG/s-day.log"
wait_online s-day || exit 1
st=$("$CTL" local -c "$RIG/s-day.conf" status)
check "day: local status lists the schedule held and the next programme" \
    python3 -c 'import json,sys; b=json.loads(sys.argv[1]); s=b["schedules"]; sys.exit(not (len(s)==1 and s[0]["id"]==sys.argv[2] and s[0]["key"]=="sched-101" and s[0]["programmes"]==1 and b["next"]["ref"].startswith(sys.argv[2]+":news:")))' "$st" "w-$now"
printf '{"valid_until":%s,"zones":["%s"],"programmes":[{"name":"x","days":["mon"],"at":"25:00","play":%s,"max_s":60}]}' \
	$(( $(fake_now s-day) + 86400 )) "${ZONE[s-day]}" "$LONG" > "$RIG/bad.json"
out=$(ctl schedule send -c "$RIG/ctl.conf" "$RIG/bad.json" 2>&1); rc=$?
check "ctl: a bad schedule file is refused (exit 2), naming the file and member" \
    [ $rc = 2 ] && [[ $out == *"bad.json: not a valid schedule: 'programmes'[0]: 'at' must be HH:MM"* ]]
out=$(ctl schedule withdraw -c "$RIG/ctl.conf" --dry-run --zone "${ZONE[s-day]}")
check "ctl: withdraw --dry-run prints the body, no programmes" \
    python3 -c 'import json,sys; b=json.loads(sys.argv[1]); sys.exit(not (b["kind"]=="schedule" and b["programmes"]==[] and b["zones"]==[sys.argv[2]] and b["sender"]=="sched-101"))' "$out" "${ZONE[s-day]}"
# signed at the node's (faked) time: a withdrawal must be later than what it withdraws
WD=$(env LD_PRELOAD=$FT_LIB FAKETIME=+${OFF[s-day]} "$CTL" schedule withdraw -c "$RIG/ctl.conf" --zone "${ZONE[s-day]}")
check "ctl: schedule withdraw prints its id" [ -n "$WD" ]
check "day: the withdrawal is confirmed" wait_receipt s-day "$WD" done
check "... naming the schedule withdrawn" reason_has s-day "$WD" done "withdrew schedule w-$now"
check "... its file is gone" [ ! -e "$RIG/s-day/state/schedules/s-w-$now.cx" ]

# --- night: the two incidents (the schedule was sent at 00:06:5x) ----------------
check "night: the schedule is held" wait_receipt s-night n-$now done
for p in midnight item1 item2 item3; do
	check "night: programme $p at 00:07 is refused" wait_receipt s-night "n-$now:$p:$NDATE" rejected
	check "... naming the rule" \
	    [ "$(receipt_get s-night "n-$now:$p:$NDATE" rejected 'r["reason"]')" = "quiet-hours 22:00-06:00 (node.conf)" ]
	check "... never playing" no_receipt s-night "n-$now:$p:$NDATE" playing
done
check "night: no relay has closed" [ "$(amp_closed s-night)" = 0 ]
check "night: nothing sounded" no_audio s-night

# --- limits: max_routine_s 1, max_routine_day_s 1 ------------------------------------
check "limits: programme a plays at 10:00" wait_receipt s-cap "c-$now:a:$DATE" playing
check "... cut by the node's max_routine_s" wait_receipt s-cap "c-$now:a:$DATE" done
check "... the receipt says so" reason_has s-cap "c-$now:a:$DATE" done "cut at max_routine_s 1"
check "limits: programme b, due with a, waits behind it" wait_receipt s-cap "c-$now:b:$DATE" queued
check "... and is refused when it would start: a used the day's routine time" \
    wait_receipt s-cap "c-$now:b:$DATE" rejected
check "... naming the rule" reason_has s-cap "c-$now:b:$DATE" rejected "max_routine_day_s 1 used"
check "... never playing" no_receipt s-cap "c-$now:b:$DATE" playing
check "limits: programme c at 10:01 is refused, the day's routine time used" \
    wait_receipt s-cap "c-$now:c:$DATE" rejected 120
check "... naming the rule" reason_has s-cap "c-$now:c:$DATE" rejected "max_routine_day_s 1 used"
check "... one relay closure in all" [ "$(amp_closed s-cap)" = 1 ]

# --- chime: the node's chime tone in the chime layer, a speaker check -------------------
check "chime: the schedule is held" wait_receipt s-chime ch-$now done
CREF=ch-$now:chime:$DATE
check "chime: the chime plays at 10:00 by the node's clock" wait_receipt s-chime "$CREF" playing
check "... started at 10:00 on the node's local clock" \
    grep -q "$(date -d "@$((DAYT + 60))" +%F) 10:00:0.*routine programme $CREF due" "$RIG/s-chime.log"
check "... and plays to its end" wait_receipt s-chime "$CREF" done
check "... its receipts carry status \"\"" [ "$(receipt_get s-chime "$CREF" done 'repr(r["status"])')" = "''" ]
check "... the amplifier relay closed during it, then opened" \
    [ "$(receipt_get s-chime "$CREF" done '" ".join("%s=%d" % (e["line"], e["v"]) for e in r["edges"])')" = "amp=1 amp=0" ]
fr=$(receipt_get s-chime "$CREF" done 'r["frames"]')
check "... the two 500 ms tones played ($fr frames)" [ "${fr:-0}" -ge 45600 ] && [ "$fr" -le 52800 ]
check "... its receipt carries the amplifier relay check, trigger schedule" \
    [ "$(receipt_get s-chime "$CREF" done '"%s %s %s|%s|%s" % (r["selftest"]["mode"], r["selftest"]["trigger"], r["selftest"]["checks"][0]["name"], r["selftest"]["checks"][0]["ok"], r["selftest"]["checks"][0]["value"])')" = \
      "audible schedule amp_relay|True|on->fb 1 after the warm-up, off->fb 0" ]
NREF=ch-$now:news:$DATE
check "chime: a routine programme due at the same time wins" wait_receipt s-chime "$NREF" playing 120
check "... the chime due with it is dropped, saying so" \
    reason_has s-chime "ch-$now:chime2:$DATE" preempted "preempted by $NREF; a chime is not resumed"
check "... and never plays" no_receipt s-chime "ch-$now:chime2:$DATE" playing
check "... the programme plays to its end" wait_receipt s-chime "$NREF" done
check "... two relay closures in all (the chime, the programme)" [ "$(amp_closed s-chime)" = 2 ]

# --- untrusted wall clock (1970): no routine programme plays, said once ------------------
check "untrusted: the node's clock is untrusted" grep -q "untrusted" "$RIG/s-untr.log"
sched s-untr u-$now "[$(printf "$P" every 00:00)]" "" "" "$now"
check "untrusted: the schedule is held" wait_receipt s-untr u-$now done
check "... and its programmes held back, said in a receipt" wait_receipt s-untr u-$now rejected
check "... naming why" reason_has s-untr u-$now rejected \
    "routine programmes held back: local time unknown (wall clock untrusted)"
check "... no relay has closed" [ "$(amp_closed s-untr)" = 0 ]

# --- SIGHUP: the schedules held are judged again by the reloaded trust store --------------
# s-cap: the key loses the action "schedule"; s-untr: the key is gone
sed -i 's/^actions = schedule$/actions = warn/' "$RIG/s-cap.conf"
sed -i '/^\[key sched-101\]$/,$d' "$RIG/s-untr.conf"
kill -HUP "${NODE_PID[s-cap]}" "${NODE_PID[s-untr]}"
check "sighup: a schedule whose key lost the action is dropped" wait_receipt s-cap c-$now cancelled
check "... the receipt says why" reason_has s-cap c-$now cancelled \
    "schedule dropped, trust store reloaded: action-scope: key sched-101 may not schedule"
check "... logged" grep -q "schedule c-$now (key sched-101) schedule dropped, trust store reloaded" "$RIG/s-cap.log"
check "... its file is gone" [ ! -e "$RIG/s-cap/state/schedules/s-c-$now.cx" ]
check "sighup: a schedule whose key is gone is dropped" wait_receipt s-untr u-$now cancelled
check "... the receipt says why" reason_has s-untr u-$now cancelled \
    "schedule dropped, trust store reloaded: unknown-key"
check "... no schedule left" [ -z "$(ls "$RIG/s-untr/state/schedules")" ]
finish
