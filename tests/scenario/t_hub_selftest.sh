#!/usr/bin/env bash
# Self-tests seen by the hub: a silent self-test commanded to one node
# (cunxiangctl selftest, published on the node's cmd topic) gets a roll-call
# at the hub (that node expected); the node's final receipt is stored, its
# checks kept in selftests and its last self-test in node_state; a relay
# stuck off makes the next test fail, and the hub says so, with the reason.
. "$(dirname "$0")/lib.sh"
N=v201
SIM=$RIG/$N/sim
make_keys
make_clip short.opus 0.5 900
(cd "$RIG/clips" && sha256sum short.opus > SHA256SUMS)
echo synced > "$RIG/sync"
node_conf $N 430682101201 "
[node]
clock_sync = file:$RIG/sync
[selftest]
nightly = off"
if ! "$D" -n -s -c "$RIG/$N.conf" >/dev/null 2>&1; then
	# a node build without self-tests (before the self-test work is merged)
	echo "skip - cunxiangd without self-tests"
	finish
	exit 0
fi
sed -i 's/^siren = SIREN_EN$/siren = SIREN_EN\namp_feedback = AMP_OK/' "$RIG/$N.conf"
printf 'AMP_OK AMP_EN\n' > "$SIM/wire"
mkdir -p "$SIM/fault"
rig_up $N || exit 1
ctl_conf $N
hub_up "" $N || exit 1
up() { [ "$(hub_sql "SELECT online FROM node_state WHERE node='$N'")" = 1 ]; }
check "the node online at the hub" wait_for 60 up

id=$(ctl selftest -c "$RIG/ctl.conf" $N --wait 60 | head -1)
kept() { [ "$(hub_sql "SELECT kind||'|'||type||'|'||topic FROM warnings WHERE id='$id'")" = "selftest|selftest|$PREFIX/node/$N/cmd" ]; }
check "the hub keeps the self-test command ($id)" wait_for 60 kept
check "... one node expected" [ "$(hub_sql "SELECT group_concat(node) FROM expected WHERE warning='$id'")" = "$N" ]
result() { [ "$(hub_sql "SELECT ok||'|'||mode||'|'||trigger FROM selftests WHERE node='$N' AND ref='$id'")" = "$1" ]; }
check "the result kept: ok, silent, command" wait_for 60 result "1|silent|command"
check "... with every check" [ "$(hub_sql "SELECT checks LIKE '%\"amp_relay\"%' AND checks LIKE '%\"storage\"%' FROM selftests WHERE ref='$id'")" = 1 ]
check "node_state: last self-test ok" [ "$(hub_sql "SELECT last_selftest_ref||'|'||last_selftest_ok FROM node_state WHERE node='$N'")" = "$id|1" ]

echo stuck-off > "$SIM/fault/AMP_EN"
id2=$(ctl selftest -c "$RIG/ctl.conf" $N --wait 60 | head -1)
result2() { [ "$(hub_sql "SELECT ok FROM selftests WHERE node='$N' AND ref='$id2'")" = 0 ]; }
check "relay stuck off: the result kept as failed" wait_for 60 result2
check "... node_state: last self-test failed" [ "$(hub_sql "SELECT last_selftest_ok FROM node_state WHERE node='$N'")" = 0 ]
check "... the reason in the stored receipt names amp_relay" [ "$(hub_sql "SELECT count(*) FROM receipts WHERE ref='$id2' AND state='failed' AND body LIKE '%amp_relay%'")" = 1 ]
check "... a selftest event" [ "$(hub_sql "SELECT count(*) FROM events WHERE node='$N' AND kind='selftest' AND detail='failed'")" = 1 ]
hub_stop
finish
