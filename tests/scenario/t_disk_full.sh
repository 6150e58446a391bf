#!/usr/bin/env bash
# A full state disk (an SD card with no block left) does not make the node
# repeat a receipt seq: the node restarts twice on a full disk with a
# warning each time, its clock behind the last time known good so that
# only the seq reservation carries the numbers (it is overwritten in
# place, which needs no free block); then twice more, clock fine, with no
# reservation file at all (it cannot even be made: numbers start above
# the time).  Every warning
# sounds (relay edges, audio), every receipt is signed and says
# "storage":"full" once the disk is full, and no seq names two receipts.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_disk.sh"
disk_need_root

make_keys
make_clip short.opus 1.0 600
PLAY="[{\"clip\":\"short.opus\",\"sha256\":\"$(sha "$RIG/clips/short.opus")\"}]"
Z=430682101201
N=village-201
# never "synced" here, whatever the kernel says: the floor file decides
disk_node $N $Z $'[node]\nclock_sync = none'
now=$(date +%s)

# play ID: one warning to done, heard by the village
play() {
	local before
	before=$(amp_on_count $N)
	warn $Z "$1" "$PLAY"
	check "$1: done receipt (signed)" wait_receipt $N "$1" done 20
	check "$1: the amplifier relay closed" [ "$(amp_on_count $N)" -gt "$before" ]
	check "$1: the clip went to the sound device" [ "$(wav_bytes $N)" -gt 44 ]
}
restart() {
	node_stop $N
	start_online $N || { fail "the node restarts on a full disk"; finish; exit 1; }
}

start_online $N || exit 1
play f1-$now
check "f1: disk fine, receipts say storage ok" receipt_storage $N f1-$now done ok

node_stop $N
# the last time known good 10 minutes ahead: the clock is not trusted
# (warnings are judged by that time; seq gets no time base)
echo $((now + 600)) > "$ST/clock"
check "the state disk is full" disk_fill "$ST"
check "full disk: the node starts and connects" start_online $N
check "... and keeps running" running $N
play f2-$now
check "f2: its receipts say storage full" receipt_storage $N f2-$now done full
check "f2: its status says storage full, with the error" wait_for 60 status_storage $N full
# numbered by the reservation, not by the clock: below the time f1 ended
by_reservation() {
	receipts $N | python3 -c '
import sys, json
rs = [json.loads(l) for l in sys.stdin]
end = max(r["time"] for r in rs if r.get("ref") == sys.argv[1])
s2 = [r["seq"] for r in rs if r.get("ref") == sys.argv[2]]
sys.exit(0 if s2 and max(s2) < end else 1)' "$1" "$2"
}
check "f2: numbered by the reservation alone (the clock is not trusted)" by_reservation f1-$now f2-$now
restart
play f3-$now
check "f3: seq numbers went on, not back" seqs_after $N f2-$now f3-$now

# no reservation file and no block to make one: numbers start above the time
node_stop $N
rm -f "$ST/spool/seq" "$ST/clock" "$ST/fill"
check "the state disk is full again" disk_fill "$ST"
check "full disk, no seq file: the node starts and connects" start_online $N
play f4-$now
restart
play f5-$now
check "f4 after f3: seq never goes back" seqs_after $N f3-$now f4-$now
check "f5 after f4: seq never goes back" seqs_after $N f4-$now f5-$now
check "no seq names two different receipts, across all restarts" seq_unique $N
finish
