#!/usr/bin/env bash
# The daemons under a service manager, without systemd: NOTIFY_SOCKET is a
# unix datagram socket this test listens on, WATCHDOG_USEC asks for pings.
# cunxiangd with its broker down is alive (watchdog pings, STATUS says it is
# retrying, each ping extends the start timeout) but not READY; the broker
# comes up: READY=1, after the CONNACK, and the pings extend nothing.
# The pings come every half WATCHDOG_USEC and stop while the loop is stopped
# (SIGSTOP); SIGHUP gives RELOADING=1 then READY=1, SIGTERM STOPPING=1.
# Relays off when the process dies: SIGABRT (systemd's WatchdogSignal)
# while the amplifier is on opens it before the process ends; after a
# SIGKILL (the line left on, as a released line may be) the next start
# drives it off before anything else.  The hub: READY=1 only with its
# broker connected, pings from its loop, STOPPING=1.
. "$(dirname "$0")/lib.sh"

WD_USEC=400000                         # pings every 200 ms

# notify_listen NAME: datagrams on $RIG/NAME.sock, one line each in
# $RIG/NAME.notify: "<CLOCK_MONOTONIC ms> FIELD|FIELD..."
notify_listen() {
	python3 -u - "$RIG/$1.sock" "$RIG/$1.notify" <<'PY' &
import os, socket, sys, time
path, out = sys.argv[1], sys.argv[2]
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(path); os.chmod(path, 0o666)
with open(out, "a") as f:
    while True:
        m = s.recv(4096).decode(errors="replace")
        f.write("%d %s\n" % (time.monotonic() * 1000, m.replace("\n", "|"))); f.flush()
PY
	wait_for 30 test -S "$RIG/$1.sock"
}
notified() { grep -c -- "$2" "$RIG/$1.notify" 2>/dev/null; }
has_notify() { [ "$(notified "$1" "$2")" -gt "${3:-0}" ]; }
pings() { notified "$1" 'WATCHDOG=1'; }
# ping_gaps NAME FROM: the intervals (ms) between the pings after line FROM
ping_gaps() { awk -v from="$2" 'NR > from && /WATCHDOG=1/ { if (t) print $1 - t; t = $1 }' "$RIG/$1.notify"; }

make_keys
make_clip long.opus 20 700
node_conf village-201 430682101201
broker_setup village-201
notify_listen node
NODE_WRAPPER="env NOTIFY_SOCKET=$RIG/node.sock WATCHDOG_USEC=$WD_USEC"

# --- broker down: alive, not ready ------------------------------------------------
node_start village-201
check "broker down: the node pings the watchdog" wait_for 30 has_notify node WATCHDOG=1 4
check "... and says it is retrying the broker" has_notify node "STATUS=idle, broker 127.0.0.1:$PORT not connected (retrying)"
check "... but is not READY" [ "$(notified node READY=1)" = 0 ]
check "... each ping extends the start timeout by a watchdog period (never killed at TimeoutStartSec)" \
	has_notify node "WATCHDOG=1|EXTEND_TIMEOUT_USEC=$WD_USEC"
check "... while its relays are held off" [ "$(level village-201 AMP_EN)" = 0 ]

# --- broker up: READY --------------------------------------------------------------
broker_start || exit 1
capture_start
check "broker up: READY=1" wait_for 60 has_notify node READY=1
check "... with a status line" has_notify node "READY=1|STATUS=idle, broker 127.0.0.1:$PORT connected"
check "... after the node's CONNACK (logged before)" \
	awk '/mqtt: connected/ { c = 1 } /ready: relays held off, broker connected/ { exit !c }' "$RIG/village-201.log"
check "READY=1 sent once" [ "$(notified node READY=1)" = 1 ]

# --- watchdog period ---------------------------------------------------------------
from=$(wc -l < "$RIG/node.notify")
wait_for 30 has_notify node WATCHDOG=1 $(( $(pings node) + 10 ))
gaps=$(ping_gaps node "$from" | sort -n | tr '\n' ' ')
median=$(echo "$gaps" | tr ' ' '\n' | grep . | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }')
# never sooner than half WATCHDOG_USEC (190: timer slack), and well inside
# WATCHDOG_USEC, which is what systemd needs; a busy machine may delay a
# timer, so the upper bound is the deadline itself, not the ideal 200 ms
check "pings every half WATCHDOG_USEC: median gap $median ms (expect 190 to under $((WD_USEC / 1000)); gaps: $gaps)" \
	[ "$median" -ge 190 -a "$median" -lt $((WD_USEC / 1000)) ]
check "once READY, the pings extend nothing" \
	awk '/READY=1/ { r = 1 } r && /EXTEND_TIMEOUT_USEC/ { bad = 1 } END { exit bad }' "$RIG/node.notify"

# --- a stopped loop stops the pings --------------------------------------------------
kill -STOP "${NODE_PID[village-201]}"
stopped=$(pings node)
# three full watchdog periods (1.2 s) with the loop stopped: a watchdog
# that ticks by itself would have pinged 6 times
python3 -c 'import time; time.sleep(1.2)'
check "SIGSTOP: no ping in 3 watchdog periods ($(( $(pings node) - stopped )) seen)" \
	[ "$(pings node)" -le $((stopped + 1)) ]
kill -CONT "${NODE_PID[village-201]}"
check "SIGCONT: the pings come back" wait_for 30 has_notify node WATCHDOG=1 $((stopped + 3))

# --- reload: a setting read only at start is named, kept -----------------------------
cp "$RIG/village-201.conf" "$RIG/village-201.conf.orig"
sed -i -e "s/^port = $PORT\$/port = $((PORT + 1))/" -e 's/^volume = 100$/volume = 90/' \
	"$RIG/village-201.conf"
kill -HUP "${NODE_PID[village-201]}"
check "SIGHUP: RELOADING=1" wait_for 30 has_notify node RELOADING=1
check "... then READY=1 again" wait_for 30 awk '/RELOADING=1/ { r = 1 } r && /READY=1/ { f = 1 } END { exit !f }' "$RIG/node.notify"
check "... the changed port named as needing a restart, the running one kept" \
	grep -qF "warning: $RIG/village-201.conf: [mqtt] port changed: needs a restart, kept $PORT" \
	"$RIG/village-201.log"
check "... only that one (volume takes effect now)" \
	[ "$(grep -c 'changed: needs a restart' "$RIG/village-201.log")" = 1 ]
check "... and the reload line says so" \
	grep -qF "configuration reloaded (3 keys); some settings need a restart (see above)" "$RIG/village-201.log"
mv "$RIG/village-201.conf.orig" "$RIG/village-201.conf"

# --- playing: STATUS follows; SIGABRT opens the relay before the process dies ---------
id=sd-$(date +%s)-$RANDOM
body "$id" '["430682101201"]' "[{\"clip\":\"long.opus\",\"sha256\":\"$(sha "$RIG/clips/long.opus")\"}]" > "$RIG/b1.json"
sign_body "$RIG/township.pem" ed25519 "$TOWNSHIP_KID" "$RIG/b1.json" "$RIG/m1"
publish "$RIG/m1" 430682101201
check "playing: amplifier on" wait_for 60 eval '[ "$(level village-201 AMP_EN)" = 1 ]'
check "... STATUS says which warning plays" wait_for 30 has_notify node "STATUS=playing warning $id"
pid=${NODE_PID[village-201]}
kill -ABRT "$pid"
wait "$pid" 2>/dev/null; st=$?
unset "NODE_PID[village-201]"
check "SIGABRT ends the node by that signal (status $st = 128+6)" [ "$st" = 134 ]
check "... with the amplifier relay opened first" [ "$(level village-201 AMP_EN)" = 0 ]
check "... the edge log shows it: AMP_EN=1 then AMP_EN=0" \
	[ "$(edges village-201 | awk '$2 == "AMP_EN" { print $3 }' | tail -2 | tr -d '\n')" = 10 ]

# --- SIGKILL leaves the line on; the next start drives it off first --------------------
node_start village-201
wait_online village-201 || exit 1
id2=sd2-$(date +%s)-$RANDOM
body "$id2" '["430682101201"]' "[{\"clip\":\"long.opus\",\"sha256\":\"$(sha "$RIG/clips/long.opus")\"}]" > "$RIG/b2.json"
sign_body "$RIG/township.pem" ed25519 "$TOWNSHIP_KID" "$RIG/b2.json" "$RIG/m2"
publish "$RIG/m2" 430682101201
check "second warning: amplifier on" wait_for 60 eval '[ "$(level village-201 AMP_EN)" = 1 ]'
node_kill village-201
check "SIGKILL: the simulated chip keeps the line on (as a released line may)" \
	[ "$(level village-201 AMP_EN)" = 1 ]
: > "$RIG/node.notify"
node_start village-201
check "restart: amplifier driven off at start" wait_for 30 eval '[ "$(level village-201 AMP_EN)" = 0 ]'
check "... before READY=1" wait_for 60 has_notify node READY=1
check "... and before the broker link (log order)" \
	awk '/relays off/ { r = 1 } /mqtt: connected/ { exit !r }' "$RIG/village-201.log"

# --- SIGTERM: STOPPING=1 -----------------------------------------------------------------
node_stop village-201
check "SIGTERM: STOPPING=1" has_notify node STOPPING=1

# --- the hub ------------------------------------------------------------------------------
notify_listen hub
hub_conf ""
broker_stop
env NOTIFY_SOCKET="$RIG/hub.sock" WATCHDOG_USEC=$WD_USEC "$HUB" -d -v -c "$RIG/hub.conf" \
	>>"$RIG/hub.log" 2>&1 &
HUB_PID=$!
check "hub, broker down: pings the watchdog" wait_for 30 has_notify hub WATCHDOG=1 3
check "... says it is connecting" has_notify hub "STATUS=0 node(s) enrolled, connecting to broker"
check "... not READY" [ "$(notified hub READY=1)" = 0 ]
check "... its pings extend the start timeout" has_notify hub "WATCHDOG=1|EXTEND_TIMEOUT_USEC=$WD_USEC"
broker_start || exit 1
check "hub, broker up: READY=1" wait_for 60 has_notify hub "READY=1|STATUS=0 node(s) enrolled, broker 127.0.0.1:$PORT connected"
hub_stop
check "hub SIGTERM: STOPPING=1" has_notify hub STOPPING=1
finish
