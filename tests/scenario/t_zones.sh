#!/usr/bin/env bash
# Zone names (docs/CTL.md, "Zone names"): the operator types a village's
# name, or TOWNSHIP/VILLAGE, and the warning reaches the node of that
# village; a name two villages share is refused with both candidates and
# their townships, and nothing is sent; the receipts table prints the name
# beside the code.  The directory is the shipped county file plus two
# fixture villages named 东山村 (the shipped file has no village level).
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

# a broken directory is a config error naming the CSV's line, nothing sent
printf 'code,name\n43,湖南省\n4306,\n' > "$RIG/bad.csv"
sed "s|^file = zones.csv|file = bad.csv|" "$RIG/ctl.conf" > "$RIG/bad.conf"
ctl warn -c "$RIG/bad.conf" --zone 430682101201 --event flood --severity 3 \
	--clip "$RIG/clips/short.opus" >/dev/null 2>"$RIG/bad.err"; rc=$?
check "a broken zone file: config error (exit $rc)" [ "$rc" = 2 ]
check "... naming bad.csv:3" grep -qF "bad.csv:3: empty name" "$RIG/bad.err"
finish
