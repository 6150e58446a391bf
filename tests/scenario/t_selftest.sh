#!/usr/bin/env bash
# Self-tests (docs/PROTOCOL.md section 12) on a real node with sim GPIO whose
# amplifier feedback is wired to its relay (DIR/wire "AMP_OK AMP_EN"):
# a silent test on a healthy node is done, lists every check with its
# measurement, and sends no sound out; a relay stuck off or on, and the
# feedback absent, fail amp_relay with the reason; an audible test is
# refused outside the allowed hours and chimes at low level inside them; a
# warning ends a running test at once and plays; a key without the test
# action is rejected; the nightly schedule fires; a test waits for the warning
# playing and never cuts it.
. "$(dirname "$0")/lib.sh"
export TZ=UTC
N=village-201
SIM=$RIG/$N/sim

make_keys
make_clip short.opus 0.5 900
make_clip long.opus 3 700
(cd "$RIG/clips" && sha256sum short.opus long.opus > SHA256SUMS)
echo synced > "$RIG/sync"
hm() { date -u -d "@$1" +%H:%M; }
now=$(date +%s)
# allowed hours that exclude now (from now+2 h to now+3 h), and that include it
OUT_HOURS="$(hm $((now + 7200)))-$(hm $((now + 10800)))"
IN_HOURS="$(hm $((now - 3600)))-$(hm $((now + 3600)))"
node_conf $N 430682101201 "
[key ops-notest]
alg = ed25519
pubkey = $(pub_b64 "$RIG/rogue.pem")
zones = 430682101
actions = warn,cancel

[node]
clock_sync = file:$RIG/sync

[selftest]
nightly = off
audible_hours = $OUT_HOURS
chime_volume = 20"
sed -i 's/^siren = SIREN_EN$/siren = SIREN_EN\namp_feedback = AMP_OK\nsiren_feedback_line = SIREN_OK\nmains_line = MAINS\ndoor_line = DOOR/' "$RIG/$N.conf"
printf 'AMP_OK AMP_EN\nSIREN_OK SIREN_EN\n' > "$SIM/wire"
mkdir -p "$SIM/fault" "$SIM/in"
echo 1 > "$SIM/in/MAINS"
rig_up $N || exit 1
ctl_conf $N

# st_get REF STATE EXPR: a field of the node's self-test receipt (python on r)
st_get() { receipt_get $N "$1" "$2" "$3"; }
# check_of REF NAME: "ok|value" of one check in the final receipt
check_of() {
	receipts $N | python3 -c '
import sys, json
ref, name = sys.argv[1], sys.argv[2]
for l in sys.stdin:
    r = json.loads(l)
    if r.get("ref") == ref and r.get("state") in ("done", "failed"):
        for c in r["selftest"]["checks"]:
            if c["name"] == name: print("%s|%s" % ("ok" if c["ok"] else "bad", c["value"]))' "$1" "$2"
}
# wav_stats: "nonzero_samples peak" of the node's WAV sink
wav_stats() {
	python3 - "$RIG/$N/out.wav" <<'PY'
import sys, struct
try: d = open(sys.argv[1], "rb").read()[44:]
except FileNotFoundError: d = b""
s = struct.unpack("<%dh" % (len(d) // 2), d[:len(d) // 2 * 2])
print(sum(1 for x in s if x), max((abs(x) for x in s), default=0))
PY
}
# matches TEXT GLOB
matches() { [[ $1 == $2 ]]; }
in_range() { [ "$1" -ge "$2" ] && [ "$1" -le "$3" ]; }
# run_test [--audible]: publish a self-test, print its id
run_test() { ctl selftest -c "$RIG/ctl.conf" $N "$@"; }
final_of() { has_receipt $N "$1" done || has_receipt $N "$1" failed; }
wait_final() { wait_for 60 final_of "$1"; }

# --- a healthy node, silent ---------------------------------------------------
out=$(ctl selftest -c "$RIG/ctl.conf" $N --wait 60); rc=$?
id=$(echo "$out" | head -1)
check "silent test on a healthy node: cunxiangctl exits 0" [ "$rc" = 0 ]
check "... the checks printed with their measurements" grep -Eq "^  ok +amp_relay +on->fb 1 in [0-9]+ ms, off->fb 0 in [0-9]+ ms" <<<"$out"
check "... the node's verdict printed" grep -q "^$N: self-test done (silent, command)" <<<"$out"
check "... received" has_receipt $N "$id" received
check "... done" has_receipt $N "$id" done
check "... status test, trigger command, mode silent" [ "$(st_get "$id" done '(r["status"], r["selftest"]["trigger"], r["selftest"]["mode"])')" = "('test', 'command', 'silent')" ]
check "... every check listed" [ "$(st_get "$id" done '",".join(c["name"] for c in r["selftest"]["checks"])')" = "amp_relay,siren_relay,sound_device,storage,clips,clock,inputs" ]
check "... amp_relay measured both edges" matches "$(check_of "$id" amp_relay)" 'ok|on->fb 1 in [0-9]* ms, off->fb 0 in [0-9]* ms'
check "... storage written and read back" matches "$(check_of "$id" storage)" "ok|4 KiB written, fsync'd, read back, deleted in [0-9]* ms"
check "... clips match the manifest" [ "$(check_of "$id" clips)" = "ok|every clip matches SHA256SUMS" ]
check "... clock synced" [ "$(check_of "$id" clock)" = "ok|synced" ]
check "... the siren relay reads off" [ "$(check_of "$id" siren_relay)" = "ok|relay off, feedback 0" ]
check "... inputs: mains present, door closed" [ "$(check_of "$id" inputs)" = "ok|mains 1, door 0" ]
# status_selftest REF OK: the node's signed status names that last self-test
status_selftest() {
	[ "$(signed_status $N | python3 -c 'import json,sys; s=json.load(sys.stdin).get("selftest",{}); print(s.get("ref"), s.get("ok"))')" = "$1 $2" ]
}
check "... the status names the last self-test" wait_for 30 status_selftest "$id" True
check "... the sound device took silence" matches "$(check_of "$id" sound_device)" 'ok|opened, 4800 frames of silence accepted'
check "... the amplifier relay went on and off" [ "$(edges $N | awk '$2 == "AMP_EN" { printf "%s", $3 }')" = 10 ]
check "... no sound: the WAV sink holds only silence" [ "$(wav_stats | cut -d' ' -f1)" = 0 ]

# --- faults: relay stuck off, stuck on, feedback absent -------------------------
echo stuck-off > "$SIM/fault/AMP_EN"
out=$(ctl selftest -c "$RIG/ctl.conf" $N --wait 60); rc=$?
id=$(echo "$out" | head -1)
check "relay stuck off: cunxiangctl exits 4" [ "$rc" = 4 ]
check "... and prints the failed check" grep -Eq "^  FAIL +amp_relay +relay on: feedback still 0 after [0-9]+ ms" <<<"$out"
check "relay stuck off: failed" has_receipt $N "$id" failed
check "... amp_relay names it" reason_has $N "$id" failed "amp_relay: relay on: feedback still 0 after"
check "... the other checks still ran" [ "$(check_of "$id" storage | cut -c1-2)" = ok ]
rm -f "$SIM/fault/AMP_EN"

echo stuck-on > "$SIM/fault/AMP_EN"
id=$(run_test); wait_final "$id"
check "relay stuck on: failed" reason_has $N "$id" failed "amp_relay: relay off: feedback still 1"
rm -f "$SIM/fault/AMP_EN"

echo 0 > "$SIM/in/AMP_OK"
id=$(run_test); wait_final "$id"
check "feedback absent: failed" reason_has $N "$id" failed "amp_relay: relay on: feedback still 0"
rm -f "$SIM/in/AMP_OK"
echo 0 > "$SIM/in/MAINS"; echo 1 > "$SIM/in/DOOR"
id=$(run_test); wait_final "$id"
check "mains lost and door open: failed" reason_has $N "$id" failed "inputs: mains-lost, door-open"
check "... the values read" [ "$(check_of "$id" inputs)" = "bad|mains-lost, door-open" ]
check "... the status says the last self-test failed" wait_for 30 status_selftest "$id" False
status_fault() { signed_status $N | python3 -c 'import json,sys; sys.exit(0 if sys.argv[1] in json.load(sys.stdin).get("faults", []) else 1)' "$1"; }
check "... and carries the fault word selftest-failed" wait_for 30 status_fault selftest-failed
echo 1 > "$SIM/in/MAINS"; echo 0 > "$SIM/in/DOOR"
echo stuck-on > "$SIM/fault/SIREN_EN"
id=$(run_test); wait_final "$id"
check "siren relay stuck on: failed" reason_has $N "$id" failed "siren_relay: feedback 1 with the relay off"
rm -f "$SIM/fault/SIREN_EN"
id=$(run_test); wait_final "$id"
check "repaired: done again" has_receipt $N "$id" done

# --- audible -------------------------------------------------------------------
id=$(run_test --audible); wait_final "$id"
check "audible outside the allowed hours: refused" reason_has $N "$id" failed "audible test outside allowed hours $OUT_HOURS"
check "... nothing sounded" [ "$(wav_stats | cut -d' ' -f1)" = 0 ]

sed -i "s/^audible_hours = .*/audible_hours = $IN_HOURS/" "$RIG/$N.conf"
kill -HUP "${NODE_PID[$N]}"
wait_for 30 grep -q "SIGHUP: configuration reloaded" "$RIG/$N.log"
id=$(run_test --audible); wait_final "$id"
check "audible inside the allowed hours: done" has_receipt $N "$id" done
check "... the chime check measured it" [ "$(check_of "$id" chime)" = 'ok|1000 ms two-tone 660/880 Hz at 20 %, feedback 1' ]
read -r nz peak < <(wav_stats)
check "... about 1 s of chime in the WAV sink ($nz samples)" in_range "$nz" 43000 50000
check "... at low level (peak $peak of 32767, 20 %)" in_range "$peak" 1000 8000

# --- a warning ends a running test ----------------------------------------------
PLAY="[{\"clip\":\"short.opus\",\"sha256\":\"$(sha "$RIG/clips/short.opus")\"}]"
wid=interrupt-$now
body "$wid" '["430682101201"]' "$PLAY" > "$RIG/w.json"
sign_body "$RIG/township.pem" ed25519 "$TOWNSHIP_KID" "$RIG/w.json" "$RIG/w.msg"
size0=$(stat -c %s "$RIG/$N/out.wav")
tid=$(run_test --audible)
# the sound device check writes 100 ms of silence (9600 bytes): the chime
# (warm-up, 1 s, hold) follows, and the warning goes out meanwhile
grew() { [ "$(stat -c %s "$RIG/$N/out.wav")" -gt $((size0 + 4800)) ]; }
wait_for 60 grew
publish "$RIG/w.msg" 430682101201
wait_final "$tid"
check "a warning during the chime ends the test" reason_has $N "$tid" failed "interrupted by warning $wid"
check "... and plays" wait_receipt $N "$wid" done

# --- a test waits for the warning playing ---------------------------------------
wid2=long-$now
body "$wid2" '["430682101201"]' "[{\"clip\":\"long.opus\",\"sha256\":\"$(sha "$RIG/clips/long.opus")\"}]" > "$RIG/w2.json"
sign_body "$RIG/township.pem" ed25519 "$TOWNSHIP_KID" "$RIG/w2.json" "$RIG/w2.msg"
publish "$RIG/w2.msg" 430682101201
wait_receipt $N "$wid2" playing
tid=$(run_test); wait_final "$tid"
check "a test during a warning waits: the warning is done, not cut" has_receipt $N "$wid2" done
check "... then the test is done" has_receipt $N "$tid" done
check "... and started after the warning ended" [ "$(st_get "$tid" done 'r["started"]')" -ge "$(receipt_get $N "$wid2" done 'r["ended"]')" ]

# --- a key without the test action ------------------------------------------------
printf '{"v":1,"kind":"selftest","id":"notest-%s","sender":"ops","sent":%s,"expires":%s,"zones":["430682101"],"mode":"silent"}' \
	"$now" "$(date +%s)" "$(( $(date +%s) + 600 ))" > "$RIG/n.json"
sign_body "$RIG/rogue.pem" ed25519 ops-notest "$RIG/n.json" "$RIG/n.msg"
publish "$RIG/n.msg" 430682101
check "a key without the test action: rejected" wait_for 60 has_receipt $N "notest-$now" rejected
check "... action-scope" reason_has $N "notest-$now" rejected "action-scope: key ops-notest may not test"
check "... nothing switched" [ "$(receipts $N | grep -c "notest-$now")" = 1 ]

# --- the nightly schedule -----------------------------------------------------------
t=$(date +%s); [ $((t % 60)) -lt 50 ] || t=$((t + 60))
at=$(hm $((t + 60)))
sed -i "s/^nightly = .*/nightly = $at/" "$RIG/$N.conf"
n0=$(grep -c "SIGHUP: configuration reloaded" "$RIG/$N.log")
kill -HUP "${NODE_PID[$N]}"
wait_for 30 bash -c "[ \$(grep -c 'SIGHUP: configuration reloaded' '$RIG/$N.log') -gt $n0 ]"
nightly_done() {
	receipts $N | python3 -c '
import sys, json
sys.exit(0 if any(r.get("state") == "done" and r.get("ref", "").startswith("selftest.")
                  and r.get("selftest", {}).get("trigger") == "schedule" for r in map(json.loads, sys.stdin)) else 1)'
}
check "the nightly test fires at $at and is done" wait_for 150 nightly_done
finish
