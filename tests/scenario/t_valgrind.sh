#!/usr/bin/env bash
# The daemon under valgrind (memcheck): start, a warning with clip and
# siren, a rejection, a cancel, SIGTERM.  No memory error, no leak.
. "$(dirname "$0")/lib.sh"
command -v valgrind >/dev/null || { echo "valgrind missing"; exit 1; }

make_keys
make_clip short.opus 0.5 900
node_conf village-201 430682101201
broker_setup village-201
broker_start || exit 1
capture_start
NODE_WRAPPER="valgrind --leak-check=full --show-leak-kinds=definite,indirect,possible --errors-for-leak-kinds=definite,indirect,possible --error-exitcode=99 --log-file=$RIG/valgrind.log"
node_start village-201
wait_for 240 node_online village-201 || { echo "node did not connect"; exit 1; }
now=$(date +%s)
body vg-$now '["430682101201"]' "[{\"siren\":\"test-short\"},{\"clip\":\"short.opus\",\"sha256\":\"$(sha "$RIG/clips/short.opus")\"}]" > "$RIG/a.json"
sign_body "$RIG/township.pem" ed25519 "$TOWNSHIP_KID" "$RIG/a.json" "$RIG/a.msg"
publish "$RIG/a.msg" 430682101201
check "warning played under valgrind" wait_receipt village-201 vg-$now done 240
head -c 200 /dev/urandom > "$RIG/junk.msg"
publish "$RIG/junk.msg" 430682101201
sed 's/high ground/high groun_/' "$RIG/a.msg" > "$RIG/bad.msg"
publish "$RIG/bad.msg" 430682101201
body vg2-$now '["430682101201"]' '[{"siren":"air-raid"}]' > "$RIG/b.json"
sign_body "$RIG/township.pem" ed25519 "$TOWNSHIP_KID" "$RIG/b.json" "$RIG/b.msg"
publish "$RIG/b.msg" 430682101201
check "second warning playing" wait_receipt village-201 vg2-$now playing 240
pid=${NODE_PID[village-201]}
kill -TERM "$pid"; wait "$pid"; rc=$?
unset "NODE_PID[village-201]"
check "daemon exited cleanly under valgrind (exit $rc)" [ "$rc" = 0 ]
check "valgrind: no errors" grep -q "ERROR SUMMARY: 0 errors" "$RIG/valgrind.log"
check "valgrind: no leaks" bash -c "! grep -qE '(definitely|indirectly|possibly) lost: [1-9]' '$RIG/valgrind.log'"
check "relays off after SIGTERM mid-siren" [ "$(level village-201 AMP_EN)" = 0 -a "$(level village-201 SIREN_EN)" = 0 ]
if [ "$NFAIL" != 0 ]; then
	# what the node said about the warnings (a run on CI once missed the first "done")
	grep -E "vg2?-$now|stall|underrun|mqtt" "$RIG/village-201.log" | tail -30
	tail -40 "$RIG/valgrind.log"
fi
finish
