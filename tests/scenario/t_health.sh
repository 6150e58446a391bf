#!/usr/bin/env bash
# The node reports its health (docs/PROTOCOL.md sections 8-9): a signed,
# retained status every heartbeat_s and within 1 s of any change of its
# input lines (mains lost, battery low, amplifier fault, door open); the
# local button plays the local activation (origin "local"), pressed again
# it stops it; the acknowledge button during a warning and `cunxiangctl
# local ack` after it send a signed "acknowledged" receipt naming it.
. "$(dirname "$0")/lib.sh"

make_keys
make_clip local.opus 1.0 660
make_clip long.opus 3.0 500
make_clip stop.opus 20.0 550
( cd "$RIG/clips" && sha256sum local.opus long.opus stop.opus > SHA256SUMS )
node_conf village-201 430682101201 "
[node]
heartbeat_s = 10
ack_window_s = 600
[gpio]
mains_line = MAINS
battery_low_line = BATT_LOW
amp_fault_line = AMP_FAULT
door_line = DOOR
local_button_line = LOCAL_BTN
ack_button_line = ACK_BTN
[local]
activation = clip:local.opus:$(sha "$RIG/clips/local.opus")
severity = 3"
IN=$RIG/village-201/sim/in
mkdir -p "$IN"
echo 1 > "$IN/MAINS"
for l in BATT_LOW AMP_FAULT DOOR LOCAL_BTN ACK_BTN; do echo 0 > "$IN/$l"; done
check "cunxiangd -n accepts the config" "$D" -n -c "$RIG/village-201.conf"
rig_up village-201 || exit 1

# every status as it arrives, stamped with the time it was received
python3 -u - "$PORT" "$RIG/status.log" <<'PY' &
import sys, subprocess, time
port, out = sys.argv[1], sys.argv[2]
p = subprocess.Popen(["mosquitto_sub", "-V", "mqttv5", "-h", "127.0.0.1", "-p", port,
    "-u", "monitor", "-P", "pw-monitor", "-t", "cx/node/village-201/status", "-F", "%x"],
    stdout=subprocess.PIPE, text=True)
import signal
signal.signal(signal.SIGTERM, lambda *a: (p.kill(), sys.exit(0)))   # the rig's cleanup
with open(out, "a") as f:
    for line in p.stdout:
        f.write("%.6f %s\n" % (time.time(), line.strip()))
        f.flush()
PY
openssl pkey -in "$RIG/village-201/state/node.key" -pubout -out "$RIG/node.pub" 2>/dev/null

# status_after T0 PYEXPR: the first status received after T0 (Unix s) whose
# body s satisfies PYEXPR, its signature checked with the node's key;
# prints the ms from T0 to its arrival
status_after() {
	python3 - "$RIG/status.log" "$1" "$2" "$RIG/node.pub" <<'PY'
import sys, json, subprocess, tempfile, os
log, t0, expr, pub = sys.argv[1], float(sys.argv[2]), sys.argv[3], sys.argv[4]
for line in open(log):
    ts, _, hx = line.strip().partition(" ")
    if float(ts) < t0 or not hx:
        continue
    raw = bytes.fromhex(hx)
    head, _, body = raw.partition(b"\n")
    s = json.loads(body)
    try:                 # a status without a field (the first, before the inputs are read)
        if not eval(expr):
            continue
    except (KeyError, TypeError):
        continue
    import base64
    with tempfile.TemporaryDirectory() as d:
        open(d + "/b", "wb").write(body)
        open(d + "/s", "wb").write(base64.b64decode(head.split(b" ")[3]))
        ok = subprocess.run(["openssl", "pkeyutl", "-verify", "-rawin", "-pubin", "-inkey", pub,
            "-in", d + "/b", "-sigfile", d + "/s"], capture_output=True).returncode == 0
    if not ok:
        continue
    print(int((float(ts) - t0) * 1000))
    sys.exit(0)
sys.exit(1)
PY
}
# within_1s T0 PYEXPR WHAT: such a status arrived, within 1000 ms of T0
within_1s() {
	local ms
	wait_for 20 status_after "$1" "$2" >/dev/null || { fail "$3: no such signed status"; return; }
	ms=$(status_after "$1" "$2")
	check "$3 ($ms ms)" [ "$ms" -le 1000 ]
}

HEALTHY='s.get("heartbeat_s") == 10 and s["inputs"] == {"mains":1,"battery_low":0,"amp_fault":0,"door":0,"local":0,"ack":0} and not [f for f in s["faults"] if f in ("mains-lost","battery-low","amp-fault","door-open")]'
quiet() { "$@" >/dev/null; }
check "a signed status with heartbeat_s 10, every input and no input fault" \
	wait_for 30 quiet status_after 0 "$HEALTHY"
check "... clips ok by the manifest, disk_free_kb, uptime_s" \
	quiet status_after 0 "$HEALTHY"' and s["clips"] == "ok" and s["clips_bad"] == 0 and s["disk_free_kb"] > 0 and s["uptime_s"] >= 0'

# nothing played yet: nothing to acknowledge
out=$("$CTL" local -c "$RIG/village-201.conf" ack); rc=$?
check "local ack with no warning played: null, exit 4 ($out)" \
	bash -c "[ $rc = 4 ] && grep -q '^{\"acknowledged\":null,\"why\":\"no warning played' <<< '$out'"

fault() {   # fault LINE LEVEL WORD: inject, see it within 1 s, clear, see it clear within 1 s
	local t0
	t0=$EPOCHREALTIME; echo "$2" > "$IN/$1"
	within_1s "$t0" "'$3' in s['faults']" "$3 appears in a fresh signed status"
	t0=$EPOCHREALTIME; echo $((1 - $2)) > "$IN/$1"
	within_1s "$t0" "'$3' not in s['faults']" "$3 clears"
}
fault MAINS 0 mains-lost
fault BATT_LOW 1 battery-low
fault AMP_FAULT 1 amp-fault
fault DOOR 1 door-open

# the heartbeat: with nothing changing, a status every heartbeat_s
beats() {   # beats T0 N: N statuses received after T0; prints the gaps between them (s)
	python3 - "$RIG/status.log" "$1" "$2" <<'PY'
import sys
log, t0, n = sys.argv[1], float(sys.argv[2]), int(sys.argv[3])
ts = [float(l.split()[0]) for l in open(log) if float(l.split()[0]) >= t0][:n]
if len(ts) < n: sys.exit(1)
print(" ".join("%.1f" % (b - a) for a, b in zip(ts, ts[1:])))
PY
}
t0=$EPOCHREALTIME
check "periodic heartbeats arrive with nothing changing" wait_for 60 quiet beats "$t0" 3
gaps=$(beats "$t0" 3)
gap_ok() { python3 -c 'import sys; g = [float(x) for x in sys.argv[1].split()[1:]]; sys.exit(0 if g and all(9.0 <= x <= 20.0 for x in g) else 1)' "$gaps"; }
check "... heartbeat_s (10 s) apart (gaps: $gaps s)" gap_ok

# the buttons: a press is a rising edge the node has seen (debounced: it
# logs each level it settles on)
nseen() { grep -c "input $1: $2" "$RIG/village-201.log"; }
seen() { [ "$(nseen "$1" "$2")" -gt "$3" ]; }
press() {   # press LINE ROLE
	local n
	n=$(nseen "$2" 1); echo 1 > "$IN/$1"; wait_for 20 seen "$2" 1 "$n"
	n=$(nseen "$2" 0); echo 0 > "$IN/$1"; wait_for 20 seen "$2" 0 "$n"
}
local_refs() {   # the refs of origin-local receipts in STATE
	receipts village-201 | python3 -c '
import sys, json
for l in sys.stdin:
    r = json.loads(l)
    if r.get("origin") == "local" and r["state"] == sys.argv[1]: print(r["ref"])' "$1"
}
has_local() { [ "$(local_refs "$1" | wc -l)" -ge "$2" ]; }

press LOCAL_BTN local
check "local button: the local activation plays (origin local)" wait_for 60 has_local playing 1
check "... to the end: done, origin local" wait_for 60 has_local done 1
REF=$(local_refs done | head -1)
check "... its ref is local.<unix ms> ($REF)" bash -c "[[ '$REF' =~ ^local\.[0-9]{13}$ ]]"
check "... status actual" [ "$(receipt_get village-201 "$REF" done 'r["status"]')" = actual ]
amp_on() { edges village-201 | awk '$2 == "AMP_EN" && $3 == 1' | grep -q .; }
check "... the amplifier relay switched on (sim edges)" amp_on
check "... and is off again" [ "$(level village-201 AMP_EN)" = 0 ]

# pressed again while it plays: it stops
sed -i "s/^activation = .*/activation = clip:stop.opus:$(sha "$RIG/clips/stop.opus")/" \
	"$RIG/village-201.conf"
n0=$(nseen local 0)
node_stop village-201; node_start village-201; wait_online village-201 || exit 1
wait_for 20 seen local 0 "$n0"    # the button's level is known again
press LOCAL_BTN local
check "a second local activation plays" wait_for 60 has_local playing 2
press LOCAL_BTN local
check "pressed again: it is cancelled" wait_for 60 has_local cancelled 1
REF2=$(local_refs cancelled | head -1)
check "... stopped by the local button" reason_has village-201 "$REF2" cancelled "stopped by the local button"
amp_off() { [ "$(level village-201 AMP_EN)" = 0 ]; }
check "... relays off" wait_for 20 amp_off

# acknowledge: the button during a warning
PLAY="[{\"clip\":\"long.opus\",\"sha256\":\"$(sha "$RIG/clips/long.opus")\"}]"
W=ack-$(date +%s)
body "$W" '["430682101201"]' "$PLAY" > "$RIG/w.json"
sign_body "$RIG/township.pem" ed25519 "$TOWNSHIP_KID" "$RIG/w.json" "$RIG/w.msg"
publish "$RIG/w.msg" 430682101201
wait_receipt village-201 "$W" playing
press ACK_BTN ack
check "ack button during the warning: acknowledged, ref the warning" wait_receipt village-201 "$W" acknowledged
check "... by button" [ "$(receipt_get village-201 "$W" acknowledged 'r["by"]')" = button ]
check "... the warning plays on to done" wait_receipt village-201 "$W" done

# cunxiangctl local ack after it
acked_by_local() {
	receipts village-201 | python3 -c '
import sys, json
sys.exit(0 if any(r["state"] == "acknowledged" and r.get("ref") == sys.argv[1] and r.get("by") == "local"
                  for r in map(json.loads, sys.stdin)) else 1)' "$W"
}
out=$("$CTL" local -c "$RIG/village-201.conf" ack)
check "cunxiangctl local ack after the warning names it ($out)" [ "$out" = "{\"acknowledged\":\"$W\"}" ]
check "... a signed acknowledged receipt by local" wait_for 60 acked_by_local
last_is_w() { status_after 0 "s.get('last', {}).get('ref') == '$W' and s['last']['state'] == 'done'" >/dev/null; }
check "the status's last names the warning, done" wait_for 30 last_is_w
finish
