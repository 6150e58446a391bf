#!/usr/bin/env bash
# bench/stream/run.sh [BUILD]: streamed audio, side by side on this machine:
# this project (cunxiangctl stream to two cunxiangd nodes of one zone),
# Snapcast (snapserver + two snapclients) and trx (trx-tx + two trx-rx),
# each from the same signal to two paced ALSA outputs recorded together
# (tests/scenario/lib_audio.sh), each over a clean link and over the
# impaired one (tests/tools/wire.py: WIRE_PROFILE, default 50 ms ± 20 ms,
# 2 % loss, both directions) with the receivers in their own network
# namespace.
#
# The rig plays tests/tools/gen_signal.py's 20 s signal (a speech-like bed,
# a chirp marker every 500 ms) into the PCM "mouth" at a known instant;
# every sender captures it from "mouthcap" (the mouth's monitor: the
# senders' microphone), so mouth and speakers are channels of one capture
# and mouth-to-speaker latency is exact to the sample.  Per run:
#   latency   mouth -> left output, median over the markers (ms)
#   offset    right - left output per marker, median and max |.| (ms)
#   lost      markers missing in either output (of 39 each)
#   drop      silences >= 5 ms inside the signal, both outputs
#   CPU, RSS  one receiver process: (utime+stime) / wall over the run
#             (% of one core), VmHWM (peak resident, KB)
# Needs root (namespaces, tun).  Prints one Markdown table; KEEP_RIG=1
# keeps the captures.  Knobs: SYSTEMS, PROFILES, SNAP_BUFFERS_MS,
# CX_DELAYS_MS, WIRE_PROFILE ("delay jitter loss").
set -u
BUILD=${1:-build}
cd "$(dirname "$0")/../.."
. tests/scenario/lib.sh
. tests/scenario/lib_audio.sh
. tests/scenario/lib_net.sh
net_need_root
SYSTEMS=${SYSTEMS:-"cunxiang snapcast trx"}
PROFILES=${PROFILES:-"clean impaired"}
SNAP_BUFFERS_MS=${SNAP_BUFFERS_MS:-"1000 100"}   # snapserver's buffer: its D
CX_DELAYS_MS=${CX_DELAYS_MS:-"100 300 100q40"}   # D = 100 ms and the default (DqQ: queue Q ms)
WIRE_PROFILE=${WIRE_PROFILE:-"50 20 2"}
SIGNAL_S=20
TAIL_MS=3000          # recorded after the mouth's last sample
RX_PIDS=()            # the receivers of the system under test (measured)
TX_PIDS=()            # everything else it started
FIRST_PIDS=()         # of those, stopped (and waited for) before the rest
SYNC_LAG_MS=0         # expected mouth-to-speaker, and how far from it the
SYNC_SEARCH_MS=5000   # analysis looks for the signal first (bench/stream/sync.py)
ROWS=$RIG/rows

for c in pulseaudio parec pactl snapserver snapclient trx-tx trx-rx ip mosquitto; do
	command -v "$c" >/dev/null || { echo "bench/stream: $c missing (run: make bench)"; exit 1; }
done

# --- the systems: sys_start_NAME PARAM starts the senders and the two
# receivers (to ALSA outL and outR, in the namespace $NET_NS, reaching the
# sender side at $NET_BROKER_IP), fills RX_PIDS and TX_PIDS, returns 0 once
# they are running; 2: not available (the row says so).

# This project: a broker (listening on $NET_BROKER_IP too), two cunxiangd
# nodes of one zone in $NET_NS (ALSA outL and outR, a synced clock: the
# flag file), and `cunxiangctl stream` capturing "mouthcap" with D = $1 ms
# as the sender (it streams until SIGTERM, then sends its end packet).
# PARAM: D, or DqQ for D with [audio] stream_queue_ms = Q instead of
# $CX_QUEUE_MS (PulseAudio's ALSA plugin prebuffers: with the node's
# default 40 ms queue in its 200 ms buffer its timing moves by ms; a sound
# card needs no such margin).  RX_PIDS=(the two cunxiangd),
# TX_PIDS=(cunxiangctl, broker).  Returns once both nodes listen to the
# stream, whose first sample is captured CX_START_IN_MS after the
# announcement: before the rig plays the mouth signal (2 s after).
CX_QUEUE_MS=${CX_QUEUE_MS:-150}
CX_START_IN_MS=500
CX_RUN=0
cx_conf() {   # NAME ZONE PCM QUEUE_MS
	node_conf "$1" "$2" $'[node]\nclock_sync = file:'"$RIG/synced"
	printf '[audio]\nstream_queue_ms = %s\n' "$4" >> "$RIG/$1.conf"
	sed -i "s|^device = file:.*|device = alsa:$3|; s|^host = .*|host = $NET_BROKER_IP|" "$RIG/$1.conf"
}
cx_listening() { grep -q "stream $CX_ID: listening" "$RIG/$1.log"; }
sys_start_cunxiang() {
	local d=${1%%q*} q=$CX_QUEUE_MS n
	case $1 in *q*) q=${1#*q} ;; esac
	[ -e "$RIG/township.pem" ] || make_keys
	echo synced > "$RIG/synced"
	cx_conf village-201 430682101201 outL "$q"
	cx_conf village-202 430682101202 outR "$q"
	broker_setup village-201 village-202
	netns_broker_listen
	broker_start || return 1
	TX_PIDS+=("$BROKER_PID"); BROKER_PID=
	for n in village-201 village-202; do
		node_start "$n"
		RX_PIDS+=("${NODE_PID[$n]}"); unset "NODE_PID[$n]"
	done
	wait_online village-201 && wait_online village-202 || return 1
	ctl_conf village-201 village-202
	CX_RUN=$((CX_RUN + 1)); CX_ID=bench-$CX_RUN-$$
	# the nodes' receipts (stream evidence: received, late, lost, sync) for the notes
	mosquitto_sub -h 127.0.0.1 -p "$PORT" -u monitor -P pw-monitor \
		-t "$PREFIX/node/+/receipt" -v > "$RIG/cx-$CX_RUN.receipts" 2>/dev/null &
	TX_PIDS+=($!)
	"$CTL" stream -c "$RIG/ctl.conf" --zone 430682101 --event flood --severity 2 \
		--title bench --id "$CX_ID" --device alsa:mouthcap --delay-ms "$d" \
		--start-in-ms "$CX_START_IN_MS" --bitrate 64000 --json \
		> "$RIG/cx-$CX_RUN.json" 2>"$RIG/cx-$CX_RUN.err" &
	TX_PIDS+=($!); FIRST_PIDS=($!)
	# the analysis looks for the signal at mouth + D first, +-1 s: the ALSA
	# sender's timeline is off the mouth by -50 .. +500 ms through PulseAudio
	SYNC_LAG_MS=$d SYNC_SEARCH_MS=1000
	wait_for 30 cx_listening village-201 && wait_for 30 cx_listening village-202
}

sys_start_snapcast() {
	local buf=$1 port
	port=$(free_port)
	mkdir -p "$RIG/snap"
	cat > "$RIG/snap/snapserver.conf" <<CONF
[server]
datadir = $RIG/snap
[http]
enabled = false
[tcp]
enabled = false
[stream]
port = $port
source = alsa:///?name=bench&device=mouthcap&sampleformat=48000:16:2
codec = opus
buffer = $buf
chunk_ms = 20
[logging]
filter = *:warning
CONF
	snapserver -c "$RIG/snap/snapserver.conf" >>"$RIG/snapserver.log" 2>&1 &
	TX_PIDS+=($!)
	wait_for 30 bash -c "exec 3<>/dev/tcp/127.0.0.1/$port" || return 1
	local ch
	for ch in L R; do
		ip netns exec "$NET_NS" snapclient -h "$NET_BROKER_IP" -p "$port" --player alsa \
			-s "out$ch" --hostID "bench$ch" -i "$([ $ch = L ] && echo 1 || echo 2)" \
			--logsink stderr --logfilter '*:warning' >>"$RIG/snapclient$ch.log" 2>&1 &
		RX_PIDS+=($!)
	done
	wait_for 30 snap_clients_in "$port"
}
snap_clients_in() { [ "$(ss -Htn state established "( sport = :$1 )" | wc -l)" -ge 2 ]; }

sys_start_trx() {
	local ch port
	# no multicast across the tun: one trx-tx per receiver, both capturing
	# the same mouth (the same samples, at the same instant)
	for ch in L R; do
		port=$(free_port)
		ip netns exec "$NET_NS" trx-rx -h 0.0.0.0 -p "$port" -d "out$ch" -c 1 -v 0 \
			>>"$RIG/trx-rx$ch.log" 2>&1 &
		RX_PIDS+=($!)
		trx-tx -d mouthcap -h "$NET_NODE_IP" -p "$port" -c 1 -v 0 >>"$RIG/trx-tx$ch.log" 2>&1 &
		TX_PIDS+=($!)
	done
	wait_for 10 all_alive "${RX_PIDS[@]}" "${TX_PIDS[@]}"
}
all_alive() { local p; for p; do kill -0 "$p" 2>/dev/null || return 1; done; }

sys_stop() {
	local p
	for p in "${FIRST_PIDS[@]}"; do
		kill -TERM "$p" 2>/dev/null
		wait_for 5 bash -c "! kill -0 $p" || kill -KILL "$p" 2>/dev/null
	done
	for p in "${RX_PIDS[@]}" "${TX_PIDS[@]}"; do kill -TERM "$p" 2>/dev/null; done
	for p in "${RX_PIDS[@]}" "${TX_PIDS[@]}"; do
		wait_for 5 bash -c "! kill -0 $p" || kill -KILL "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	RX_PIDS=() TX_PIDS=() FIRST_PIDS=() SYNC_LAG_MS=0 SYNC_SEARCH_MS=5000
}

# --- measuring ----------------------------------------------------------------
# cpu_ticks PID: utime + stime (clock ticks)
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat" 2>/dev/null || echo 0; }
hwm_kb() { awk '/^VmHWM:/ { print $2 }' "/proc/$1/status" 2>/dev/null || echo 0; }
# capture_reaches US: the capture holds audio up to wall time US
capture_reaches() {
	/usr/bin/python3 -c 'import json, sys; m = json.load(open(sys.argv[1]))
sys.exit(0 if m["t0_us"] + m["frames"] * 1e6 / m["rate"] >= int(sys.argv[2]) else 1)' "$1.json" "$2"
}

# run SYSTEM PARAM PROFILE: one row
run() {
	local sys=$1 par=$2 prof=$3 tag=$1-$2-$3 cap t c0 w0 c1 w1 rc
	if [ "$prof" = impaired ]; then net_impair $WIRE_PROFILE; else net_impair 0 0 0; fi
	"sys_start_$sys" "$par"; rc=$?
	if [ $rc -ne 0 ]; then
		sys_stop
		echo "$sys $par $prof $([ $rc = 2 ] && echo not-integrated || echo failed-to-start)" >> "$ROWS"
		return
	fi
	cap=$RIG/cap-$tag.wav
	audio_capture_start "$cap" || { sys_stop; echo "$sys $par $prof capture-failed" >> "$ROWS"; return; }
	t=$(( $(now_us) + 2000000 ))
	c0=$(cpu_ticks "${RX_PIDS[0]}"); w0=$(now_us)
	audio_play_at mouth "$SIG" "$t" > "$cap.mouth.json"
	wait_for 60 capture_reaches "$cap" $(( t + SIGNAL_S * 1000000 + TAIL_MS * 1000 ))
	c1=$(cpu_ticks "${RX_PIDS[0]}"); w1=$(now_us)
	local hwm; hwm=$(hwm_kb "${RX_PIDS[0]}")
	local lag=$SYNC_LAG_MS search=$SYNC_SEARCH_MS
	audio_capture_stop
	sys_stop
	bench/stream/sync.py "$cap" --ref "$SIG" --start-us $((t + lag * 1000)) --search-ms "$search" \
		--label "$tag" --summary > "$cap.sync.json"
	/usr/bin/python3 - "$cap.sync.json" "$sys" "$par" "$prof" "$c0" "$c1" "$w0" "$w1" "$hwm" "$(getconf CLK_TCK)" >> "$ROWS" <<'PY'
import json, sys
r = json.load(open(sys.argv[1])); sysname, par, prof = sys.argv[2:5]
c0, c1, w0, w1, hwm, tck = map(float, sys.argv[5:11])
ch = r["channels"]
lat = r.get("mouth_to_L_us", {}).get("median")
off = r.get("offset_us", {})
lost = sum(ch[c]["lost"] for c in ("L", "R") if c in ch)
drop = sum(ch[c].get("dropouts", 0) for c in ("L", "R") if c in ch)
cpu = (c1 - c0) / tck / ((w1 - w0) / 1e6) * 100
f = lambda v: "-" if v is None else "%.2f" % (v / 1000)
print(sysname, par, prof, f(lat), f(off.get("median")), f(off.get("max_abs")), int(lost), int(drop),
      "%.1f" % cpu, int(hwm))
PY
}

# --- the run ------------------------------------------------------------------
pulse_up || exit 1
netns_up 0 0 0 || exit 1
SIG=$RIG/signal.wav
"$AUDIO_TOOLS/gen_signal.py" --seconds "$SIGNAL_S" --out "$SIG" >/dev/null
: > "$ROWS"
for prof in $PROFILES; do
	for sys in $SYSTEMS; do
		case $sys in
		snapcast) pars=$SNAP_BUFFERS_MS ;;
		cunxiang) pars=$CX_DELAYS_MS ;;
		*) pars=- ;;
		esac
		for par in $pars; do
			echo "bench/stream: $sys $par $prof" >&2
			run "$sys" "$par" "$prof"
		done
	done
done
echo
echo "Streamed audio, 20 s signal, two outputs; impaired = ${WIRE_PROFILE// /, } (delay ms, jitter ms, loss %)"
echo
echo "| system | D / buffer ms | link | mouth-to-speaker ms | R-L median ms | R-L max ms | markers lost /78 | dropouts | receiver CPU % | receiver peak RSS KB |"
echo "|---|---|---|---|---|---|---|---|---|---|"
while read -r s p l a b c d e f g; do
	echo "| $s | $p | $l | ${a:-} | ${b:-} | ${c:-} | ${d:-} | ${e:-} | ${f:-} | ${g:-} |"
done < "$ROWS"
