# bench/lib.sh: the rig the swarm benchmarks share (bench/hub/run.sh,
# bench/console/run.sh).  Source it after setting RIG (a temp dir) and BENCH
# (the name used in messages).  It gives:
#   PID[name]           processes to stop at exit (swarm, hub, broker, in that order)
#   say TEXT            a "== TEXT" line
#   wait_for S CMD...   run CMD every 50 ms for up to S seconds until it succeeds
#   free_port           a free TCP port on loopback
#   swarm_broker EXTRA  mosquitto on loopback at $PORT for a swarm (anonymous, no
#                       connection limit, deep queues), EXTRA lines appended to its config
declare -A PID=()
cleanup() {
	local p
	for p in swarm hub broker; do
		[ -n "${PID[$p]:-}" ] || continue
		kill -TERM "${PID[$p]}" 2>/dev/null
		wait "${PID[$p]}" 2>/dev/null
	done
	if [ "${KEEP_RIG:-0}" = 1 ]; then echo "rig kept: $RIG"; else rm -rf "$RIG"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

say() { printf '== %s\n' "$*"; }
wait_for() {   # wait_for SECONDS COMMAND...
	local t=$1 i; shift
	for ((i = 0; i < t * 20; i++)); do "$@" 2>/dev/null && return 0; sleep 0.05; done
	return 1
}
free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}
swarm_broker() {   # swarm_broker [EXTRA CONFIG LINES]: sets PORT, PID[broker]
	PORT=$(free_port)
	cat > "$RIG/broker.conf" <<CONF
listener $PORT 127.0.0.1
allow_anonymous true
set_tcp_nodelay true
max_packet_size 69632
max_connections -1
max_queued_messages 100000
max_inflight_messages 1000
persistence false
${1:-}
CONF
	mosquitto -c "$RIG/broker.conf" > "$RIG/broker.out" 2>&1 &
	PID[broker]=$!
	wait_for 10 bash -c "exec 3<>/dev/tcp/127.0.0.1/$PORT" ||
		{ echo "$BENCH: the broker did not start"; cat "$RIG/broker.out"; exit 1; }
}
