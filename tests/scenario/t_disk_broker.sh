#!/usr/bin/env bash
# The state disk fills up while the node runs, and the broker goes away
# during a warning: the warning plays to the end, its final receipt (which
# can be neither spooled nor published) is held in memory and arrives,
# signed and saying "storage":"full", once the broker is back.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_disk.sh"
disk_need_root

make_keys
make_clip long.opus 3.0 600
PLAY="[{\"clip\":\"long.opus\",\"sha256\":\"$(sha "$RIG/clips/long.opus")\"}]"
Z=430682101201
N=village-201
disk_node $N $Z
start_online $N || exit 1
now=$(date +%s)
W=b1-$now

check "the state disk fills up while the node runs" disk_fill "$ST"
warn $Z $W "$PLAY"
check "the warning plays" wait_receipt $N $W playing 15
broker_stop
check "it plays to the end with the broker down" wait_for 60 grep -q "receipt [0-9]*: $W done" "$RIG/$N.log"
check "the amplifier is off again" [ "$(level $N AMP_EN)" = 0 ]
check "the whole clip went to the sound device" [ "$(wav_bytes $N)" -ge $((3 * 48000 * 2)) ]
check "nothing could be spooled (the disk is full)" [ -z "$(ls "$ST/spool" | grep '\.msg$')" ]
broker_start || exit 1
check "after the broker returns, the done receipt arrives" wait_receipt $N $W done 30
check "... saying storage full" receipt_storage $N $W done full
fr=$(receipt_get $N $W done 'r["frames"]')
check "... with the whole clip played ($fr frames)" [ "$fr" = 144000 ]
check "the status says storage full, with the error" wait_for 60 status_storage $N full
check "the node is still running" running $N
check "no seq names two receipts" seq_unique $N
finish
