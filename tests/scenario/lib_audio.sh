# Audio rig for the stream scenarios and bench/stream: a private PulseAudio
# whose null sink paces in real time like a sound card, two mono outputs
# (outL, outR) recorded as one capture with wall-clock time stamps, so
# that the offset between two nodes' outputs is measured to the sample
# and their lateness against presentation times to a fraction of a ms.
# Source after lib.sh (uses RIG, wait_for, and chains lib.sh's cleanup).
#
#   pulse_up               PulseAudio in $RIG/pulse; exports PULSE_SERVER and
#                          ALSA_CONFIG_PATH (PCMs below) for every later child
#   audio_capture_start F  record the sink into F (WAV, 3 channels: L R M)
#                          and F.json (t0_us: CLOCK_REALTIME µs of frame 0)
#   audio_capture_stop     stop it; F and F.json complete
#   audio_calibrate        measure the rig's own timing error (JSON on stdout)
#   pulse_down             stop PulseAudio (also done by the EXIT trap)
#
# (audio_capture_*: lib.sh's capture_start already records receipts.)
#
# ALSA PCMs (type pulse):  outL, outR   the two outputs (a node: alsa:outL)
#                          mouth        the third channel M: what a sender
#                                       "hears" (bench: the rig plays the
#                                       signal here at a known instant)
#                          mouthcap     capture from mouth's monitor: the
#                                       senders' microphone
# The sink is one 48 kHz null sink with three channels (front-left,
# front-right, front-center); outL/outR/mouth are remap sinks on one
# channel each, so all three share one clock and one capture: sample
# index differences between channels are exact.
#
# Time stamps.  The capture stamps every read of the sink's monitor; the
# lower envelope of those stamps is when the null sink rendered each frame
# (capture.py), fitted as a line (the null sink's clock runs 80-300 ppm
# off the wall clock, differently in every run: drift_ppm).  The sink
# renders ahead of the nominal sound time by its latency, which the
# capture's own request (parec --latency-msec=5) sets to 5 ms; ALSA's
# delay through the pulse plugin counts it.  CAPTURE_OFFSET_US (default
# 5000) is added to t0_us for that.  audio_calibrate measured, against
# players timed by snd_pcm_delay (tests/tools/alsa_play.py, a line fitted
# through ~400 readings): lateness -4.67 .. -5.33 ms without the offset
# (so +-0.35 ms with it, the same for both channels of a run), and R-L
# between two such players started for the same instant 0 .. 0.46 ms
# (the rig itself adds 0 samples between L and R: they share one sink).

PULSE_DIR=
PULSE_PID=
AUDIO_CAP_PID=
AUDIO_CAP_FILE=
: "${CAPTURE_OFFSET_US:=5000}"
export CAPTURE_OFFSET_US
AUDIO_TOOLS=$(cd "$(dirname "${BASH_SOURCE[0]}")/../tools" && pwd)

pulse_up() {
	[ -n "$PULSE_PID" ] && kill -0 "$PULSE_PID" 2>/dev/null && return 0
	PULSE_DIR=$RIG/pulse
	mkdir -p "$PULSE_DIR/rt"
	rm -f "$PULSE_DIR/native"
	HOME=$PULSE_DIR XDG_RUNTIME_DIR=$PULSE_DIR/rt \
	pulseaudio -n --daemonize=no --exit-idle-time=-1 --log-target=stderr --disallow-exit \
		-L "module-null-sink sink_name=rig rate=48000 channels=3 channel_map=front-left,front-right,front-center" \
		-L "module-remap-sink sink_name=outL master=rig channels=1 master_channel_map=front-left channel_map=mono remix=no" \
		-L "module-remap-sink sink_name=outR master=rig channels=1 master_channel_map=front-right channel_map=mono remix=no" \
		-L "module-remap-sink sink_name=mouth master=rig channels=1 master_channel_map=front-center channel_map=mono remix=no" \
		-L "module-native-protocol-unix auth-anonymous=1 socket=$PULSE_DIR/native" \
		>>"$PULSE_DIR/pulse.log" 2>&1 &
	PULSE_PID=$!
	export PULSE_SERVER=unix:$PULSE_DIR/native
	{
		echo "</usr/share/alsa/alsa.conf>"
		local p
		for p in outL outR mouth; do
			echo "pcm.$p { type pulse device \"$p\" server \"$PULSE_SERVER\" }"
		done
		echo "pcm.mouthcap { type pulse device \"mouth.monitor\" server \"$PULSE_SERVER\" }"
	} > "$PULSE_DIR/asound.conf"
	export ALSA_CONFIG_PATH=$PULSE_DIR/asound.conf
	wait_for 30 pactl info >/dev/null || { echo "pulseaudio did not start"; tail -5 "$PULSE_DIR/pulse.log"; return 1; }
	wait_for 30 pulse_has_sink mouth || { echo "pulseaudio sinks missing"; tail -5 "$PULSE_DIR/pulse.log"; return 1; }
}
pulse_has_sink() { pactl list short sinks | grep -q "	$1	"; }

pulse_down() {
	audio_capture_stop
	[ -n "$PULSE_PID" ] || return 0
	kill "$PULSE_PID" 2>/dev/null
	wait "$PULSE_PID" 2>/dev/null
	PULSE_PID=
}

# audio_capture_start FILE: record L R M; returns once audio flows
audio_capture_start() {
	audio_capture_stop
	AUDIO_CAP_FILE=$1
	rm -f "$1" "$1.json" "$1.ready"
	"$AUDIO_TOOLS/capture.py" rig.monitor front-left,front-right,front-center "$1" \
		2>>"$RIG/capture.err" &
	AUDIO_CAP_PID=$!
	wait_for 30 test -e "$1.ready" || { echo "audio capture did not start"; cat "$RIG/capture.err"; return 1; }
}

audio_capture_stop() {
	[ -n "$AUDIO_CAP_PID" ] || return 0
	kill -TERM "$AUDIO_CAP_PID" 2>/dev/null
	wait "$AUDIO_CAP_PID" 2>/dev/null
	AUDIO_CAP_PID=
}

# audio_play_at PCM FILE START_US: play FILE so its first sample sounds at
# START_US (wall clock, µs); prints alsa_play.py's JSON line
audio_play_at() { "$AUDIO_TOOLS/alsa_play.py" "$@"; }

# now_us: CLOCK_REALTIME in µs
now_us() { echo "${EPOCHREALTIME/./}"; }

# json_get FILE KEY: a top-level value of a JSON file
json_get() { /usr/bin/python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$1" "$2"; }

# audio_calibrate [ROUNDS]: the rig's own error, measured.  Each round
# plays a 3 s marker signal through alsa_play.py to outL and outR at once
# (two processes, each timing its first sample to sound 0.5 s later by its
# PCM's own delay report, as two nodes would), records, and prints
# audio_sync.py's JSON: late_us is measured - predicted (the capture's time
# stamps against ALSA's delay through the pulse plugin: the rig's error on
# "lateness against presentation times"), offset_us is R - L (the rig's
# error on "offset between two outputs", two perfect players included).
audio_calibrate() {
	local n=${1:-3} i t out sig=$RIG/cal-signal.wav pl pr
	"$AUDIO_TOOLS/gen_signal.py" --seconds 3 --out "$sig" >/dev/null || return 1
	for i in $(seq 1 "$n"); do
		out=$RIG/cal-$i.wav
		audio_capture_start "$out" || return 1
		t=$(( $(now_us) + 1000000 ))
		audio_play_at outL "$sig" "$t" > "$out.L.json" & pl=$!
		audio_play_at outR "$sig" "$t" > "$out.R.json" & pr=$!
		wait "$pl" && wait "$pr" || return 1
		audio_capture_stop
		"$AUDIO_TOOLS/audio_sync.py" "$out" --ref "$sig" --summary --label "calibrate#$i" \
			--start-us "$(json_get "$out.L.json" t0_us)" \
			--ref-drift-ppm "$(json_get "$out.L.json" drift_ppm)"
	done
}

audio_cleanup() {
	audio_capture_stop
	pulse_down
	cleanup
}
trap audio_cleanup EXIT
trap 'exit 143' TERM INT HUP
