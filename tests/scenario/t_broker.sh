#!/usr/bin/env bash
# The broker as shipped (Debian's mosquitto.conf with firmware-config/broker/
# cunxiang.conf and acl, only ports, paths, TLS and logging changed): a node authenticated as another node
# cannot take over a node's client id, so it can neither close the node's
# connection nor wipe its persistent session and the warnings queued in it;
# cunxiangctl works on the operator listener; a packet over the limit is
# refused by the broker, one of the largest size a node accepts goes through.
. "$(dirname "$0")/lib.sh"

A=village-430682101201          # in the shipped ACL
B=village-430682101202          # the attacker: a node account of its own
OPER=township-430682101
NPORT=$PORT                     # node listener
OPORT=$(free_port)              # operator listener
while [ "$OPORT" = "$NPORT" ]; do OPORT=$(free_port); done

make_keys
make_clip short.opus 0.5 900
node_conf $A 430682101201

# --- the shipped broker config ---------------------------------------------------
# Debian's mosquitto.conf with the shipped drop-in (lib.sh), plain listeners
broker_debian_conf "$RIG" $NPORT $OPORT
printf 'log_type error\nlog_type warning\nlog_type notice\n' >> "$RIG/conf.d/log.conf"
settings() { grep -vE '^(#|$|listener |password_file |acl_file |certfile |keyfile )' "$1"; }
check "the test broker's drop-in is the shipped one (ports, paths, TLS files aside)" \
	cmp -s <(settings "$TOP/firmware-config/broker/cunxiang.conf" | grep -vx 'allow_anonymous false') \
	       <(settings "$RIG/conf.d/cunxiang.conf" | grep -vx 'allow_anonymous false')
check "... which binds client ids to usernames on the node listener" \
	grep -qx "use_username_as_clientid true" "$RIG/conf.d/cunxiang.conf"
cp "$TOP/firmware-config/broker/acl" "$RIG/acl"
mosquitto_passwd -c -b "$RIG/nodes.passwd" $A pw-$A 2>/dev/null
mosquitto_passwd -b "$RIG/nodes.passwd" $B pw-$B 2>/dev/null
mosquitto_passwd -c -b "$RIG/operators.passwd" $OPER pw-$OPER 2>/dev/null
chmod 644 "$RIG"/*.passwd "$RIG/acl" "$RIG/conf.d/log.conf"
mosquitto -c "$RIG/mosquitto.conf" >>"$RIG/broker.out" 2>&1 &
BROKER_PID=$!
wait_for 60 bash -c "exec 3<>/dev/tcp/127.0.0.1/$OPORT" || { echo "broker did not start"; cat "$RIG/broker.out"; exit 1; }

node_start $A
wait_online $A || exit 1
{
	printf '[mqtt]\nhost = 127.0.0.1\nport = %s\nusername = %s\npassword = pw-%s\nprefix = cx\n\n' \
		"$OPORT" "$OPER" "$OPER"
	printf '[signer]\nkey = %s\nkid = %s\n\n' "$RIG/township.pem" "$TOWNSHIP_KID"
	"$CTL" node-key -c "$RIG/$A.conf" | sed -n '/^\[node /,$p'
} > "$RIG/ctl.conf"
C="-c $RIG/ctl.conf"
warn() { ctl warn $C --zone 430682101201 --event flood --severity 2 --clip "$RIG/clips/short.opus" "$@"; }

# B logs in with its own password but asks for A's client id (clean start)
hijack() {
	mosquitto_pub -V mqttv5 -h 127.0.0.1 -p "$NPORT" -u $B -P pw-$B -i $A -q 1 \
		-t cx/node/$B/receipt -m hijack
}
connects() { grep -c "mqtt: connected" "$RIG/$A.log"; }
check "node B's account connects, asking for A's client id" hijack
check "... and the broker names that connection after B's account" \
	grep -q "New client connected from .* as $B (p5, c1" "$RIG/broker.log"

# 1. A online: not disconnected, and it hears the next warning
warn --wait 60 --id brk-1-$RANDOM > "$RIG/w1.out"
check "a warning after the attack: node A confirmed it (cunxiangctl warn --wait exit $?)" \
	grep -qE "^$A .* done +3 .* yes" "$RIG/w1.out"
check "... it played: the relay closed and audio reached the sink" \
	bash -c "grep -q 'AMP_EN 1' '$RIG/$A/sim/edges' && [ \$(stat -c %s '$RIG/$A/out.wav') -gt 44 ]"
check "node A was never disconnected (one connect, no lost link)" \
	bash -c "[ \$(grep -c 'mqtt: connected' '$RIG/$A.log') = 1 ] && ! grep -q 'mqtt: link' '$RIG/$A.log'"
check "the broker never closed A's connection for another client" \
	bash -c "! grep -q 'Client $A already connected' '$RIG/broker.log'"

# 2. A offline: a warning waits in its persistent session; B's clean-start
#    connection with A's client id must not wipe it
node_stop $A
w2=$(warn --id brk-2-$RANDOM)
check "a warning published while A is away" [ -n "$w2" ]
check "node B's account connects again with A's client id, clean start" hijack
node_start $A
check "A comes back to its own session (resumed)" wait_for 60 grep -q "mqtt: connected .*(session resumed)" "$RIG/$A.log"
ctl receipts $C "$w2" --zone 430682101201 --timeout 60 > "$RIG/r2.out"
check "the queued warning reached A and A confirmed it (cunxiangctl receipts exit 0)" [ $? = 0 ]
check "... done, signature verified" grep -qE "^$A .* done +3 .* yes" "$RIG/r2.out"

# 3. max_packet_size: the largest payload a node accepts passes, more does not
head -c 70000 /dev/zero | tr '\0' x > "$RIG/big"
head -c 65536 /dev/zero | tr '\0' y > "$RIG/max"
op_pub() {   # VERSION FILE
	mosquitto_pub -V "$1" -h 127.0.0.1 -p "$OPORT" -u $OPER -P pw-$OPER -q 1 \
		-t cx/node/$A/cmd -f "$2" 2>/dev/null
}
op_pub mqttv5 "$RIG/big"     # told the limit at connect: the client drops it
refused() { ! op_pub "$@"; }
check "an MQTT 3.1.1 client sending 70000 bytes is disconnected" refused mqttv311 "$RIG/big"
check "... by the broker, for the packet's size" grep -q "disconnected due to oversize packet" "$RIG/broker.log"
accepted() { op_pub "$@"; }
check "a 65536-byte payload is taken by the broker (the sender stays connected)" \
	accepted mqttv5 "$RIG/max"
# A told the broker its own maximum packet size at connect (16384 + header
# room): the broker keeps the 65536 bytes from it too
check "... and not sent on to A, whose CONNECT asked for at most 20480 bytes" \
	wait_for 60 grep -q "Dropping too large outgoing PUBLISH for $A" "$RIG/broker.log"
check "no 70000- or 65536-byte payload reached the node" \
	bash -c "! grep -qE 'payload of (70000|65536)' '$RIG/$A.log'"
check "node A was not disconnected since its restart" \
	bash -c "[ \$(grep -c 'mqtt: connected' '$RIG/$A.log') = 2 ] && ! grep -q 'mqtt: link' '$RIG/$A.log'"
finish
