#!/usr/bin/env bash
# A node whose wall clock is known wrong (a board without an RTC boots in
# 1970, NTP not yet synced) still sounds signed warnings, judging each one
# at max(last known time, its sent time) and waiting on the monotonic clock
# (docs/PROTOCOL.md section 6, "When the node cannot trust its clock").
# Real daemons; the node's wall clock is faked with libfaketime (monotonic
# left real), the publisher's is not.  Cases:
#   1. no floor saved: the first boot in 1970
#   2. a floor saved 20 min before the power cut (effective = sent, and
#      effective a few seconds ahead)
#   3. a forward jump of the wall clock while a warning waits
#   4. NTP syncing while a warning plays: it is not cut; the queue behind it
#      is judged again by the synced clock
#   5. a floor ahead of the warning (saved from a clock that ran ahead): the
#      warning is judged at the floor (see also t_clock.sh, real wall clock)
#   6. a clock not synchronised and hours behind, yet not behind the floor
#      (restored at boot from a saved time, NTP unreachable): not "untrusted",
#      and still no warning is refused as "future".  Receipts of a warning judged
# on the untrusted clock say "clock":"untrusted"; the status follows the
# node's clock.
# CLOCK_SYNC_KEY=0 leaves out the clock_sync config key, to run this
# against a build older than it (this machine's kernel clock is unsynced).
. "$(dirname "$0")/lib.sh"

FT_LIB=/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1
[ -r "$FT_LIB" ] || { echo "libfaketime missing (apt-get install libfaketime)"; exit 1; }

make_keys
make_clip short.opus 0.5 900
make_clip long.opus 8.0 600
SHORT="[{\"clip\":\"short.opus\",\"sha256\":\"$(sha "$RIG/clips/short.opus")\"}]"
LONG="[{\"clip\":\"long.opus\",\"sha256\":\"$(sha "$RIG/clips/long.opus")\"}]"
NODES="clk-nofloor clk-oldfloor clk-jump clk-sync clk-ahead clk-behind"
declare -A ZONE=([clk-nofloor]=430682101211 [clk-oldfloor]=430682101212
	[clk-jump]=430682101213 [clk-sync]=430682101214 [clk-ahead]=430682101215
	[clk-behind]=430682101216)

# setup NAME SYNC [FLOOR]: config with clock_sync = SYNC, a floor file if given,
# the node's wall clock starting at 1970-01-01 00:05:00
setup() {
	local name=$1 sync=$2 floor=${3:-} extra=""
	[ "${CLOCK_SYNC_KEY:-1}" = 1 ] && extra=$'[node]\nclock_sync = '"$sync"
	node_conf "$name" "${ZONE[$name]}" "$extra"
	[ -n "$floor" ] && echo "$floor" > "$RIG/$name/state/clock"
	echo "@1970-01-01 00:05:00" > "$RIG/$name.ft"
}
start_1970() {
	NODE_WRAPPER="env LD_PRELOAD=$FT_LIB FAKETIME_TIMESTAMP_FILE=$RIG/$1.ft FAKETIME_NO_CACHE=1 FAKETIME_DONT_FAKE_MONOTONIC=1 TZ=UTC" \
		node_start "$1"
	wait_online "$1"
}
# send NAME ID PLAY [SENT] [EXPIRES] [EXTRA_JSON] [SEVERITY]: sign (real time) and publish
send() {
	local name=$1 id=$2 play=$3 sent=${4:-} expires=${5:-} extra=${6:-} sev=${7:-2}
	body "$id" "[\"${ZONE[$name]}\"]" "$play" "$extra" $sent $expires |
		sed "s/\"severity\":2/\"severity\":$sev/" > "$RIG/$id.json"
	sign_body "$RIG/township.pem" ed25519 "$TOWNSHIP_KID" "$RIG/$id.json" "$RIG/$id.msg"
	publish "$RIG/$id.msg" "${ZONE[$name]}"
}
# clock_of NAME REF STATE: the clock word of that receipt
clock_of() { receipt_get "$1" "$2" "$3" 'r.get("clock", "")'; }
# clocks_are NAME REF WORD STATE...: each of those receipts says WORD
clocks_are() {
	local name=$1 ref=$2 word=$3 st; shift 3
	for st in "$@"; do [ "$(clock_of "$name" "$ref" "$st")" = "$word" ] || return 1; done
}
# status_clock NAME WORD: a signed status of NAME with that clock word was published
status_clock() {
	local pem="$RIG/$1.pub.pem"
	[ -f "$pem" ] || b64_to_pem "$(node_pub "$1")" > "$pem"
	grep -P "^$PREFIX/node/$1/status\t" "$RIG/receipts.log" | cut -f2 | python3 -c '
import base64, json, subprocess, sys, tempfile
pem, word = sys.argv[1], sys.argv[2]
for line in sys.stdin:
    raw = base64.b64decode(line.strip())
    head, _, body = raw.partition(b"\n")
    with tempfile.NamedTemporaryFile() as b, tempfile.NamedTemporaryFile() as s:
        b.write(body); b.flush(); s.write(base64.b64decode(head.split()[3])); s.flush()
        if subprocess.run(["openssl", "pkeyutl", "-verify", "-rawin", "-pubin", "-inkey", pem,
                           "-in", b.name, "-sigfile", s.name], capture_output=True).returncode:
            continue
    if json.loads(body).get("clock") == word: sys.exit(0)
sys.exit(1)' "$pem" "$2"
}
amp_on_count() { edges "$1" | awk '$2 == "AMP_EN" && $3 == 1' | wc -l; }
has_audio() { ! no_audio "$1"; }
ms_between() { receipt_get "$1" "$2" playing "r[\"started\"] - r[\"received\"]"; }

now=$(date +%s)
echo unsynced > "$RIG/clk-sync.sync"
setup clk-nofloor none
setup clk-oldfloor none $((now - 1200))
setup clk-jump none $((now - 1200))
setup clk-sync "file:$RIG/clk-sync.sync" $((now - 7200))
setup clk-ahead none $((now + 86400))
setup clk-behind none $((now - 7200 - 60))
broker_setup $NODES
broker_start || exit 1
capture_start

# --- 1. no floor saved: first boot in 1970 --------------------------------
N=clk-nofloor
start_1970 $N || exit 1
check "1: the node says its clock is untrusted" grep -q "wall clock is behind the last known time" "$RIG/$N.log"
check "1: its status says clock untrusted" wait_for 60 status_clock $N untrusted
send $N nf-$now "$SHORT"
check "1: a current warning plays (not rejected as future)" wait_receipt $N nf-$now done 15
check "1: ... the amplifier relay closed" [ "$(amp_on_count $N)" -ge 1 ]
check "1: ... audio reached the sound device" has_audio $N
check "1: its receipts say clock untrusted" clocks_are $N nf-$now untrusted received playing done
# a test dated a month ahead is evidence for itself only: it does not move
# the time the next warning is judged at
body nf-test-$now '["430682101211"]' "$SHORT" "" $((now + 30 * 86400)) $((now + 30 * 86400 + 3600)) |
	sed 's/"status":"actual"/"status":"test"/' > "$RIG/nf-test.json"
sign_body "$RIG/township.pem" ed25519 "$TOWNSHIP_KID" "$RIG/nf-test.json" "$RIG/nf-test.msg"
publish "$RIG/nf-test.msg" 430682101211
check "1: a test dated a month ahead is verified (nothing sounds)" wait_receipt $N nf-test-$now done 10
send $N nf2-$now "$SHORT"
check "1: ... and a current warning after it still plays" wait_receipt $N nf2-$now done 15
check "1: two warnings sounded, the test did not" [ "$(amp_on_count $N)" = 2 ]
# a replay of a warning that expired before the last known time (CLOCK_FLOOR, 2026-01-01)
send $N nf-old-$now "$SHORT" 1764547200 1764550800
check "1: a warning that expired before the last known time is rejected" wait_receipt $N nf-old-$now rejected 10
check "1: ... as expired" reason_has $N nf-old-$now rejected expired
node_stop $N

# --- 2. a floor saved 20 minutes before the power cut ---------------------
N=clk-oldfloor
start_1970 $N || exit 1
send $N of-$now "$SHORT"                     # effective = sent: now
check "2: a warning effective now plays (does not wait for 1970 to reach it)" wait_receipt $N of-$now done 15
check "2: its receipts say clock untrusted" clocks_are $N of-$now untrusted received playing done
t=$(date +%s)
send $N of-late-$now "$SHORT" "$t" "" "\"effective\":$((t + 4))"
check "2: a warning effective in 4 s waits" wait_receipt $N of-late-$now queued 10
check "2: ... 'waiting until effective'" reason_has $N of-late-$now queued "waiting until effective"
check "2: ... then plays" wait_receipt $N of-late-$now done 20
d=$(ms_between $N of-late-$now)
check "2: ... about 4 s after it arrived, by the monotonic clock ($d ms)" [ "${d:-0}" -ge 2500 ] && [ "${d:-0}" -le 12000 ]
check "2: two warnings, two amplifier cycles" [ "$(amp_on_count $N)" = 2 ]
node_stop $N

# --- 3. the wall clock jumps forward while a warning waits ---------------
# effective in 40 s by the sender's clock; the node's clock jumps from 1970
# to the real time + 30 s (a clock set by hand, or NTP stepping before it
# says synced): the node leaves "untrusted", but a clock that is not
# synchronised is not enough to judge the queue again (it may be wrong
# ahead, as here): the warning plays on its monotonic timeline, 40 s after
# it was sent, not 30 s early, and never "until 1970 reaches it".
N=clk-jump
start_1970 $N || exit 1
t=$(date +%s)
send $N fj-$now "$SHORT" "$t" "" "\"effective\":$((t + 40))"
check "3: a warning effective in 40 s waits" wait_receipt $N fj-$now queued 10
echo "+30" > "$RIG/$N.ft"
check "3: the node sees the jump: status clock unsynced" wait_for 60 status_clock $N unsynced
check "3: the waiting warning plays" wait_receipt $N fj-$now done 30
played=$(date +%s)
check "3: ... at its effective time, not by the clock 30 s ahead ($((played - t)) s after sending)" \
	[ $((played - t)) -ge 39 ]
check "3: ... once" [ "$(amp_on_count $N)" = 1 ]
check "3: its receipts say clock untrusted (judged on it)" clocks_are $N fj-$now untrusted received queued playing done
node_stop $N

# --- 4. NTP syncs while a warning plays ----------------------------------
N=clk-sync
start_1970 $N || exit 1
t=$(date +%s)
send $N ns-play-$now "$LONG" "$t"
check "4: a long warning plays" wait_receipt $N ns-play-$now playing 10
send $N ns-next-$now "$SHORT" "$t" "" "" 3
# sent 90 min ago, expired 60 s ago by the real clock: judged at its sent
# time it is valid; once the clock is synced it is seen expired
send $N ns-stale-$now "$SHORT" $((t - 5400)) $((t - 60)) "" 3
check "4: a lower one queues behind it" wait_receipt $N ns-next-$now queued 10
check "4: a stale one queues too (judged at its sent time)" wait_receipt $N ns-stale-$now queued 10
# NTP steps the clock, then says synced (the order NTP daemons use)
echo "@$(date -u '+%Y-%m-%d %H:%M:%S')" > "$RIG/$N.ft"
echo synced > "$RIG/$N.sync"
check "4: status says clock synced" wait_for 60 status_clock $N synced
check "4: the floor is saved once synced" wait_for 60 bash -c "[ \$(cat '$RIG/$N/state/clock') -ge $t ]"
check "4: the stale one is reported failed at the sync" wait_receipt $N ns-stale-$now failed 5
check "4: ... 'expired before it could play'" reason_has $N ns-stale-$now failed "expired before it could play"
check "4: the playing warning was not cut: done" wait_receipt $N ns-play-$now done 20
check "4: ... and never failed, preempted or cancelled" bash -c "! grep -qE 'ns-play-$now (failed|preempted|cancelled)' '$RIG/$N.log'"
fr=$(receipt_get $N ns-play-$now done 'r["frames"]')
check "4: ... all 8 s of it reached the sound device ($fr frames)" [ "${fr:-0}" -ge 380000 ]
pt=$(receipt_get $N ns-play-$now playing 'r["time"]')
dt=$(receipt_get $N ns-play-$now done 'r["time"]')
check "4: ... the sync came mid-play (playing stamped in 1970: $pt, done after the sync: $dt)" \
    [ "${pt:-0}" -lt 86400000 ] && [ "${dt:-0}" -ge $(((t - 5) * 1000)) ]
check "4: its receipts still say clock untrusted" clocks_are $N ns-play-$now untrusted received playing done
check "4: the one behind it plays after it" wait_receipt $N ns-next-$now done 20
check "4: ... its receipts say untrusted (judged on that clock)" clocks_are $N ns-next-$now untrusted queued playing done
check "4: ... the stale one never played" no_receipt $N ns-stale-$now playing
check "4: the amplifier closed twice" [ "$(amp_on_count $N)" = 2 ]
t2=$(date +%s)
send $N ns-after-$now "$SHORT" "$t2"
check "4: a warning after the sync plays" wait_receipt $N ns-after-$now done 15
check "4: ... its receipts say clock synced" clocks_are $N ns-after-$now synced received playing done
node_stop $N

# --- 5. the floor is ahead of the warning ---------------------------------
N=clk-ahead
t=$(date +%s)
echo $((t + 86400)) > "$RIG/$N/state/clock"
start_1970 $N || exit 1
# sent now, effective 5 s after the floor (a day ahead), expires in 2 days:
# judged at the floor, it waits 5 s by the monotonic clock, then plays
send $N fa-$now "$SHORT" "$t" $((t + 2 * 86400)) "\"effective\":$((t + 86400 + 5))"
check "5: a warning effective just after the floor waits" wait_receipt $N fa-$now queued 10
check "5: ... then plays" wait_receipt $N fa-$now done 25
d=$(ms_between $N fa-$now)
check "5: ... a few seconds after it arrived ($d ms)" [ "${d:-0}" -ge 1500 ] && [ "${d:-0}" -le 15000 ]
check "5: ... the amplifier relay closed once" [ "$(amp_on_count $N)" = 1 ]
check "5: its receipts say clock untrusted" clocks_are $N fa-$now untrusted received queued playing done
send $N fa-exp-$now "$SHORT" "$t" $((t + 3600))
check "5: a warning that expires before the floor is rejected" wait_receipt $N fa-exp-$now rejected 10
check "5: ... as expired" reason_has $N fa-exp-$now rejected expired
node_stop $N

# --- 6. unsynced, two hours behind, the floor just below it ------------------
N=clk-behind
t=$(date +%s)
echo "-7200" > "$RIG/$N.ft"           # the node's wall clock: real time - 2 h
start_1970 $N || exit 1
check "6: the clock is unsynced, not untrusted (status)" wait_for 60 status_clock $N unsynced
send $N ub-$now "$SHORT" "$t"
check "6: a current warning plays (not rejected as future)" wait_receipt $N ub-$now done 60
check "6: ... the amplifier relay closed" [ "$(amp_on_count $N)" = 1 ]
check "6: ... its receipts say clock unsynced" clocks_are $N ub-$now unsynced received playing done
send $N ub-eff-$now "$SHORT" "$t" $((t + 3600)) "\"effective\":$((t + 5))"
check "6: one effective 5 s after it was sent waits" wait_receipt $N ub-eff-$now queued 60
check "6: ... then plays, seconds later, not hours" wait_receipt $N ub-eff-$now done 60
node_stop $N
finish
