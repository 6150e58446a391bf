#!/usr/bin/env bash
# A read-only state directory does not stop a node: it starts (loading the
# node key it already has), plays a warning, and its signed receipts and
# status say "storage":"read-only" until the disk is writable again.  A
# state directory that is missing and cannot be created (under a
# read-only mount) does not stop one either: it has no key of its own, so
# it sends nothing upstream, but it sounds; once the mount turns
# writable it makes its key and says "storage":"ok" in a signed status.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_disk.sh"
disk_need_root

make_keys
make_clip short.opus 1.0 600
PLAY="[{\"clip\":\"short.opus\",\"sha256\":\"$(sha "$RIG/clips/short.opus")\"}]"
Z1=430682101201
Z2=430682101202
A=village-201
B=village-202
node_conf $A $Z1
node_conf $B $Z2
ST=$RIG/$A/state
disk_mount "$ST" || { fail "mount a tmpfs state dir"; finish; exit 1; }
disk_mount "$RIG/ro" || { fail "mount a tmpfs"; finish; exit 1; }
disk_ro "$RIG/ro"
sed -i "s|^state_dir = .*|state_dir = $RIG/ro/state|" "$RIG/$B.conf"
broker_setup $A $B
broker_start || exit 1
capture_start
now=$(date +%s)

# 1. read-only at start, with the node key made earlier
start_online $A || exit 1
node_stop $A
check "the state disk turns read-only" disk_ro "$ST"
check "read-only state dir: the node starts and connects" start_online $A
check "... and keeps running" running $A
check "its status says storage read-only, with the error" wait_for 60 status_storage $A read-only
warn $Z1 r1-$now "$PLAY"
check "a warning plays to done (signed receipt, the key it had)" wait_receipt $A r1-$now done 20
check "... its receipts say storage read-only" receipt_storage $A r1-$now done read-only
check "... the amplifier relay closed and opened" [ "$(edges $A | awk '$2 == "AMP_EN"' | tr '\n' ' ' | awk '{print $3 $6}')" = 10 ]
check "... the clip went to the sound device" [ "$(wav_bytes $A)" -gt 44 ]
check "the state disk turns writable again" disk_rw "$ST"
check "... the status says storage ok again (probed within 60 s)" wait_for 70 status_storage $A ok

# 2. missing and cannot be created: no key, but it sounds
check "state dir missing under a read-only mount: the node starts and connects" start_online $B
check "... and keeps running" running $B
check "... it says it has no key" grep -q "no node key" "$RIG/$B.log"
warn $Z2 r2-$now "$PLAY"
check "a warning plays to the end" wait_for 60 grep -q "receipt [0-9]*: r2-$now done" "$RIG/$B.log"
check "... the amplifier relay closed and opened" [ "$(edges $B | awk '$2 == "AMP_EN"' | tr '\n' ' ' | awk '{print $3 $6}')" = 10 ]
check "... the clip went to the sound device" [ "$(wav_bytes $B)" -gt 44 ]
check "... nothing unsigned went upstream" [ -z "$(grep -P "^$PREFIX/node/$B/" "$RIG/receipts.log")" ]
disk_rw "$RIG/ro"
check "the mount writable again: the node makes its state dir and key" wait_for 70 test -s "$RIG/ro/state/node.key"
check "... and says storage ok in a status signed with it" wait_for 60 status_storage $B ok "$RIG/ro/state/node.key"
check "both nodes still running" bash -c "[ -d /proc/${NODE_PID[$A]} ] && [ -d /proc/${NODE_PID[$B]} ]"
check "no seq names two receipts" seq_unique $A
finish
