#!/usr/bin/env bash
# An id accepted on a full disk is never forgotten: the node's state dir is
# a small tmpfs, filled to ENOSPC while the node runs; a warning accepted
# then plays, the node is killed (SIGKILL), restarts on the still-full disk,
# and the exact payload sent again is refused as `replay`: no relay edge, no
# audio.  Also: a node upgraded from the old line format keeps its ids.
. "$(dirname "$0")/lib.sh"

make_keys
make_clip flood.opus 0.5 1000
SUM=$(sha "$RIG/clips/flood.opus")
PLAY="[{\"clip\":\"flood.opus\",\"sha256\":\"$SUM\"}]"
node_conf village-201 430682101201
STATE=$RIG/village-201/state
mount -t tmpfs -o size=2m tmpfs "$STATE" || { echo "cannot mount tmpfs"; exit 1; }
trap 'for p in "${NODE_PID[@]}"; do kill -TERM "$p" 2>/dev/null; wait "$p" 2>/dev/null; done;
	umount -l "$STATE"; cleanup' EXIT
trap 'exit 1' TERM INT HUP          # so that the EXIT trap unmounts
rig_up village-201 || exit 1
Z='["430682101201"]'
now=$(date +%s)
# a restarted node is online once its log says connected once more
connects() { grep -c "mqtt: connected" "$RIG/village-201.log"; }
online_again() { [ "$(connects)" -gt "$1" ]; }

# fill the state dir: every page, then every inode tmpfs will give
dd if=/dev/zero of="$STATE/fill" bs=4k 2>/dev/null
for i in $(seq 1 64); do : > "$STATE/fill-$i" 2>/dev/null || break; done
check "the state dir is full" eval '! dd if=/dev/zero of="$STATE/probe" bs=4k count=1 2>/dev/null'
rm -f "$STATE/probe"

body disk-w-$now "$Z" "$PLAY" > "$RIG/w.json"
sign_body "$RIG/township.pem" ed25519 "$TOWNSHIP_KID" "$RIG/w.json" "$RIG/w.msg"
publish "$RIG/w.msg" 430682101201
check "a warning accepted on a full disk plays" wait_receipt village-201 disk-w-$now done 20
edges_before=$(edge_count village-201)
check "  ... it closed the amplifier relay" [ "$edges_before" -ge 2 ]

c=$(connects)
node_kill village-201
node_start village-201
check "the node restarts on the full disk" wait_for 60 online_again "$c"

publish "$RIG/w.msg" 430682101201
check "after SIGKILL and restart, the same bytes are known as a copy (dropped)" \
	wait_for 60 grep -q "another copy of disk-w-$now" "$RIG/village-201.log"
sed 's/"title":"flood"/"title":"flood again"/' "$RIG/w.json" > "$RIG/w2.json"
sign_body "$RIG/township.pem" ed25519 "$TOWNSHIP_KID" "$RIG/w2.json" "$RIG/w2.msg"
publish "$RIG/w2.msg" 430682101201
check "  ... and the same id with other bytes is refused as a replay" \
	wait_receipt village-201 disk-w-$now rejected 60
check "  ... with reason replay" reason_has village-201 disk-w-$now rejected "replay"
check "  ... no relay edge" [ "$(edge_count village-201)" = "$edges_before" ]
check "  ... no audio" no_audio village-201
node_stop village-201

# upgrade: a replay file in the old line format ("<keep_until> <id>")
rm -f "$STATE"/fill*
rm -f "$STATE/replay"
body disk-old-$now "$Z" "$PLAY" > "$RIG/old.json"
sign_body "$RIG/township.pem" ed25519 "$TOWNSHIP_KID" "$RIG/old.json" "$RIG/old.msg"
printf '%s disk-old-%s\n' $((now + 7200)) "$now" > "$STATE/replay"
edges_before=$(edge_count village-201)
c=$(connects)
node_start village-201
wait_for 60 online_again "$c" || { echo "node did not restart"; exit 1; }
check "the old file is replaced by the new format" eval 'head -c 9 "$STATE/replay" | grep -q CXREPLAY2'
publish "$RIG/old.msg" 430682101201
check "an id from the old file is still a replay" wait_receipt village-201 disk-old-$now rejected 60
check "  ... with reason replay" reason_has village-201 disk-old-$now rejected "replay"
check "  ... no relay edge" [ "$(edge_count village-201)" = "$edges_before" ]
finish
