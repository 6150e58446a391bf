#!/usr/bin/env bash
# Zone names (docs/CTL.md, "Zone names"): the operator types a village's
# name, or TOWNSHIP/VILLAGE, and the warning reaches the node of that
# village; a name two villages share is refused with both candidates and
# their townships, and nothing is sent; the receipts table prints the name
# beside the code, and so do the hub's node list (zone_name), `nodes`
# (whose --zone takes names too), `rollcall` and the report's text.  The
# directory is the shipped county file plus two fixture villages named
# 东山村 (the shipped file has no village level).
. "$(dirname "$0")/lib.sh"

make_keys
make_clip short.opus 0.5 900
node_conf village-201 430682101201
rig_up village-201 || exit 1
ctl_conf village-201
{
	grep -v '^#' "$(dirname "$0")/../../firmware-config/zones-430682.csv"
	echo "430682101201,东山村,430682101"
	echo "430682103201,东山村,430682103"
} > "$RIG/zones.csv"
printf '[zones]\nfile = zones.csv\n' >> "$RIG/ctl.conf"   # relative to ctl.conf
C="-c $RIG/ctl.conf"

# the hub, with the same directory
HPORT=$(free_port)
VIEW_TOKEN=view-$(openssl rand -hex 16)
echo "viewer console $(printf %s "$VIEW_TOKEN" | sha256sum | cut -d' ' -f1)" > "$RIG/hub.tokens"
hub_conf "zones = $RIG/zones.csv
report_at_s = 2,4" village-201
sed -i "s|^listen = off\$|listen = 127.0.0.1:$HPORT\ntokens = $RIG/hub.tokens|" "$RIG/hub.conf"
hub_start || exit 1
printf '%s\n' "$VIEW_TOKEN" > "$RIG/hub.token"
printf '\n[hub]\nurl = http://127.0.0.1:%s\ntoken_file = hub.token\nkey = %s\n' \
	"$HPORT" "$(pub_b64 "$RIG/hub.pem")" >> "$RIG/ctl.conf"
warn() { ctl warn $C --event flood --severity 3 --clip "$RIG/clips/short.opus" "$@"; }

# an ambiguous name: refused before anything is signed or sent
amb=zn-amb-$RANDOM
warn --zone 东山村 --id "$amb" >"$RIG/amb.out" 2>"$RIG/amb.err"; rc=$?
check "ambiguous --zone 东山村: usage error (exit $rc)" [ "$rc" = 1 ]
check "... the message lists both villages with their townships" grep -qF \
	"zone name '东山村' is ambiguous, 2 zones: 430682101201 (in 忠防镇), 430682103201 (in 聂市镇)" \
	"$RIG/amb.err"
check "... and says how to pick one" grep -qF "give the code or a path such as 忠防镇/东山村" "$RIG/amb.err"
check "... no id printed" [ ! -s "$RIG/amb.out" ]

# an unknown name
warn --zone 南山村 >/dev/null 2>"$RIG/unk.err"; rc=$?
check "unknown --zone 南山村: usage error (exit $rc)" [ "$rc" = 1 ]
check "... naming it" grep -qF "no zone named '南山村'" "$RIG/unk.err"

# TOWNSHIP/VILLAGE picks the node's village: it plays, and the table the
# operator reads names the village
id=zn-ok-$RANDOM
warn --zone 忠防镇/东山村 --id "$id" --wait 60 >"$RIG/ok.out" 2>"$RIG/ok.err"; rc=$?
check "--zone 忠防镇/东山村 --wait: confirmed (exit $rc)" [ "$rc" = 0 ]
check "the node played it to done" wait_receipt village-201 "$id" done
check "the receipts table shows the code and the name" \
	grep -qE "^village-201 +430682101201 东山村 +done " "$RIG/ok.out"
check "the ambiguous warning never reached the node" no_receipt village-201 "$amb" received

# the township's name covers the village; `receipts` resolves names too
id2=zn-tw-$RANDOM
warn --zone 忠防镇 --id "$id2" >/dev/null 2>&1
check "--zone 忠防镇 (the township): the node under it plays" wait_receipt village-201 "$id2" done
ctl receipts $C "$id2" --zone 忠防镇 --timeout 30 >"$RIG/rc.out" 2>&1; rc=$?
check "receipts --zone 忠防镇: every expected node confirmed (exit $rc)" [ "$rc" = 0 ]
check "... row with the village's name" grep -qE "^village-201 +430682101201 东山村 +done " "$RIG/rc.out"

# the hub's views
ctl nodes $C >"$RIG/nodes.out" 2>&1
check "nodes: the row shows the village's name" grep -qE "^village-201 +430682101201 东山村 " "$RIG/nodes.out"
ctl nodes $C --json >"$RIG/nodes.json" 2>&1
check "GET /api/nodes: zone_name" grep -qF '"zone_name":	"东山村"' "$RIG/nodes.json"
ctl nodes $C --zone 忠防镇 >"$RIG/nodes-tw.out" 2>&1
check "nodes --zone 忠防镇: the node inside it" grep -qF "1 node" "$RIG/nodes-tw.out"
ctl nodes $C --zone 聂市镇 >"$RIG/nodes-other.out" 2>&1
check "nodes --zone 聂市镇: none" grep -qF "0 nodes" "$RIG/nodes-other.out"
ctl nodes $C --zone 东山村 >/dev/null 2>"$RIG/nodes-amb.err"; rc=$?
check "nodes --zone 东山村: ambiguous, refused (exit $rc)" \
	[ "$rc" = 1 ] && grep -qF "is ambiguous, 2 zones" "$RIG/nodes-amb.err"
ctl rollcall $C "$id" --once >"$RIG/rollcall.out" 2>&1
check "rollcall: the zone line and the row carry the name" \
	grep -qF "zone 430682101201 东山村: ok" "$RIG/rollcall.out" &&
	grep -qE "^village-201 +430682101201 东山村 " "$RIG/rollcall.out"
report_ready() { ctl report $C "$id" --at T+2 --format text >"$RIG/report.txt" 2>/dev/null; }
check "report --format text: made and verified" wait_for 60 report_ready
check "... its zone line carries the name" grep -qF "Zone 430682101201 东山村: " "$RIG/report.txt"

# selftest's target: a node, a code, or a name
ctl selftest $C 东山村 >/dev/null 2>"$RIG/st-amb.err"; rc=$?
check "selftest 东山村: ambiguous, refused (exit $rc)" \
	[ "$rc" = 1 ] && grep -qF "is ambiguous, 2 zones" "$RIG/st-amb.err"
st=$(ctl selftest $C 忠防镇/东山村 2>"$RIG/st.err")
check "selftest 忠防镇/东山村: sent (id $st)" [ -n "$st" ]
# ran it: its final answer, done or failed (this rig's amplifier feedback is not wired)
st_final() { has_receipt village-201 "$st" done || has_receipt village-201 "$st" failed; }
check "... the node in that village ran it" wait_for 60 st_final

# keygen's --zones takes names too (the [key] stanza for node.conf)
ctl keygen $C --out "$RIG/op2.pem" --kid op2 --zones 忠防镇,聂市镇 >"$RIG/keygen.out" 2>&1
check "keygen --zones 忠防镇,聂市镇: the stanza has the codes" grep -qx "zones = 430682101,430682103" "$RIG/keygen.out"

# a broken directory is a config error naming the CSV's line, nothing sent
printf 'code,name\n43,湖南省\n4306,\n' > "$RIG/bad.csv"
sed "s|^file = zones.csv|file = bad.csv|" "$RIG/ctl.conf" > "$RIG/bad.conf"
ctl warn -c "$RIG/bad.conf" --zone 430682101201 --event flood --severity 3 \
	--clip "$RIG/clips/short.opus" >/dev/null 2>"$RIG/bad.err"; rc=$?
check "a broken zone file: config error (exit $rc)" [ "$rc" = 2 ]
check "... naming bad.csv:3" grep -qF "bad.csv:3: empty name" "$RIG/bad.err"
finish
