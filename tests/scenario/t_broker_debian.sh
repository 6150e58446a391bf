#!/usr/bin/env bash
# The broker drop-in as an administrator installs it: Debian's own
# /etc/mosquitto/mosquitto.conf (its paths moved into the rig) reading
# conf.d/cunxiang.conf, firmware-config/broker/cunxiang.conf with only its
# ports and file paths changed, TLS on.  The drop-in repeats none of
# Debian's settings, so mosquitto starts; a node configured like
# firmware-config/node.conf (TLS, its CA) connects on the node listener and
# confirms a warning an operator configured like ctl.conf (TLS) sends on the
# operators' listener; the hub's loopback listener (hub.conf) serves the
# hub's account without TLS; a node account cannot use the operators'
# listener, nobody gets in without TLS on the node listener, and the
# persistent sessions land where Debian's config puts them.
. "$(dirname "$0")/lib.sh"

A=village-430682101201          # in the shipped ACL
OPER=township-430682101
HUB=hub-430682101
NPORT=$PORT
OPORT=$(free_port); while [ "$OPORT" = "$NPORT" ]; do OPORT=$(free_port); done
LPORT=$(free_port); while [ "$LPORT" = "$NPORT" ] || [ "$LPORT" = "$OPORT" ]; do LPORT=$(free_port); done
DROPIN=$TOP/firmware-config/broker/cunxiang.conf

# --- the drop-in against Debian's mosquitto.conf ---------------------------------
keys() { grep -vE '^(#|$)' "$1" | awk '{ print $1 }' | sort -u; }
dup=$(comm -12 <(keys /etc/mosquitto/mosquitto.conf) <(keys "$DROPIN"))
check "the drop-in sets nothing Debian's mosquitto.conf sets (${dup:-none})" [ -z "$dup" ]
check "... whose include_dir is where the drop-in goes" \
	grep -qx 'include_dir /etc/mosquitto/conf.d' /etc/mosquitto/mosquitto.conf
check "the ports agree: node.conf 8883, ctl.conf 8884, hub.conf 127.0.0.1:1884" bash -c "
	grep -qx 'listener 8883' '$DROPIN' && grep -qx 'port = 8883' '$TOP/firmware-config/node.conf' &&
	grep -qx 'listener 8884' '$DROPIN' && grep -qx 'port = 8884' '$TOP/firmware-config/ctl.conf' &&
	grep -qx 'listener 1884 127.0.0.1' '$DROPIN' && grep -qx 'port = 1884' '$TOP/firmware-config/hub.conf' &&
	grep -qx 'host = 127.0.0.1' '$TOP/firmware-config/hub.conf'"
check "... and TLS: node.conf and ctl.conf name a CA, both listeners a certificate" bash -c "
	grep -q '^tls_ca = ' '$TOP/firmware-config/node.conf' && grep -q '^tls_ca = ' '$TOP/firmware-config/ctl.conf' &&
	[ \$(grep -c '^certfile ' '$DROPIN') = 2 ] && [ \$(grep -c '^keyfile ' '$DROPIN') = 2 ]"

# a CA and the broker's certificate for 127.0.0.1
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj /CN=cx-test-ca \
	-keyout "$RIG/ca.key" -out "$RIG/ca.crt" 2>/dev/null
openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj /CN=127.0.0.1 \
	-keyout "$RIG/broker.key" -out "$RIG/broker.csr" 2>/dev/null
printf 'subjectAltName = IP:127.0.0.1, DNS:localhost\n' > "$RIG/san.ext"
openssl x509 -req -in "$RIG/broker.csr" -CA "$RIG/ca.crt" -CAkey "$RIG/ca.key" -CAcreateserial \
	-days 2 -extfile "$RIG/san.ext" -out "$RIG/broker.crt" 2>/dev/null
chmod 644 "$RIG/broker.key"    # the broker drops to user mosquitto

broker_debian_conf "$RIG" $NPORT $OPORT $LPORT
printf 'log_type error\nlog_type warning\nlog_type notice\n' > "$RIG/conf.d/log.conf"
settings() { grep -vE '^(#|$|listener |password_file |acl_file |certfile |keyfile )' "$1"; }
check "the test's drop-in is the shipped one (ports and paths aside)" \
	cmp -s <(settings "$DROPIN") <(settings "$RIG/conf.d/cunxiang.conf")
cp "$TOP/firmware-config/broker/acl" "$RIG/acl"
mosquitto_passwd -c -b "$RIG/nodes.passwd" $A pw-$A 2>/dev/null
mosquitto_passwd -c -b "$RIG/operators.passwd" $OPER pw-$OPER 2>/dev/null
mosquitto_passwd -b "$RIG/operators.passwd" $HUB pw-$HUB 2>/dev/null
chmod 644 "$RIG"/*.passwd "$RIG/acl" "$RIG"/conf.d/*
mosquitto -c "$RIG/mosquitto.conf" >>"$RIG/broker.out" 2>&1 &
BROKER_PID=$!
listening() { bash -c "exec 3<>/dev/tcp/127.0.0.1/$1"; }
check "Debian's mosquitto starts with the drop-in (all three listeners up)" \
	wait_for 60 bash -c "$(declare -f listening); listening $NPORT && listening $OPORT && listening $LPORT"
# (a config error reads "Error: Duplicate persistence_location value")
check "... without a configuration error" bash -c "! grep -q 'Error: ' '$RIG/broker.log' '$RIG/broker.out'"

# --- a node over TLS, as node.conf has it ----------------------------------------
make_keys
make_clip short.opus 0.5 900
node_conf $A 430682101201
sed -i "/^\[mqtt\]/a tls_ca = $RIG/ca.crt" "$RIG/$A.conf"
node_start $A
check "a node with tls_ca connects to the node listener" wait_online $A
check "... as its own account, over TLS" \
	grep -q "New client connected from 127.0.0.1.* as $A " "$RIG/broker.log"

# --- the hub's account on the loopback listener, no TLS ----------------------------
mosquitto_sub -h 127.0.0.1 -p $LPORT -u $HUB -P pw-$HUB -i $HUB -t "cx/node/+/receipt" -C 1 -W 120 \
	> "$RIG/hub-sub.out" 2>&1 &
SUB_PID=$!
check "the hub's account subscribes on the loopback listener" \
	wait_for 60 grep -q "New client connected from 127.0.0.1.* as $HUB " "$RIG/broker.log"

# --- an operator over TLS on the operators' listener, as ctl.conf has it -------------
{
	printf '[mqtt]\nhost = 127.0.0.1\nport = %s\nusername = %s\npassword = pw-%s\nprefix = cx\ntls_ca = %s\n\n' \
		"$OPORT" "$OPER" "$OPER" "$RIG/ca.crt"
	printf '[signer]\nkey = %s\nkid = %s\n\n' "$RIG/township.pem" "$TOWNSHIP_KID"
	"$CTL" node-key -c "$RIG/$A.conf" | sed -n '/^\[node /,$p'
} > "$RIG/ctl.conf"
ctl warn -c "$RIG/ctl.conf" --zone 430682101201 --event flood --severity 2 \
	--clip "$RIG/clips/short.opus" --wait 60 --id deb-1-$RANDOM > "$RIG/w1.out"
check "a warning sent over TLS on the operators' listener: the node confirmed it (exit $?)" \
	grep -qE "^$A .* done +3 .* yes" "$RIG/w1.out"
check "... it played: the relay closed and audio reached the sink" \
	bash -c "grep -q 'AMP_EN 1' '$RIG/$A/sim/edges' && [ \$(stat -c %s '$RIG/$A/out.wav') -gt 44 ]"
wait "$SUB_PID" 2>/dev/null
check "the hub's account got the node's receipt" grep -q "$A" "$RIG/hub-sub.out"

# --- what must not get in -----------------------------------------------------------
sub_once() {   # PORT USER [TLS]
	mosquitto_sub -h 127.0.0.1 -p "$1" -u "$2" -P "pw-$2" -i "probe-$RANDOM" ${3:+--cafile "$RIG/ca.crt"} \
		-t "cx/node/$2/cmd" -C 1 -W 3 >>"$RIG/probe.out" 2>&1
	local rc=$?
	echo "probe $*: exit $rc" >> "$RIG/probe.out"
	[ $rc = 27 ] || [ $rc = 0 ]   # 27: timed out waiting for a message, so it was in
}
refused() { ! sub_once "$@"; }
check "the operators' listener refuses a node account" refused $OPORT $A tls
check "the node listener refuses a connection without TLS" refused $NPORT $A
check "the node listener refuses an operator account" refused $NPORT $OPER tls
check "the loopback listener refuses a node account" refused $LPORT $A
check "... while it lets the hub's account in (the probe is fair)" sub_once $LPORT $HUB

# --- persistence as Debian's mosquitto.conf sets it ----------------------------------
node_stop $A
kill -TERM "$BROKER_PID"; wait "$BROKER_PID" 2>/dev/null; BROKER_PID=
check "the broker saved its sessions where Debian's config says (persistence_location)" \
	test -s "$RIG/broker-db/mosquitto.db"
finish
