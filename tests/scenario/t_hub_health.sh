#!/usr/bin/env bash
# The hub's supervision with real nodes that heartbeat (heartbeat_s = 10)
# and read their input lines (sim GPIO): an injected fault (mains lost, door
# open) is an event at the hub within 1 s of the injection, and its
# clearing too; a node whose heartbeats stop (frozen, its broker link kept
# open by a long keepalive: no will) is offline at the hub 1.5 heartbeats
# after its last status, not before.
. "$(dirname "$0")/lib.sh"

make_keys
health="
[node]
heartbeat_s = 10
[gpio]
mains_line = MAINS
door_line = DOOR"
node_conf v201 430682101201 "$health"
node_conf v202 430682101202 "$health"
sed -i 's/^keepalive_s = 5$/keepalive_s = 120/' "$RIG/v202.conf"
if ! "$D" -n -s -c "$RIG/v201.conf" >/dev/null 2>&1; then
	# this node build has no heartbeat or input lines (before the health work is merged)
	echo "skip - cunxiangd does not know heartbeat_s or input lines"
	finish
	exit 0
fi
for n in v201 v202; do
	mkdir -p "$RIG/$n/sim/in"; echo 1 > "$RIG/$n/sim/in/MAINS"; echo 0 > "$RIG/$n/sim/in/DOOR"
done
rig_up v201 v202 || exit 1
hub_up "" v201 v202 || exit 1
online() { [ "$(hub_sql "SELECT count(*) FROM node_state WHERE online=1 AND heartbeat_s=10")" = 2 ]; }
check "both nodes online at the hub, heartbeat_s 10 (their status)" wait_for 60 online

before=$(hub_sql "SELECT faults FROM node_state WHERE node='v201'")   # e.g. clock-unsynced
now_ms() { date +%s%3N; }
# event NODE KIND DETAIL T0: the hub recorded it at most 1000 ms after T0
event_within_1s() {
	local t
	t=$(hub_sql "SELECT min(time_ms) FROM events WHERE node='$1' AND kind='$2' AND detail='$3' AND time_ms >= $4")
	[ -n "$t" ] && [ $((t - $4)) -le 1000 ]
}
fault() {   # fault LINE LEVEL WORD
	local t0
	t0=$(now_ms); echo "$2" > "$RIG/v201/sim/in/$1"
	check "$3: a fault event at the hub within 1 s" wait_for 30 event_within_1s v201 fault "$3" "$t0"
	t0=$(now_ms); echo $((1 - $2)) > "$RIG/v201/sim/in/$1"
	check "$3 cleared: an event at the hub within 1 s" wait_for 30 event_within_1s v201 cleared "$3" "$t0"
}
fault MAINS 0 mains-lost
fault DOOR 1 door-open
check "node_state: the faults as before ($before)" [ "$(hub_sql "SELECT faults FROM node_state WHERE node='v201'")" = "$before" ]

# v202's heartbeats stop; its link stays up (keepalive 120 s), so no will
kill -STOP "${NODE_PID[v202]}"
offline() { [ "$(hub_sql "SELECT online FROM node_state WHERE node='v202'")" = 0 ]; }
check "v202 frozen: offline at the hub" wait_for 60 offline
gap() {
	local last off
	last=$(hub_sql "SELECT last_status_ms FROM node_state WHERE node='v202'")
	off=$(hub_sql "SELECT max(time_ms) FROM events WHERE node='v202' AND kind='offline'")
	echo "$((off - last))"
}
g=$(gap)
check "... 1.5 heartbeats (15 s) after its last status, not before (${g} ms)" \
	bash -c "[ $g -ge 15000 ] && [ $g -le 17000 ]"
check "... said so: no status for 1.50 heartbeats" \
	[ "$(hub_sql "SELECT count(*) FROM events WHERE node='v202' AND kind='offline' AND detail='no status for 1.50 heartbeats of 10 s'")" = 1 ]
kill -CONT "${NODE_PID[v202]}"
back() { [ "$(hub_sql "SELECT online FROM node_state WHERE node='v202'")" = 1 ]; }
check "v202 thawed: online again (its next status)" wait_for 60 back
hub_stop
finish
