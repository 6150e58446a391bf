# An impaired network link between the operator side and the nodes, for
# the stream scenarios and bench/stream.  Source after lib.sh (and after
# lib_audio.sh if both are used).
#
# The broker, the receipt capture, cunxiangctl and publish() stay where
# lib.sh puts them (this namespace, 127.0.0.1); the nodes run in their own
# network namespace NET_NS and reach the broker at NET_BROKER_IP through
# a pair of tun devices joined by tests/tools/wire.py (delay, jitter,
# loss: the kernel here has no netem).  Both nodes of a zone share NET_NS,
# so both are behind the same impaired link, as two villages behind one
# 4G cell would be.  Needs root (ip netns, tun).
#
#   netns_up [DELAY_MS JITTER_MS LOSS_PCT]   namespace, tuns, wire (default
#                            0 0 0: a clean link); sets NET_NS, NET_BROKER_IP,
#                            NET_NODE_IP, and NODE_WRAPPER so that lib.sh's
#                            node_start runs the nodes in NET_NS
#   netns_broker_listen      add a listener on NET_BROKER_IP to
#                            $RIG/mosquitto.conf (after broker_setup)
#   net_impair DELAY_MS JITTER_MS LOSS_PCT   change the link while it runs
#   in_nodes CMD...          run CMD in the nodes' namespace
#   netns_down               stop the wire (its counters: $RIG/wire.json),
#                            delete the namespace and the tun (EXIT trap too)
# The node's config then says host = $NET_BROKER_IP.

NET_NS=
NET_DEV=
NET_WIRE_PID=
NET_BROKER_IP=
NET_NODE_IP=
NET_TOOLS=$(cd "$(dirname "${BASH_SOURCE[0]}")/../tools" && pwd)

net_need_root() {
	if [ "$(id -u)" != 0 ]; then
		echo "SKIP - $(basename "$0"): needs root for network namespaces"
		echo "0 passed, 0 failed (skipped)"
		exit 0
	fi
}

netns_up() {
	local d=${1:-0} j=${2:-0} l=${3:-0} base
	[ -n "$NET_NS" ] && return 0
	# names and a /30 of our own: other rigs may run at the same time
	base=$(( ($$ % 16000) * 4 ))
	NET_BROKER_IP=10.$((200 + base / 65536)).$(( (base / 256) % 256 )).$(( base % 256 + 1 ))
	NET_NODE_IP=10.$((200 + base / 65536)).$(( (base / 256) % 256 )).$(( base % 256 + 2 ))
	NET_NS=cxn$$
	NET_DEV=cxw$$
	ip netns add "$NET_NS" || { NET_NS=; return 1; }
	ip -n "$NET_NS" link set lo up
	ip tuntap add dev "$NET_DEV" mode tun || return 1
	ip addr add "$NET_BROKER_IP/30" dev "$NET_DEV"
	ip link set "$NET_DEV" up
	ip -n "$NET_NS" tuntap add dev tn mode tun || return 1
	ip -n "$NET_NS" addr add "$NET_NODE_IP/30" dev tn
	ip -n "$NET_NS" link set tn up
	printf '{"delay_ms": %s, "jitter_ms": %s, "loss_pct": %s}\n' "$d" "$j" "$l" > "$RIG/wire-profile.json"
	rm -f "$RIG/wire.ready"
	"$NET_TOOLS/wire.py" - "$NET_DEV" "$NET_NS" tn --profile "$RIG/wire-profile.json" \
		--ready "$RIG/wire.ready" > "$RIG/wire.json" 2>>"$RIG/wire.err" &
	NET_WIRE_PID=$!
	wait_for 30 test -e "$RIG/wire.ready" || { echo "wire did not start"; cat "$RIG/wire.err"; return 1; }
	NODE_WRAPPER="ip netns exec $NET_NS"
}

net_impair() {
	printf '{"delay_ms": %s, "jitter_ms": %s, "loss_pct": %s}\n' "$1" "$2" "$3" > "$RIG/wire-profile.json"
	kill -HUP "$NET_WIRE_PID"
}

in_nodes() { ip netns exec "$NET_NS" "$@"; }

netns_broker_listen() {
	grep -q "^listener $PORT $NET_BROKER_IP" "$RIG/mosquitto.conf" ||
		sed -i "/^listener $PORT 127.0.0.1/a listener $PORT $NET_BROKER_IP" "$RIG/mosquitto.conf"
}

netns_down() {
	if [ -n "$NET_WIRE_PID" ]; then
		kill -TERM "$NET_WIRE_PID" 2>/dev/null
		wait "$NET_WIRE_PID" 2>/dev/null
		NET_WIRE_PID=
	fi
	[ -n "$NET_NS" ] && ip netns del "$NET_NS" 2>/dev/null
	[ -n "$NET_DEV" ] && ip link del "$NET_DEV" 2>/dev/null
	NET_NS= NET_DEV=
	unset NODE_WRAPPER
}

net_cleanup() {
	# nodes first (they run inside the namespace), then the link, then the rest
	local p
	for p in "${NODE_PID[@]}"; do kill -TERM "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
	netns_down
	if declare -F audio_cleanup >/dev/null; then audio_cleanup; else cleanup; fi
}
trap net_cleanup EXIT
trap 'exit 143' TERM INT HUP
