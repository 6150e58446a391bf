#!/usr/bin/env bash
# Is the node online?  A retained, signed status says so; the MQTT will
# (signed at connect) says offline when the node vanishes or stops.
# And the shipped broker ACL confines a node to what is addressed to it.
. "$(dirname "$0")/lib.sh"

make_keys
node_conf village-201 430682101201
broker_setup village-201
broker_start || exit 1
node_start village-201
wait_online village-201 || exit 1

status_is() { signed_status village-201 | grep -q "\"online\":$1"; }

check "retained status: online (signed by the node)" wait_for 60 status_is true
status_fields() {
	signed_status village-201 | python3 -c 'import json,sys; s=json.load(sys.stdin); sys.exit(0 if s["zone"]=="430682101201" and s["state"]=="idle" and s["node"]=="village-201" else 1)'
}
check "status names the node, its zone and state idle" status_fields
node_kill village-201
# keepalive 5 s: the broker gives up after 1.5 x keepalive and publishes the will
check "after SIGKILL the will marks the node offline" wait_for 60 status_is false
node_start village-201
wait_online village-201
check "back online after restart" wait_for 60 status_is true
node_stop village-201
check "after SIGTERM the node is marked offline" wait_for 60 status_is false
# by the node itself before it left (a clean DISCONNECT: no will is sent),
# not by the broker noticing a dead link
check "... by the node itself: a clean disconnect" bash -c "tail -1 <(grep 'village-201' '$RIG/broker.log') | grep -q 'Client village-201 disconnected'"

# the shipped ACL, on a broker of its own
P2=$(free_port)
mosquitto_passwd -c -b "$RIG/p2" village-430682101201 n1 2>/dev/null
mosquitto_passwd -b "$RIG/p2" township-430682101 t1 2>/dev/null
chmod 644 "$RIG/p2"
printf 'listener %s 127.0.0.1\nallow_anonymous false\npassword_file %s\nacl_file %s\n' \
	"$P2" "$RIG/p2" "$TOP/firmware-config/broker/acl" > "$RIG/m2.conf"
mosquitto -c "$RIG/m2.conf" >/dev/null 2>&1 & B2=$!
wait_for 60 bash -c "exec 3<>/dev/tcp/127.0.0.1/$P2"
# Retained messages, so no subscriber has to be subscribed before a publish.
# Every subscription also covers the township topic, whose retained marker
# proves the subscription was served: a message missing beside it was denied.
MARK=cx/alert/43/06/82/101
mosquitto_pub -V mqttv5 -h 127.0.0.1 -p "$P2" -u township-430682101 -P t1 -q 1 -r -t "$MARK" -m marker
receives() {   # USER PASS TOPIC: does USER receive what the township publishes there?
	local topics=(-t "$MARK") n=1 want="msg:$3"
	if [ "$3" = "$MARK" ]; then want=marker; else
		topics+=(-t "$3"); n=2
		mosquitto_pub -V mqttv5 -h 127.0.0.1 -p "$P2" -u township-430682101 -P t1 -q 1 -r \
			-t "$3" -m "$want" 2>/dev/null
	fi
	mosquitto_sub -V mqttv5 -h 127.0.0.1 -p "$P2" -u "$1" -P "$2" "${topics[@]}" -C $n -W 10 \
		-F '%t %p' > "$RIG/got" 2>/dev/null
	grep -qx "$MARK marker" "$RIG/got" || return 2     # not served at all: no verdict
	grep -qx "$3 $want" "$RIG/got"
}
denied() { receives "$@"; [ $? = 1 ]; }
check "ACL: a village node reads its own village topic" receives village-430682101201 n1 cx/alert/43/06/82/101/201
check "ACL: ... and its township topic" receives village-430682101201 n1 "$MARK"
check "ACL: ... but not another village's topic" denied village-430682101201 n1 cx/alert/43/06/82/101/202
anon_refused() { ! mosquitto_pub -V mqttv5 -h 127.0.0.1 -p "$P2" -t cx/alert/43 -m x 2>/dev/null; }
check "ACL: anonymous clients are refused" anon_refused
node_pub_denied() {   # a node cannot write another node's receipt (v5: not authorized)
	mosquitto_pub -V mqttv5 -h 127.0.0.1 -p "$P2" -u village-430682101201 -P n1 -q 1 \
		-t cx/node/village-other/receipt -m forged 2>&1 | grep -qi "not authori"
}
check "ACL: a node cannot publish another node's receipt" node_pub_denied
node_alert_denied() {
	mosquitto_pub -V mqttv5 -h 127.0.0.1 -p "$P2" -u village-430682101201 -P n1 -q 1 \
		-t cx/alert/43/06/82/101/201 -m forged 2>&1 | grep -qi "not authori"
}
check "ACL: a node cannot publish warnings" node_alert_denied
kill $B2; wait $B2 2>/dev/null
finish
