#!/usr/bin/env bash
# A huge message cannot run a node out of memory: the node tells its broker
# its Maximum Packet Size (MQTT 5 CONNECT property: max_message + header
# room), so a broker with no size limit of its own (this test broker has
# none) does not forward a 64 MiB message to it.  The node's peak resident
# memory stays under 32 MB, and it still plays a normal warning afterwards.
. "$(dirname "$0")/lib.sh"

BIG_MIB=64
LIMIT_KB=32768
make_keys
make_clip flood.opus 0.5 1000
SUM=$(sha "$RIG/clips/flood.opus")
PLAY="[{\"clip\":\"flood.opus\",\"sha256\":\"$SUM\"}]"
node_conf village-201 430682101201
rig_up village-201 || exit 1
Z='["430682101201"]'
now=$(date +%s)
hwm() { awk '/^VmHWM:/ { print $2 }' "/proc/${NODE_PID[village-201]}/status"; }
echo "# peak RSS before: $(hwm) kB"

# 64 MiB on the village's alert topic: a signed-looking header, then junk
{ printf 'CX1 ed25519 %s %s\n' "$TOWNSHIP_KID" "$(head -c 64 /dev/zero | base64 -w0)"
  head -c $((BIG_MIB * 1024 * 1024)) /dev/zero | tr '\0' x; } > "$RIG/big.msg"
check "a $BIG_MIB MiB message is published to the village's topic" \
	publish "$RIG/big.msg" 430682101201
rm -f "$RIG/big.msg"

# a normal warning after it, on the same topic (MQTT keeps their order)
body size-w-$now "$Z" "$PLAY" > "$RIG/w.json"
sign_body "$RIG/township.pem" ed25519 "$TOWNSHIP_KID" "$RIG/w.json" "$RIG/w.msg"
publish "$RIG/w.msg" 430682101201
check "a normal warning after it is done" wait_receipt village-201 size-w-$now done 20
check "  ... it closed the amplifier relay" [ "$(edge_count village-201)" -ge 2 ]
peak=$(hwm)
echo "# peak RSS after: $peak kB"
check "the node's peak RSS stayed under $((LIMIT_KB / 1024)) MB ($peak kB)" [ "$peak" -lt "$LIMIT_KB" ]
check "the node is still running" kill -0 "${NODE_PID[village-201]}"
check "the broker did not forward it (the node's Maximum Packet Size)" \
	grep -q "Dropping too large outgoing PUBLISH for village-201" "$RIG/broker.log"
check "the node never read it (no oversize rejection)" \
	eval '! grep -q "rejected message.*oversize" "$RIG/village-201.log"'
finish
