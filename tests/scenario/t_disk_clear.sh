#!/usr/bin/env bash
# A state disk fault that clears: the disk fills up while the node runs
# (receipts and status say "storage":"full"), the broker goes away during
# a warning (its final receipt is held in memory), then space comes back:
# within a probe period the held receipt is written to the spool, so it
# survives even a SIGKILL; once the broker is back it arrives, and the
# status says "storage":"ok" again.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_disk.sh"
disk_need_root

make_keys
make_clip long.opus 3.0 600
make_clip short.opus 1.0 600
LONG="[{\"clip\":\"long.opus\",\"sha256\":\"$(sha "$RIG/clips/long.opus")\"}]"
SHORT="[{\"clip\":\"short.opus\",\"sha256\":\"$(sha "$RIG/clips/short.opus")\"}]"
Z=430682101201
N=village-201
disk_node $N $Z
start_online $N || exit 1
now=$(date +%s)
check "status: storage ok at first" wait_for 60 status_storage $N ok

check "the state disk fills up while the node runs" disk_fill "$ST"
warn $Z c1-$now "$SHORT"
check "a warning plays to done" wait_receipt $N c1-$now done 20
check "... its receipts say storage full" receipt_storage $N c1-$now done full
check "the status says storage full, with the error" wait_for 60 status_storage $N full

warn $Z c2-$now "$LONG"
check "a second warning plays" wait_receipt $N c2-$now playing 15
broker_stop
check "it plays to the end with the broker down" wait_for 60 grep -q "receipt [0-9]*: c2-$now done" "$RIG/$N.log"
spooled() { ls "$ST/spool" | grep -c '\.msg$'; }
check "its done receipt is held in memory (not in the spool: the disk is full)" [ "$(spooled)" = 0 ]
disk_unfill "$ST"
spool_some() { [ "$(spooled)" -ge 1 ]; }
check "space back: the held receipts are written to the spool (probed within 60 s)" wait_for 70 spool_some
check "... and the node logs its state disk ok" grep -q "state disk: ok" "$RIG/$N.log"
node_kill $N
check "the amplifier is off" [ "$(level $N AMP_EN)" = 0 ]
broker_start || exit 1
check "restarted after a SIGKILL" start_online $N
check "the held done receipt arrives (from the spool)" wait_receipt $N c2-$now done 20
check "... saying storage full (the disk it was made on)" receipt_storage $N c2-$now done full
fr=$(receipt_get $N c2-$now done 'r["frames"]')
check "... with the whole clip played ($fr frames)" [ "$fr" = 144000 ]
check "the status says storage ok" wait_for 60 status_storage $N ok
warn $Z c3-$now "$SHORT"
check "a new warning plays to done" wait_receipt $N c3-$now done 20
check "... its receipts say storage ok" receipt_storage $N c3-$now done ok
check "no seq names two receipts" seq_unique $N
finish
