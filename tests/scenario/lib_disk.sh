# Helpers for the state-disk scenarios (t_disk_*.sh): a tiny tmpfs as a
# node's state directory, filled up or remounted read-only, and the node's
# signed status read back.  Source after lib.sh.  Mounting needs root: as
# another user each scenario says it is skipped (not passed) and exits 0.

DISK_MOUNTS=()

disk_need_root() {
	if [ "$(id -u)" != 0 ]; then
		echo "SKIP - $(basename "$0"): needs root to mount a tmpfs state directory"
		echo "0 passed, 0 failed (skipped)"
		trap - EXIT
		rm -rf "$RIG"
		exit 0
	fi
}

# Nodes stop before their state disks are unmounted, then lib.sh cleans up.
disk_cleanup() {
	local p m
	for p in "${NODE_PID[@]}"; do kill -TERM "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
	for m in "${DISK_MOUNTS[@]}"; do umount -l "$m" 2>/dev/null; done
	cleanup
}
trap disk_cleanup EXIT
# killed (run.sh's timeout): exit through the EXIT trap, so nothing stays mounted
trap 'exit 143' TERM INT HUP

# disk_mount DIR [SIZE]: a fresh tmpfs on DIR (default 2m: the replay set's
# file, preallocated for its whole room, takes 0.8 MB)
disk_mount() {
	mkdir -p "$1"
	mount -t tmpfs -o "size=${2:-2m},mode=0755" tmpfs "$1" || return 1
	DISK_MOUNTS+=("$1")
}
# disk_node NODE ZONE [EXTRA]: the node's config with its state dir ($ST) on
# a fresh tmpfs, the broker and the receipt capture; the node is not started
disk_node() {
	node_conf "$1" "$2" "${3:-}"
	ST=$RIG/$1/state
	disk_mount "$ST" || { fail "mount a tmpfs state dir"; finish; exit 1; }
	broker_setup "$1"
	broker_start || exit 1
	capture_start
}
# disk_fill DIR: no block left (DIR/fill takes them all)
disk_fill() {
	dd if=/dev/zero of="$1/fill" bs=4k 2>/dev/null
	sync
	! dd if=/dev/zero of="$1/probe-fill" bs=4k count=1 2>/dev/null
	local rc=$?
	rm -f "$1/probe-fill"
	return $rc
}
disk_unfill() { rm -f "$1/fill"; }
disk_ro() { mount -o remount,ro "$1"; }
disk_rw() { mount -o remount,rw "$1"; }

# status_storage NODE WORD [KEY.pem]: its status says "storage":WORD (and,
# unless WORD is ok, a storage_error), and that it is online
status_storage() {
	signed_status "$1" "${3:-}" | python3 -c '
import sys, json
s = json.load(sys.stdin); w = sys.argv[1]
sys.exit(0 if s.get("online") is True and s.get("storage") == w and
         (w == "ok") == (s.get("storage_error", "") == "") else 1)' "$2"
}

# receipt_storage NODE REF STATE WORD: that receipt says "storage":WORD
receipt_storage() { [ "$(receipt_get "$1" "$2" "$3" 'r.get("storage")')" = "$4" ]; }

# seq_unique NODE: every seq of NODE names one receipt body (a resend is
# byte-identical), and there is at least one
seq_unique() {
	receipts "$1" | python3 -c '
import sys, json
seen = {}
for l in sys.stdin:
    r = json.loads(l)
    if seen.setdefault(r["seq"], l) != l:
        print("seq %d names two receipts" % r["seq"], file=sys.stderr); sys.exit(1)
sys.exit(0 if seen else 1)'
}

# seqs_after NODE REF_A REF_B: every receipt of REF_B has a higher seq than
# every receipt of REF_A (made later, numbered later: seq never goes back)
seqs_after() {
	receipts "$1" | python3 -c '
import sys, json
a, b = sys.argv[1], sys.argv[2]
rs = [json.loads(l) for l in sys.stdin]
sa = [r["seq"] for r in rs if r.get("ref") == a]
sb = [r["seq"] for r in rs if r.get("ref") == b]
sys.exit(0 if sa and sb and min(sb) > max(sa) else 1)' "$2" "$3"
}

# amp_on_count NODE: how many times the amplifier relay closed (sim GPIO)
amp_on_count() { edges "$1" | awk '$2 == "AMP_EN" && $3 == 1' | wc -l; }
# wav_bytes NODE: bytes in the node's WAV sink
wav_bytes() { stat -c %s "$RIG/$1/out.wav" 2>/dev/null || echo 0; }

# warn NODE_ZONE ID [PLAY]: sign and publish a warning to the zone
warn() {
	body "$2" "[\"$1\"]" "$3" > "$RIG/$2.json"
	sign_body "$RIG/township.pem" ed25519 "$TOWNSHIP_KID" "$RIG/$2.json" "$RIG/$2.msg"
	publish "$RIG/$2.msg" "$1"
}

# start_online NODE: start it and wait for a connection made by this run
# (the log keeps the lines of earlier runs)
connections() { grep -c "mqtt: connected" "$RIG/$1.log" 2>/dev/null || echo 0; }
start_online() {
	local before
	before=$(connections "$1")
	node_start "$1"
	wait_for 60 bash -c "[ \$(grep -c 'mqtt: connected' '$RIG/$1.log') -gt $before ]" ||
		{ echo "node $1 did not connect"; tail -20 "$RIG/$1.log"; return 1; }
}
# running NODE: its process is alive (not exited, not a zombie)
running() {
	local pid=${NODE_PID[$1]:-}
	[ -n "$pid" ] && [ -d "/proc/$pid" ] && ! grep -q '^State:.*Z' "/proc/$pid/status"
}
