#!/usr/bin/env bash
# bench/console/run.sh BUILD: the web console with 10,000 nodes (docs/PERFORMANCE.md,
# "The console"), run by `make bench` (and alone by `make bench-console`).
#
# One mosquitto on loopback, bench/swarm's N emulated nodes (villages of VILLAGE) enrolled
# at the hub, which serves the console from hub/console; one warning (cunxiangctl warn) to
# the whole township, answered by every node.  Then Debian's headless Chromium
# (bench/console/render.py, selenium) logs in and, ROUNDS times each, renders:
#   - the zone tree (#/nodes, the start page) of all N nodes, plus GHOSTS enrolled nodes
#     that never connect (village 430682101999: they need attention);
#   - the same with "needs attention" on (the GHOSTS listed);
#   - the warning's roll-call (#/warning/ID) with its N + GHOSTS rows;
#   - the page loaded afresh on the roll-call (navigation start to rendered).
# A view's time is the page's own window.cxTimings[VIEW] (route change to data rendered,
# docs/CONSOLE.md), read after body[data-ready] says so.  Target: every view under 2 s.
# Knobs (environment): N VILLAGE GHOSTS ROUNDS KEEP_RIG=1.  Prints a Markdown table.
set -u
BUILD=${1:-build}
cd "$(dirname "$0")/../.."
case $BUILD in /*) ;; *) BUILD=$(pwd)/$BUILD ;; esac
N=${N:-10000}
VILLAGE=${VILLAGE:-100}
ROUNDS=${ROUNDS:-5}
GHOSTS=${GHOSTS:-200}
TOWNSHIP=430682101
PREFIX=cx
HUB=$BUILD/cunxiang-hub
CTL=$BUILD/cunxiangctl
SWARM=$BUILD/bench/swarm
PY=/usr/bin/python3

for f in "$HUB" "$CTL" "$SWARM"; do
	[ -x "$f" ] || { echo "bench/console: $f missing (run: make bench)"; exit 1; }
done
for c in mosquitto chromium chromedriver; do
	command -v "$c" >/dev/null || { echo "bench/console: $c missing (run: make deps)"; exit 1; }
done
ulimit -n "$(ulimit -Hn)" 2>/dev/null
[ "$(ulimit -n)" -ge $((N + 200)) ] || { echo "bench/console: open-file limit too low"; exit 1; }

RIG=$(mktemp -d /tmp/cx-console-bench.XXXXXX)
chmod 755 "$RIG"
BENCH=bench/console
. bench/lib.sh
count() { sqlite3 -readonly -batch -noheader "$RIG/hub/hub.db" "$1" 2>/dev/null; }

CPU=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')
say "machine: $(nproc) cores, $CPU, kernel $(uname -r), Debian $(cat /etc/debian_version)"
say "chromium: $(chromium --version 2>/dev/null | head -1)"
git rev-parse --git-dir >/dev/null 2>&1 && say "source: commit $(git rev-parse --short HEAD)"

swarm_broker
HPORT=$(free_port)

say "keys and enrolment for $N nodes"
mkdir -p "$RIG/swarm" "$RIG/hub"
"$SWARM" -n "$N" -v "$VILLAGE" -z "$TOWNSHIP" -k "$RIG/swarm" -E > /dev/null
"$CTL" keygen --out "$RIG/township.pem" --kid township-$TOWNSHIP --zones $TOWNSHIP \
	2>/dev/null | head -1 > "$RIG/township.pub"
"$CTL" keygen --out "$RIG/hub.pem" --kid hub-$TOWNSHIP > /dev/null 2>&1
printf '[mqtt]\nhost = 127.0.0.1\nport = %s\nprefix = %s\n\n[signer]\nkey = %s\nkid = township-%s\n' \
	"$PORT" "$PREFIX" "$RIG/township.pem" "$TOWNSHIP" > "$RIG/ctl.conf"
{
	printf '[hub]\nid = hub-%s\nstate_dir = %s\nkey = %s\nprefix = %s\n\n' \
		"$TOWNSHIP" "$RIG/hub" "$RIG/hub.pem" "$PREFIX"
	printf '[mqtt]\nhost = 127.0.0.1\nport = %s\n\n' "$PORT"
	printf '[http]\nlisten = 127.0.0.1:%s\nconsole_dir = %s\n\n' "$HPORT" "$(pwd)/hub/console"
	cat "$RIG/swarm/hub-nodes.conf"
	ghost=$(openssl genpkey -algorithm ED25519 2>/dev/null | openssl pkey -pubout -outform DER | base64 -w0)
	for ((g = 1; g <= GHOSTS; g++)); do
		printf '[node ghost-%04d]\nzone = %s999\npubkey = %s\n\n' "$g" "$TOWNSHIP" "$ghost"
	done
} > "$RIG/hub.conf"
PW=bench-$(openssl rand -hex 8)
printf '%s\n' "$PW" | "$HUB" -c "$RIG/hub.conf" --account-add bench --role viewer > /dev/null ||
	{ echo "bench/console: cannot make an account"; exit 1; }
"$HUB" -c "$RIG/hub.conf" > "$RIG/hub.log" 2>&1 &
PID[hub]=$!
wait_for 30 test -s "$RIG/hub/hub.db" || { echo "bench/console: the hub did not start"; exit 1; }

say "swarm: $N nodes"
"$SWARM" -n "$N" -v "$VILLAGE" -z "$TOWNSHIP" -k "$RIG/swarm" -p "$PORT" -b 60 -a 0.1 \
	-T "township-$TOWNSHIP:$(cat "$RIG/township.pub")" > "$RIG/swarm.out" 2> "$RIG/swarm.err" &
PID[swarm]=$!
wait_for 180 grep -q '^R swarm.ready' "$RIG/swarm.out" ||
	{ echo "bench/console: the swarm did not connect"; exit 1; }
online() { [ "$(count "SELECT count(*) FROM node_state WHERE online = 1")" = "$N" ]; }
wait_for 180 online || echo "bench/console: not every node online at the hub"
ID=bench-console-$(date +%s)
"$CTL" warn -c "$RIG/ctl.conf" --id "$ID" --zone $TOWNSHIP --event flood --severity 2 \
	--title "bench console" --siren pre-warning > /dev/null || { echo "bench/console: warn failed"; exit 1; }
done_all() { [ "$(count "SELECT count(*) FROM receipts WHERE ref = '$ID' AND state = 'done'")" = "$N" ]; }
wait_for 120 done_all || echo "bench/console: not every node answered"
say "the warning $ID answered by $(count "SELECT count(*) FROM receipts WHERE ref = '$ID' AND state = 'done'") nodes"

say "rendering in headless Chromium, $ROUNDS rounds per view"
$PY bench/console/render.py --url "http://127.0.0.1:$HPORT" --user bench --password "$PW" \
	--warning "$ID" --nodes $((N + GHOSTS)) --attention "$GHOSTS" --rounds "$ROUNDS" 2> "$RIG/render.err" ||
	{ echo "bench/console: the render run failed"; tail -20 "$RIG/render.err"; exit 1; }
