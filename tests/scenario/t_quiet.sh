#!/usr/bin/env bash
# Quiet hours and limits, enforced by the node (docs/PROTOCOL.md "Quiet
# hours and limits").  Real broker, real nodes on sim GPIO; each node's
# wall clock is faked with libfaketime (an offset, monotonic left real) and
# its local time is TZ=Asia/Shanghai.  Warnings are signed with the node's
# fake time as their sent time.
#   night:     00:07 local.  A drill is refused ("quiet-hours 22:00-06:00
#              (node.conf)"),
#              no relay closes; a test too; an actual warning plays, its
#              volume capped by volume_night, which its receipts say.
#   day:       12:00 local.  A drill plays, capped by volume_drill, and is
#              cut at max_drill_s.
#   eve:       21:59:30 local.  A drill plays (quiet hours not yet); one
#              whose effective time is 22:00:15 waits, and is refused when
#              it would start.
#   untrusted: 1970, no time source: local time unknown.  A drill is refused
#              (": local time unknown"); an actual warning plays.
. "$(dirname "$0")/lib.sh"

FT_LIB=/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1
[ -r "$FT_LIB" ] || { echo "libfaketime missing (apt-get install libfaketime)"; exit 1; }
export TZ=Asia/Shanghai                # for date(1) below as for the nodes

make_keys
make_clip short.opus 0.5 900
make_clip long.opus 6.0 600
SHORT="[{\"clip\":\"short.opus\",\"sha256\":\"$(sha "$RIG/clips/short.opus")\"}]"
LONG="[{\"clip\":\"long.opus\",\"sha256\":\"$(sha "$RIG/clips/long.opus")\"}]"
declare -A ZONE=([q-night]=430682101221 [q-day]=430682101222 [q-untrusted]=430682101223
	[q-eve]=430682101224)
NODES="q-night q-day q-untrusted q-eve"
now=$(date +%s)
# the next 00:07 and 12:00 local time (Asia/Shanghai, UTC+8, no DST)
NIGHT=$(date -d 'tomorrow 00:07' +%s)
DAY=$(date -d 'tomorrow 12:00' +%s)
EVE=$(date -d 'tomorrow 21:59:30' +%s)
declare -A FAKE=([q-night]="+$((NIGHT - now))" [q-day]="+$((DAY - now))" [q-eve]="+$((EVE - now))"
	[q-untrusted]="-$((now - 300))")   # 1970-01-01 00:05 UTC
declare -A SENT=([q-night]=$NIGHT [q-day]=$DAY [q-untrusted]=$now [q-eve]=$EVE)

echo synced > "$RIG/synced"
Q=$'\n[limits]\nquiet_hours = 22:00-06:00'     # the default, said (the rig turns it off)
node_conf q-night "${ZONE[q-night]}" $'[node]\nclock_sync = file:'"$RIG/synced$Q"$'\nvolume_night = 60'
node_conf q-day "${ZONE[q-day]}" $'[node]\nclock_sync = file:'"$RIG/synced$Q"$'\nvolume_drill = 50\nmax_drill_s = 1'
node_conf q-untrusted "${ZONE[q-untrusted]}" $'[node]\nclock_sync = none'"$Q"
node_conf q-eve "${ZONE[q-eve]}" $'[node]\nclock_sync = file:'"$RIG/synced$Q"
broker_setup $NODES
broker_start || exit 1
capture_start
for n in $NODES; do
	NODE_WRAPPER="env LD_PRELOAD=$FT_LIB FAKETIME=${FAKE[$n]} FAKETIME_DONT_FAKE_MONOTONIC=1 TZ=$TZ" \
		node_start "$n"
done
for n in $NODES; do wait_online "$n" || exit 1; done

# send NODE ID STATUS PLAY [EXTRA_JSON]: signed with the node's time, published to its zone
send() {
	local n=$1 id=$2 st=$3 play=$4 extra=${5:-} sent=${SENT[$1]}
	body "$id" "[\"${ZONE[$n]}\"]" "$play" "$extra" "$sent" $((sent + 3600)) |
		sed "s/\"status\":\"actual\"/\"status\":\"$st\"/" > "$RIG/$id.json"
	sign_body "$RIG/township.pem" ed25519 "$TOWNSHIP_KID" "$RIG/$id.json" "$RIG/$id.msg"
	publish "$RIG/$id.msg" "${ZONE[$n]}"
}
amp_closed() { edges "$1" | awk '$2 == "AMP_EN" && $3 == 1' | wc -l; }

# --- night: 00:07 -------------------------------------------------------------
send q-night drill-$now exercise "$SHORT"
check "night: a drill at 00:07 is rejected" wait_receipt q-night drill-$now rejected
check "... its reason names the rule" \
    [ "$(receipt_get q-night drill-$now rejected 'r["reason"]')" = "quiet-hours 22:00-06:00 (node.conf)" ]
check "... it never plays" no_receipt q-night drill-$now playing
# the daemon stamps its log with its own local time: it judged at 00:07
check "... judged at 00:07 on the node's local clock" \
    grep -q "$(date -d "@$NIGHT" +%F) 00:0[7-9]:.*refused exercise drill-$now: quiet-hours" \
    "$RIG/q-night.log"
send q-night test-$now test "$SHORT"
check "night: a test at 00:07 is rejected too" wait_receipt q-night test-$now rejected
check "... by quiet hours" reason_has q-night test-$now rejected "quiet-hours 22:00-06:00"
check "... no relay has closed" [ "$(amp_closed q-night)" = 0 ]
send q-night act-$now actual "$SHORT"
check "night: an actual warning at 00:07 plays" wait_receipt q-night act-$now done
check "... the amplifier relay closed once" [ "$(amp_closed q-night)" = 1 ]
check "... its playing receipt says the volume was capped" \
    reason_has q-night act-$now playing "volume 100 capped to 60 (volume_night, node.conf)"
check "... and so does its done receipt" \
    reason_has q-night act-$now done "volume 100 capped to 60 (volume_night, node.conf)"
check "... the drill left no pending copy" [ ! -e "$RIG/q-night/state/pending/drill-$now" ]

# --- day: 12:00 ---------------------------------------------------------------
send q-day drill-$now exercise "$LONG"
check "day: a drill at noon plays" wait_receipt q-day drill-$now playing
check "... capped by volume_drill" reason_has q-day drill-$now playing "volume 100 capped to 50 (volume_drill, node.conf)"
check "... cut at max_drill_s" wait_receipt q-day drill-$now done
check "... the reason says so" reason_has q-day drill-$now done "cut at max_drill_s 1 (node.conf)"
check "... its relay is open again" [ "$(level q-day AMP_EN)" = 0 ]
cut_ms=$(receipt_get q-day drill-$now done 'r["ended"] - r["started"]')
check "... it played about 1 s of its 6 s ($cut_ms ms)" [ "${cut_ms:-99999}" -lt 4000 ]

# --- eve: 21:59:30 ------------------------------------------------------------
send q-eve early-$now exercise "$SHORT"
check "eve: a drill before 22:00 plays" wait_receipt q-eve early-$now done
send q-eve late-$now exercise "$SHORT" "\"effective\":$((EVE + 45))"
check "eve: a drill effective at 22:00:15 waits" wait_receipt q-eve late-$now queued
check "... until effective" reason_has q-eve late-$now queued "waiting until effective"
check "... and is refused when it would start" wait_receipt q-eve late-$now rejected 90
check "... by quiet hours" \
    [ "$(receipt_get q-eve late-$now rejected 'r["reason"]')" = "quiet-hours 22:00-06:00 (node.conf)" ]
check "... it never plays" no_receipt q-eve late-$now playing
check "... one relay closure, the early drill's" [ "$(amp_closed q-eve)" = 1 ]

# --- untrusted clock: local time unknown ----------------------------------------
check "q-untrusted's clock is untrusted" grep -q "untrusted" "$RIG/q-untrusted.log"
send q-untrusted drill-$now exercise "$SHORT"
check "untrusted clock: a drill is rejected" wait_receipt q-untrusted drill-$now rejected
check "... local time unknown" \
    reason_has q-untrusted drill-$now rejected "quiet-hours 22:00-06:00 (node.conf): local time unknown"
send q-untrusted act-$now actual "$SHORT"
check "untrusted clock: an actual warning plays" wait_receipt q-untrusted act-$now done
check "... one relay closure, the actual warning's" [ "$(amp_closed q-untrusted)" = 1 ]
finish
