# Scenario test library: a real mosquitto broker on loopback with passwords
# and ACLs, real cunxiangd nodes with the simulated GPIO backend and a WAV
# file sink, real signatures.  Sourced by the t_*.sh scenarios; each runs in
# its own temporary rig directory and cleans up after itself.
#
#   BUILD    build directory holding cunxiangd and cunxiangctl
#   RIG      the scenario's temporary directory
#   PORT     the broker's port

set -u
BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$(pwd)/$BUILD ;; esac
TOP=$(pwd)
D=$BUILD/cunxiangd
CTL=$BUILD/cunxiangctl
RIG=$(mktemp -d /tmp/cx-scenario.XXXXXX)
chmod 755 "$RIG"
BROKER_PID=
CAPTURE_PID=
declare -A NODE_PID=()
. "$(dirname "${BASH_SOURCE[0]}")/lib_broker.sh"
NPASS=0
NFAIL=0
TOWNSHIP_KID=township-101
PREFIX=cx

cleanup() {
	local p
	for p in "${NODE_PID[@]}"; do kill -TERM "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
	[ -n "$CAPTURE_PID" ] && { pkill -P "$CAPTURE_PID" 2>/dev/null; kill "$CAPTURE_PID" 2>/dev/null; }
	[ -n "${HUB_PID:-}" ] && { kill "$HUB_PID" 2>/dev/null; wait "$HUB_PID" 2>/dev/null; }
	[ -n "$BROKER_PID" ] && kill "$BROKER_PID" 2>/dev/null
	jobs -p | xargs -r kill 2>/dev/null
	wait 2>/dev/null
	if [ "${KEEP_RIG:-0}" = 1 ]; then echo "rig kept: $RIG"; else rm -rf "$RIG"; fi
}
trap cleanup EXIT

ok()   { NPASS=$((NPASS + 1)); echo "ok - $*"; }
fail() { NFAIL=$((NFAIL + 1)); echo "FAIL - $*"; }
check() { local what=$1; shift; if "$@"; then ok "$what"; else fail "$what"; fi; }
finish() {
	echo "$NPASS passed, $NFAIL failed"
	[ "$NFAIL" -eq 0 ]
}

free_port() {
	python3 - <<'PY' 2>/dev/null || echo $((20000 + RANDOM % 20000))
import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()
PY
}

PORT=$(free_port)

# wait_for SECONDS COMMAND...: poll until the command succeeds, for at least
# SECONDS of wall-clock time (and, as this function always did, at least
# SECONDS*20 polls, up to 200, so a slow check gets no fewer chances than it
# used to).  It returns as soon as the command does, so a timeout costs
# nothing when the test passes: give generous ones (a machine with both
# cores busy is several times slower), and never decide a result with a
# fixed sleep.
wait_for() {
	local t=$1 end n=0 min; shift
	end=$(( ${EPOCHREALTIME/./} + t * 1000000 ))   # microseconds, wall clock
	min=$(( t * 20 < 200 ? t * 20 : 200 ))
	while :; do
		"$@" 2>/dev/null && return 0
		n=$((n + 1))
		[ "${EPOCHREALTIME/./}" -lt "$end" ] || [ "$n" -lt "$min" ] || return 1
		sleep 0.05
	done
}

# --- keys -----------------------------------------------------------------
# b64 SPKI DER of a PEM key
pub_b64() { openssl pkey -in "$1" -pubout -outform DER 2>/dev/null | base64 -w0; }
# PEM public key from b64 SPKI DER
b64_to_pem() {
	{ echo "-----BEGIN PUBLIC KEY-----"; echo "$1" | fold -w64; echo "-----END PUBLIC KEY-----"; }
}

make_keys() {
	openssl genpkey -algorithm ED25519 -out "$RIG/township.pem" 2>/dev/null
	openssl genpkey -algorithm ED25519 -out "$RIG/other-township.pem" 2>/dev/null
	openssl genpkey -algorithm ED25519 -out "$RIG/rogue.pem" 2>/dev/null
	openssl genpkey -algorithm SM2 -out "$RIG/county-sm2.pem" 2>/dev/null
	chmod 600 "$RIG"/*.pem
}

# --- broker ---------------------------------------------------------------
# Users: each node (username = node id), the township operator, a monitor.
# This rig's broker does not bind client ids to usernames; the shipped
# config does on its node listener (t_broker.sh runs it).  On such a
# listener the capture's session (user monitor, id cx-capture) would be
# named "monitor" and publish() (also user monitor) would take it over:
# capture on the operator listener there, as t_broker.sh does with
# cunxiangctl.
broker_setup() {
	local u
	: > "$RIG/passwd"
	for u in operator monitor hub "$@"; do
		mosquitto_passwd -b "$RIG/passwd" "$u" "pw-$u" 2>/dev/null
	done
	{
		echo "pattern read $PREFIX/node/%u/cmd"
		echo "pattern write $PREFIX/node/%u/receipt"
		echo "pattern write $PREFIX/node/%u/status"
		echo "pattern read $PREFIX/stream/#"
		echo "user operator"
		echo "topic write $PREFIX/alert/#"
		echo "topic write $PREFIX/stream/#"
		echo "topic write $PREFIX/node/+/cmd"
		echo "topic read $PREFIX/node/+/receipt"
		echo "topic read $PREFIX/node/+/status"
		echo "user hub"
		echo "topic read $PREFIX/node/+/receipt"
		echo "topic read $PREFIX/node/+/status"
		echo "topic read $PREFIX/alert/#"
		echo "topic readwrite $PREFIX/node/+/cmd"
		echo "topic write $PREFIX/hub/hub-1/report"
		echo "user monitor"
		echo "topic read $PREFIX/#"
		echo "topic write $PREFIX/alert/#"
		echo "topic write $PREFIX/stream/#"
		for u in "$@"; do
			echo "user $u"
			cat "$RIG/$u.acl" 2>/dev/null
		done
	} > "$RIG/acl"
	cat > "$RIG/mosquitto.conf" <<CONF
listener $PORT 127.0.0.1
allow_anonymous false
password_file $RIG/passwd
acl_file $RIG/acl
set_tcp_nodelay true
persistence true
persistence_location $RIG/broker-db/
autosave_interval 1
max_queued_messages 10000
log_dest file $RIG/broker.log
log_type error
log_type warning
log_type notice
CONF
	mkdir -p "$RIG/broker-db"
	chmod 755 "$RIG/broker-db"
	[ "$(id -u)" = 0 ] && chown mosquitto "$RIG/broker-db" "$RIG/passwd" "$RIG/acl" 2>/dev/null
	chmod 644 "$RIG/passwd" "$RIG/acl" 2>/dev/null
	touch "$RIG/broker.log"; chmod 666 "$RIG/broker.log"
}

broker_start() {
	mosquitto -c "$RIG/mosquitto.conf" >>"$RIG/broker.out" 2>&1 &
	BROKER_PID=$!
	wait_for 60 bash -c "exec 3<>/dev/tcp/127.0.0.1/$PORT" || { echo "broker did not start"; cat "$RIG/broker.out"; return 1; }
}

broker_stop() {
	[ -n "$BROKER_PID" ] || return 0
	kill "$BROKER_PID" 2>/dev/null
	wait "$BROKER_PID" 2>/dev/null
	BROKER_PID=
}

# --- clips ----------------------------------------------------------------
# make_clip NAME SECONDS FREQ: an Ogg Opus clip in $RIG/clips
make_clip() {
	mkdir -p "$RIG/clips"
	sox -n -r 48000 -c 1 -b 16 "$RIG/clips/${1%.opus}.wav" synth "$2" sine "$3" vol 0.5 2>/dev/null
	opusenc --quiet --bitrate 48 "$RIG/clips/${1%.opus}.wav" "$RIG/clips/$1"
	rm -f "$RIG/clips/${1%.opus}.wav"
}
sha() { sha256sum "$1" | cut -d' ' -f1; }

# --- nodes ----------------------------------------------------------------
# node_conf NAME ZONE [extra config lines]: writes $RIG/NAME.conf
node_conf() {
	local name=$1 zone=$2 extra=${3:-} quiet=""
	# the rig's drills and tests run at any hour: quiet hours off unless the
	# test sets them (t_quiet.sh)
	case $extra in *quiet_hours*) ;; *) quiet=$'[limits]\nquiet_hours = off' ;; esac
	mkdir -p "$RIG/$name/sim" "$RIG/$name/state"
	cat > "$RIG/$name.conf" <<CONF
[node]
id = $name
zone = $zone
state_dir = $RIG/$name/state
clip_dir = $RIG/clips
volume = 100

[mqtt]
host = 127.0.0.1
port = $PORT
password = pw-$name
prefix = $PREFIX
keepalive_s = 5
reconnect_max_s = 2

[gpio]
device = sim:$RIG/$name/sim
amp = AMP_EN
siren = SIREN_EN

[audio]
device = file:$RIG/$name/out.wav
warmup_ms = 300
hold_ms = 300
max_on_s = 120
siren_output = both

[siren test-short]
on_ms = 400
off_ms = 200
cycles = 2
tone = steady
freq_hz = 800

[key $TOWNSHIP_KID]
alg = ed25519
pubkey = $(pub_b64 "$RIG/township.pem")
zones = 430682101
actions = warn,cancel,drill,test

[key township-102]
alg = ed25519
pubkey = $(pub_b64 "$RIG/other-township.pem")
zones = 430682102
actions = warn,cancel

[key county-sm2]
alg = sm2-sm3
pubkey = $(pub_b64 "$RIG/county-sm2.pem")
zones = 430682
actions = warn,cancel,drill,test
$quiet
$extra
CONF
	# the node's ACL lines: its zone's alert topics and ancestors
	local z acl="" levels="2 4 6 9 12 15"
	for l in $levels; do
		[ ${#zone} -ge "$l" ] || break
		z=${zone:0:$l}
		acl="${acl}topic read $PREFIX/alert/$(zone_path "$z")"$'\n'
	done
	printf '%s' "$acl" > "$RIG/$name.acl"
}

# 430682101201 -> 43/06/82/101/201
zone_path() {
	local z=$1 out="" cut
	for cut in 2 2 2 3 3 3; do
		[ -n "$z" ] || break
		out="$out${out:+/}${z:0:$cut}"
		z=${z:$cut}
	done
	echo "$out"
}

node_start() {
	local name=$1
	${NODE_WRAPPER:-} "$D" -d -v -c "$RIG/$name.conf" >>"$RIG/$name.log" 2>&1 &
	NODE_PID[$name]=$!
}

node_stop() {   # SIGTERM, wait
	local name=$1 pid=${NODE_PID[$1]:-}
	[ -n "$pid" ] || return 0
	kill -TERM "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	unset "NODE_PID[$name]"
}

node_kill() {   # SIGKILL
	local name=$1 pid=${NODE_PID[$1]:-}
	[ -n "$pid" ] || return 0
	kill -9 "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	unset "NODE_PID[$name]"
}

# rig_up NODE...: the broker with these nodes' accounts, the receipt
# capture, and the nodes started and connected
rig_up() {
	local n
	broker_setup "$@"
	broker_start || return 1
	capture_start
	for n in "$@"; do node_start "$n"; done
	for n in "$@"; do wait_online "$n" || return 1; done
}

# online: connected and subscribed (a warning published from now on reaches it)
node_online() { grep -q "mqtt: subscribed" "$RIG/$1.log"; }
wait_online() { wait_for 60 node_online "$1" || { echo "node $1 did not connect"; tail -20 "$RIG/$1.log"; return 1; }; }

# node public key (b64) from its state dir
node_pub() { openssl pkey -in "$RIG/$1/state/node.key" -pubout -outform DER | base64 -w0; }

# --- signing and sending (the openssl recipe of docs/PROTOCOL.md) ------------
# sign_body KEY.pem ALG KID BODYFILE OUTFILE
sign_body() {
	local key=$1 alg=$2 kid=$3 body=$4 out=$5
	if [ "$alg" = ed25519 ]; then
		openssl pkeyutl -sign -rawin -inkey "$key" -in "$body" -out "$body.sig"
	else
		openssl dgst -sm3 -sign "$key" -sigopt distid:1234567812345678 -out "$body.sig" "$body"
	fi
	{ printf 'CX1 %s %s %s\n' "$alg" "$kid" "$(base64 -w0 "$body.sig")"; cat "$body"; } > "$out"
}

# body ID [key=value json fragments...]: a warning body with defaults
# Usage: body ID ZONES_JSON PLAY_JSON [EXTRA_JSON] [SENT] [EXPIRES]
body() {
	local id=$1 zones=$2 play=$3 extra=${4:-} now
	now=$(date -u +%s)
	local sent=${5:-$now} expires=${6:-$((now + 3600))}
	printf '{"v":1,"kind":"alert","id":"%s","sender":"test township","sent":%s,"status":"actual","type":"alert","event":"flood","severity":2,"expires":%s,"zones":%s,"title":"flood","text":"move to high ground","play":%s,"volume":100%s}' \
		"$id" "$sent" "$expires" "$zones" "$play" "${extra:+,$extra}"
}

# publish FILE TOPIC_ZONE: as the monitor user (which may write alerts)
publish() {
	mosquitto_pub -V mqttv5 -h 127.0.0.1 -p "$PORT" -u monitor -P pw-monitor -q 1 \
		-t "$PREFIX/alert/$(zone_path "$2")" -f "$1"
}

# --- observing ----------------------------------------------------------------
# Start capturing receipts (and status) into $RIG/receipts.log, one per line:
# "topic<TAB>base64(payload)" so binary-safe.
capture_start() {
	python3 -u - "$PORT" "$RIG/receipts.log" <<'PY' &
import sys, subprocess, base64
port, out = sys.argv[1], sys.argv[2]
# a persistent session, so receipts sent while it reconnects are queued for it;
# cx/alert/capture-probe only tells capture_start that it is subscribed
p = subprocess.Popen(["mosquitto_sub", "-V", "mqttv5", "-h", "127.0.0.1", "-p", port,
    "-u", "monitor", "-P", "pw-monitor", "-q", "1", "-c", "-i", "cx-capture",
    "-x", "3600", "-t", "cx/node/+/receipt",
    "-t", "cx/node/+/status", "-t", "cx/alert/capture-probe", "-F", "%t\t%x"],
    stdout=subprocess.PIPE, text=True)
with open(out, "a") as f:
    for line in p.stdout:
        t, _, hx = line.rstrip("\n").partition("\t")
        f.write(t + "\t" + base64.b64encode(bytes.fromhex(hx)).decode() + "\n")
        f.flush()
PY
	CAPTURE_PID=$!
	# ready once it is subscribed (all topics are in one SUBSCRIBE): a probe
	# comes back.  Receipts published before that would be lost.
	wait_for 60 capture_probe || { echo "receipt capture did not subscribe"; return 1; }
}
capture_probe() {
	mosquitto_pub -V mqttv5 -h 127.0.0.1 -p "$PORT" -u monitor -P pw-monitor -q 1 \
		-t "$PREFIX/alert/capture-probe" -m probe 2>/dev/null
	grep -q "^$PREFIX/alert/capture-probe	" "$RIG/receipts.log" 2>/dev/null
}

# receipts NODE: the verified receipt bodies of NODE, one JSON per line.
# A receipt whose signature does not verify with the node's key is dropped.
# Verified bodies are cached in $RIG/verified.NODE (only new lines are checked).
receipts() {
	local node=$1 pem="$RIG/$1.pub.pem" b done=0 all
	[ -f "$pem" ] || b64_to_pem "$(node_pub "$node")" > "$pem"
	[ -f "$RIG/receipts.log" ] || return 0
	touch "$RIG/verified.$node"
	[ -f "$RIG/seen.$node" ] && done=$(cat "$RIG/seen.$node")
	all=$(wc -l < "$RIG/receipts.log")
	tail -n +$((done + 1)) "$RIG/receipts.log" | head -n $((all - done)) |
	grep -P "^$PREFIX/node/$node/receipt\t" | cut -f2 | while read -r b; do
		echo "$b" | base64 -d > "$RIG/r.bin"
		head -n1 "$RIG/r.bin" | cut -d' ' -f4 | base64 -d > "$RIG/r.sig" 2>/dev/null
		tail -c +$(( $(head -n1 "$RIG/r.bin" | wc -c) + 1 )) "$RIG/r.bin" > "$RIG/r.body"
		if openssl pkeyutl -verify -rawin -pubin -inkey "$pem" -in "$RIG/r.body" -sigfile "$RIG/r.sig" >/dev/null 2>&1; then
			cat "$RIG/r.body" >> "$RIG/verified.$node"; echo >> "$RIG/verified.$node"
		fi
	done
	echo "$all" > "$RIG/seen.$node"
	cat "$RIG/verified.$node"
}

# has_receipt NODE REF STATE: a verified receipt of NODE for REF in STATE
has_receipt() {
	receipts "$1" | python3 -c '
import sys, json
ref, state = sys.argv[1], sys.argv[2]
for l in sys.stdin:
    r = json.loads(l)
    if r.get("ref") == ref and r.get("state") == state: sys.exit(0)
sys.exit(1)' "$2" "$3"
}
# (at least 60 s: a receipt that is coming is waited for, however busy the machine)
wait_receipt() { local t=${4:-60}; [ "$t" -ge 60 ] || t=60; wait_for "$t" has_receipt "$1" "$2" "$3"; }

# has_digest NODE DIGEST16 [REASON]: a verified rejection receipt naming the
# payload digest (and whose reason starts with REASON)
has_digest() {
	receipts "$1" | python3 -c '
import sys, json
d, why = sys.argv[1], sys.argv[2]
for l in sys.stdin:
    r = json.loads(l)
    if r.get("digest") == d and r.get("state") == "rejected" and r.get("reason", "").startswith(why):
        sys.exit(0)
sys.exit(1)' "$2" "${3:-}"
}
digest16() { sha256sum "$1" | cut -c1-16; }

# receipt_field NODE REF STATE FIELD: print a field (python expr on r)
receipt_get() {
	receipts "$1" | python3 -c '
import sys, json
ref, state, expr = sys.argv[1], sys.argv[2], sys.argv[3]
for l in sys.stdin:
    r = json.loads(l)
    if r.get("ref") == ref and r.get("state") == state: print(eval(expr)); break' "$2" "$3" "$4"
}

# hex on stdin to bytes on stdout
unhex() { python3 -c 'import sys; sys.stdout.buffer.write(bytes.fromhex(sys.stdin.read().strip()))'; }

# signed_status NODE [KEY.pem]: the node's retained status body, its signature
# checked against the node's key (default: node.key in its state directory)
signed_status() {
	local node=$1 key=${2:-$RIG/$1/state/node.key}
	openssl pkey -in "$key" -pubout -out "$RIG/$node.st.pub" 2>/dev/null || return 1
	mosquitto_sub -V mqttv5 -h 127.0.0.1 -p "$PORT" -u monitor -P pw-monitor \
		-t "$PREFIX/node/$node/status" -C 1 -W 3 -F '%x' 2>/dev/null | unhex > "$RIG/st.bin"
	[ -s "$RIG/st.bin" ] || return 1
	head -n1 "$RIG/st.bin" | cut -d' ' -f4 | base64 -d > "$RIG/st.sig"
	tail -c +$(( $(head -n1 "$RIG/st.bin" | wc -c) + 1 )) "$RIG/st.bin" > "$RIG/st.body"
	openssl pkeyutl -verify -rawin -pubin -inkey "$RIG/$node.st.pub" -in "$RIG/st.body" \
		-sigfile "$RIG/st.sig" >/dev/null 2>&1 || return 1
	cat "$RIG/st.body"
}

# edges NODE: the sim GPIO edge log
edges() { cat "$RIG/$1/sim/edges" 2>/dev/null; }
# no_audio NODE: the node's WAV sink holds no samples (missing or header only)
no_audio() { [ "$(stat -c %s "$RIG/$1/out.wav" 2>/dev/null || echo 0)" -le 44 ]; }
edge_count() { edges "$1" | wc -l; }
level() { awk -v l="$2" '$1 == l { print $2 }' "$RIG/$1/sim/state" 2>/dev/null; }

# ctl_conf NODE...: the operator's cunxiangctl config in $RIG/ctl.conf, with
# the township key and the given nodes enrolled (their keys must exist)
ctl_conf() {
	local n
	{
		printf '[mqtt]\nhost = 127.0.0.1\nport = %s\nusername = operator\npassword = pw-operator\nprefix = %s\n\n' "$PORT" "$PREFIX"
		printf '[signer]\nkey = %s\nkid = %s\n\n' "$RIG/township.pem" "$TOWNSHIP_KID"
		printf '[sirens]\nnames = test-short\n\n'   # node_conf defines it
		for n in "$@"; do
			"$CTL" node-key -c "$RIG/$n.conf" | sed -n '/^\[node /,$p'
			echo
		done
	} > "$RIG/ctl.conf"
}
ctl() { "$CTL" "$@"; }
# reason_has NODE REF STATE TEXT: that receipt's reason contains TEXT
reason_has() { receipt_get "$1" "$2" "$3" 'r["reason"]' | grep -qF -- "$4"; }
no_receipt() { ! has_receipt "$@"; }
# any_reason NODE REF STATE TEXT: some receipt (of several in that state) has TEXT in its reason
any_reason() {
	receipts "$1" | python3 -c '
import sys, json
ref, state, text = sys.argv[1:4]
sys.exit(0 if any(r.get("ref") == ref and r.get("state") == state and text in r.get("reason", "")
                  for r in map(json.loads, sys.stdin)) else 1)' "$2" "$3" "$4"
}

# --- the hub ----------------------------------------------------------------
HUB=$BUILD/cunxiang-hub
HUB_PID=
# hub_conf [hub] KEY=VALUE lines, then NODE...: $RIG/hub.conf, account "hub",
# id hub-1, the given nodes enrolled (their keys must exist), a key made once
hub_conf() {
	local extra=$1 n; shift
	[ -f "$RIG/hub.pem" ] || { openssl genpkey -algorithm ED25519 -out "$RIG/hub.pem" 2>/dev/null; chmod 600 "$RIG/hub.pem"; }
	{
		printf '[hub]\nid = hub-1\nstate_dir = %s\nkey = %s\nprefix = %s\n%s\n' \
			"$RIG/hub" "$RIG/hub.pem" "$PREFIX" "$extra"
		printf '[mqtt]\nport = %s\nusername = hub\npassword = pw-hub\nkeepalive_s = 5\n' "$PORT"
		printf '[http]\nlisten = off\n'
		for n in "$@"; do
			printf '[node %s]\nzone = %s\npubkey = %s\n' "$n" \
				"$(sed -n 's/^zone = //p' "$RIG/$n.conf")" "$(node_pub "$n")"
		done
	} > "$RIG/hub.conf"
}
hub_connected() { [ "$(grep -c 'broker: connected' "$RIG/hub.log")" -gt "$1" ]; }
hub_start() {
	local n; n=$(grep -c 'broker: connected' "$RIG/hub.log" 2>/dev/null)
	${HUB_WRAPPER:-} "$HUB" -d -v -c "$RIG/hub.conf" >>"$RIG/hub.log" 2>&1 &
	HUB_PID=$!
	wait_for 60 hub_connected "${n:-0}" || { echo "hub did not connect"; tail -20 "$RIG/hub.log"; return 1; }
}
# hub_up [hub] LINES NODE...: configure and start
hub_up() { hub_conf "$@" && hub_start; }
hub_stop() { [ -n "$HUB_PID" ] && { kill "-${1:-TERM}" "$HUB_PID" 2>/dev/null; wait "$HUB_PID" 2>/dev/null; }; HUB_PID=; }
# hub_sql QUERY: one query on the hub's database (read-only)
hub_sql() { sqlite3 -readonly -batch -noheader "$RIG/hub/hub.db" "$1"; }
