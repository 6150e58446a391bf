#!/usr/bin/env bash
# Papercuts a new user met (issue 10), each as the user would see it:
#  1. `warn --siren airraid` is refused at the sender (exit 1) naming the
#     nearest known siren and the list, and nothing reaches the broker; a
#     siren the nodes define is accepted once ctl.conf lists it; a --clip
#     file that is not there names the nearest clip in its directory.
#  2. a warning cancelled, or replaced by an update, is not "failed":
#     `receipts` says "1 cancelled" / "1 superseded by an update", the
#     table's STATE says so, and the exit status is 7 (not 4).
#  3. ctl.conf's relative paths (key, password_file, receipts log) are
#     resolved against the config file's directory, whatever the current
#     directory.
#  4. `verify` on a payload saved with a trailing newline says what is
#     wrong and how to strip it; the exact bytes are still what is checked.
. "$(dirname "$0")/lib.sh"

make_keys
make_clip long.opus 20 700
node_conf village-201 430682101201
rig_up village-201 || exit 1
ctl_conf village-201
printf '[receipts]\nlog = %s\n' "$RIG/ctl-receipts.log" >> "$RIG/ctl.conf"   # receipts asked twice
C="-c $RIG/ctl.conf"
Z=430682101201

# --- every alert that reaches the broker, in order ---------------------------
mosquitto_sub -V mqttv5 -h 127.0.0.1 -p "$PORT" -u monitor -P pw-monitor -q 1 \
	-t "$PREFIX/alert/#" -F %t >"$RIG/alerts.log" 2>/dev/null &
mark() {   # mark NAME: publish a marker on the alert tree and wait until it is seen
	wait_for 60 bash -c "mosquitto_pub -V mqttv5 -h 127.0.0.1 -p $PORT -u monitor -P pw-monitor \
		-q 1 -t cx/alert/mark/$1 -m m && grep -qx cx/alert/mark/$1 '$RIG/alerts.log'"
}
# nothing_between A B: no alert but markers between markers A and B
nothing_between() {
	sed -n "\|^cx/alert/mark/$1\$|,\|^cx/alert/mark/$2\$|p" "$RIG/alerts.log" |
		grep -v '^cx/alert/mark/' | grep -q . && return 1
	return 0
}
mark m0 || { echo "alert watcher did not subscribe"; exit 1; }

# --- 1. an unknown siren ---------------------------------------------------------
ctl warn $C --zone $Z --event flood --severity 3 --siren airraid >"$RIG/s.out" 2>"$RIG/s.err"; rc=$?
mark m1
check "warn --siren airraid: usage error (exit $rc)" [ "$rc" = 1 ]
check "... names the nearest and the known sirens" grep -qF \
	"unknown siren 'airraid'; did you mean 'air-raid'? known: pre-warning, air-raid, all-clear, test-short" \
	"$RIG/s.err"
check "... and where a node's own pattern is declared" grep -qF "ctl.conf [sirens] names" "$RIG/s.err"
check "... no id printed" [ ! -s "$RIG/s.out" ]
check "... nothing was published" nothing_between m0 m1
ctl warn $C --cap /dev/null --siren kazoo >/dev/null 2>"$RIG/s2.err"; rc=$?
check "warn --cap with --siren kazoo: refused before the file is read (exit $rc)" \
	grep -qF "unknown siren 'kazoo'" "$RIG/s2.err"
ctl update $C some-id --zone $Z --event flood --severity 3 --siren air_raid >/dev/null 2>"$RIG/s3.err"; rc=$?
check "update --siren air_raid: usage error (exit $rc)" [ "$rc" = 1 ]
ctl warn $C --zone $Z --event flood --severity 3 --clip "$RIG/clips/lnog.opus" >/dev/null 2>"$RIG/s6.err"; rc=$?
check "warn --clip lnog.opus (a typo): file error (exit $rc)" [ "$rc" = 2 ]
check "... naming the nearest clip beside it" grep -qF "did you mean $RIG/clips/long.opus?" "$RIG/s6.err"
mark m2
check "... nothing was published" nothing_between m1 m2
# a pattern every node defines (node.conf [siren test-short]), listed in ctl.conf
id=pc-short-$RANDOM
ctl warn $C --zone $Z --event flood --severity 3 --siren test-short --id "$id" >/dev/null 2>"$RIG/s4.err"; rc=$?
check "warn --siren test-short (listed in [sirens]): sent (exit $rc)" [ "$rc" = 0 ]
check "... without a note about it" [ ! -s "$RIG/s4.err" ]
check "... and the node played it" wait_receipt village-201 "$id" done
sed 's/^names = test-short$/names = test-short, air-raid/' "$RIG/ctl.conf" > "$RIG/ctl-bad.conf"
ctl warn -c "$RIG/ctl-bad.conf" --zone $Z --event flood --severity 3 --siren air-raid \
	--dry-run >/dev/null 2>"$RIG/s5.err"; rc=$?
check "[sirens] listing a built-in: config error naming the line (exit $rc)" \
	grep -qE "ctl-bad.conf:[0-9]+: 'air-raid' is a built-in siren" "$RIG/s5.err"

# --- 2. cancelled and superseded are not failures ---------------------------------
lw() { ctl warn $C --zone $Z --event flood --severity 3 --clip "$RIG/clips/long.opus" "$@"; }
w1=pc-cancel-$RANDOM
lw --id "$w1" >/dev/null
check "a long warning plays" wait_receipt village-201 "$w1" playing
ctl cancel $C "$w1" --zone $Z --id "pc-c-$RANDOM" >/dev/null
check "... the cancel stops it" wait_receipt village-201 "$w1" cancelled
ctl receipts $C "$w1" --zone $Z --timeout 10 >"$RIG/r1.out" 2>&1; rc=$?
check "receipts of the cancelled warning: exit 7, not 4 (exit $rc)" [ "$rc" = 7 ]
check "... the summary counts it cancelled, not failed" grep -qE \
	"^warning $w1: 1 expected, 0 confirmed, 0 failed, 0 silent, 0 in progress, 1 cancelled$" "$RIG/r1.out"
check "... the row says cancelled, code 5, and why" \
	grep -qE "^village-201 +$Z +cancelled +5 .*cancelled by pc-c-" "$RIG/r1.out"
ctl receipts $C "$w1" --zone $Z --timeout 10 --json >"$RIG/r1.json" 2>/dev/null
check "... --json: cancelled 1, failed 0, the row's class" python3 -c '
import json, sys; o = json.load(open(sys.argv[1]))
assert o["cancelled"] == 1 and o["failed"] == 0 and o["exit"] == 7, o
assert o["nodes"][0]["class"] == "cancelled" and o["nodes"][0]["state"] == "cancelled", o' "$RIG/r1.json"

w2=pc-upd-$RANDOM
lw --id "$w2" >/dev/null
check "another long warning plays" wait_receipt village-201 "$w2" playing
u2=pc-u-$RANDOM
ctl update $C "$w2" --zone $Z --event flood --severity 2 --siren test-short --id "$u2" >/dev/null
check "... an update replaces it" wait_receipt village-201 "$w2" cancelled
ctl receipts $C "$w2" --zone $Z --timeout 10 >"$RIG/r2.out" 2>&1; rc=$?
check "receipts of the updated warning: exit 7 (exit $rc)" [ "$rc" = 7 ]
check "... the summary says superseded by an update" grep -qE \
	"^warning $w2: 1 expected, 0 confirmed, 0 failed, 0 silent, 0 in progress, 1 superseded by an update$" "$RIG/r2.out"
check "... the row's STATE is superseded (code 5), naming the update" \
	grep -qE "^village-201 +$Z +superseded +5 .*updated by $u2" "$RIG/r2.out"
check "the update itself plays to done" wait_receipt village-201 "$u2" done
ctl receipts $C "$u2" --zone $Z --timeout 10 >/dev/null 2>&1; rc=$?
check "... and its receipts exit 0 (exit $rc)" [ "$rc" = 0 ]

# --- 3. relative paths in ctl.conf ---------------------------------------------------
mkdir -p "$RIG/op/keys"
cp "$RIG/township.pem" "$RIG/op/keys/township.pem"
echo pw-operator > "$RIG/op/ctl.pass"
sed -e "s|^key = .*|key = keys/township.pem|" -e "s|^password = .*|password_file = ctl.pass|" \
	"$RIG/ctl.conf" > "$RIG/op/ctl.conf"
sed -i "s|^log = .*|log = receipts.log|" "$RIG/op/ctl.conf"
id=pc-rel-$RANDOM
(cd / && "$CTL" warn -c "$RIG/op/ctl.conf" --zone $Z --event flood --severity 3 --siren test-short \
	--id "$id" --wait 60) >"$RIG/rel.out" 2>"$RIG/rel.err"; rc=$?
check "ctl.conf with relative key, password_file and log, run from /: confirmed (exit $rc)" [ "$rc" = 0 ]
check "... the receipts log is beside ctl.conf" [ -s "$RIG/op/receipts.log" ]
check "... and not in the current directory" [ ! -e /receipts.log ]
sed -i "s|^key = .*|key = keys/missing.pem|" "$RIG/op/ctl.conf"
(cd / && "$CTL" warn -c "$RIG/op/ctl.conf" --zone $Z --event flood --severity 3 \
	--siren test-short) >/dev/null 2>"$RIG/rel2.err"; rc=$?
check "a missing relative key: config error naming it beside ctl.conf (exit $rc)" \
	bash -c "[ $rc = 2 ] && grep -qF '$RIG/op/keys/missing.pem' '$RIG/rel2.err'"

# --- 4. verify and a trailing newline -------------------------------------------------
now=$(date -u +%s)
body pc-v-1 "[\"$Z\"]" '[{"siren":"test-short"}]' > "$RIG/v.body"
sign_body "$RIG/township.pem" ed25519 "$TOWNSHIP_KID" "$RIG/v.body" "$RIG/v.payload"
PUB=$(pub_b64 "$RIG/township.pem")
ctl verify "$RIG/v.payload" --pubkey "$PUB" >/dev/null 2>&1; rc=$?
check "verify: the payload as published is good (exit $rc)" [ "$rc" = 0 ]
cp "$RIG/v.payload" "$RIG/v.nl"; echo >> "$RIG/v.nl"
ctl verify "$RIG/v.nl" --pubkey "$PUB" >"$RIG/v.out" 2>"$RIG/v.err"; rc=$?
check "verify with 1 trailing newline: still invalid (exit $rc)" [ "$rc" = 4 ]
check "... saying what is wrong" grep -qF \
	"payload has 1 trailing newline byte after the envelope; the signature covers the exact bytes" "$RIG/v.err"
check "... and how to strip it" grep -qF "truncate -s -1 $RIG/v.nl" "$RIG/v.err"
check "... nothing printed as if verified" [ ! -s "$RIG/v.out" ]
printf '\r\n' >> "$RIG/v.nl"
ctl verify - --ctl "$RIG/ctl.conf" < "$RIG/v.nl" >/dev/null 2>"$RIG/v2.err"; rc=$?
check "verify - --ctl with 3 trailing bytes (LF CR LF): says 3 (exit $rc)" \
	grep -qF "payload has 3 trailing newline bytes" "$RIG/v2.err"
cp "$RIG/v.payload" "$RIG/v.nl1"; echo >> "$RIG/v.nl1"
ctl verify "$RIG/v.nl1" -c "$RIG/village-201.conf" >/dev/null 2>"$RIG/v3.err"; rc=$?
check "verify -c node.conf: the same explanation (exit $rc)" \
	bash -c "[ $rc = 4 ] && grep -qF 'payload has 1 trailing newline byte' '$RIG/v3.err'"
sed 's/"severity":2/"severity":1/' "$RIG/v.nl1" > "$RIG/v.bad"
ctl verify "$RIG/v.bad" --pubkey "$PUB" >/dev/null 2>"$RIG/v4.err"; rc=$?
check "a tampered payload with a newline: plain BAD signature, no stripping advice (exit $rc)" \
	bash -c "[ $rc = 4 ] && grep -qF 'BAD signature (ed25519' '$RIG/v4.err' && ! grep -q truncate '$RIG/v4.err'"

finish
