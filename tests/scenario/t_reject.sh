#!/usr/bin/env bash
# Fail closed: every rejection class leaves no relay edge and no audio, and
# yields a signed rejection receipt naming the reason.  Replays are caught,
# also after a restart.  A flood of bad messages is rate limited.
. "$(dirname "$0")/lib.sh"

make_keys
# a key of its own: the trust store refuses one public key under two ids
openssl genpkey -algorithm ED25519 -out "$RIG/test-only.pem" 2>/dev/null
make_clip flood.opus 0.5 1000
SUM=$(sha "$RIG/clips/flood.opus")
PLAY="[{\"clip\":\"flood.opus\",\"sha256\":\"$SUM\"}]"
ROGUE_PUB=$(pub_b64 "$RIG/rogue.pem")
# the node's clock is synchronised (a flag file stands in for NTP): only a
# synchronised clock refuses a warning as dated in the future
echo synced > "$RIG/ntp"
node_conf village-201 430682101201 "
[node]
clock_sync = file:$RIG/ntp

[key old-key]
alg = ed25519
pubkey = $ROGUE_PUB
zones = 430682101
actions = warn
not_after = 2020-01-01

[key test-only]
alg = ed25519
pubkey = $(pub_b64 "$RIG/test-only.pem")
zones = 430682101
actions = test

[limits]
reject_receipts_per_min = 1000
max_message = 8192"
rig_up village-201 || exit 1
Z='["430682101201"]'
now=$(date +%s)
n=0
# mk NAME KEY ALG KID BODY-ARGS...: signed message in $RIG/NAME.msg
mk() {
	local name=$1 key=$2 alg=$3 kid=$4; shift 4
	body "$@" > "$RIG/$name.json"
	sign_body "$key" "$alg" "$kid" "$RIG/$name.json" "$RIG/$name.msg"
}
# expect_ref NAME ID REASON: publish, then a rejection receipt for ID with REASON
expect_ref() {
	publish "$RIG/$1.msg" 430682101201
	if wait_receipt village-201 "$2" rejected &&
	   receipt_get village-201 "$2" rejected 'r["reason"]' | grep -q "^$3"; then
		ok "$1: rejected ($3)"
	else
		fail "$1: expected a rejection receipt '$3' for $2"
	fi
}
expect_digest() {
	publish "$RIG/$1.msg" 430682101201
	if wait_for 60 has_digest village-201 "$(digest16 "$RIG/$1.msg")" "$2"; then
		ok "$1: rejected by digest ($2)"
	else
		fail "$1: expected a rejection receipt with the payload digest ($2)"
	fi
}

# signed by a key the node does not know
mk unknown "$RIG/rogue.pem" ed25519 rogue r-unknown-$now "$Z" "$PLAY"
expect_digest unknown unknown-key
# bad signature: one body byte changed after signing
mk badsig "$RIG/township.pem" ed25519 "$TOWNSHIP_KID" r-badsig-$now "$Z" "$PLAY"
sed -i 's/move to high ground/move to high groune/' "$RIG/badsig.msg"
expect_digest badsig bad-signature
# header claims another algorithm
mk algmix "$RIG/township.pem" ed25519 "$TOWNSHIP_KID" r-alg-$now "$Z" "$PLAY"
sed -i '1s/^CX1 ed25519/CX1 sm2-sm3/' "$RIG/algmix.msg"
expect_digest algmix alg-mismatch
# no signature at all: a bare body
body r-nosig-$now "$Z" "$PLAY" > "$RIG/nosig.msg"
expect_digest nosig malformed
# garbage and oversize
head -c 300 /dev/urandom > "$RIG/garbage.msg"
expect_digest garbage malformed
mk big "$RIG/township.pem" ed25519 "$TOWNSHIP_KID" r-big-$now "$Z" "$PLAY" "\"pad\":\"$(head -c 9000 /dev/zero | tr '\0' x)\""
expect_digest big oversize
# key outside its validity window
mk oldkey "$RIG/rogue.pem" ed25519 old-key r-oldkey-$now "$Z" "$PLAY"
expect_digest oldkey key-not-valid
# signed, but the body is not a valid warning
printf '{"v":1,"kind":"alert","id":"r-badbody-%s"}' "$now" > "$RIG/badbody.json"
sign_body "$RIG/township.pem" ed25519 "$TOWNSHIP_KID" "$RIG/badbody.json" "$RIG/badbody.msg"
expect_digest badbody bad-body
# another township's key cannot sound this village
mk scope "$RIG/other-township.pem" ed25519 township-102 r-scope-$now "$Z" "$PLAY"
expect_ref scope r-scope-$now zone-scope
# a key allowed only silent tests cannot send a real warning
mk action "$RIG/test-only.pem" ed25519 test-only r-action-$now "$Z" "$PLAY"
expect_ref action r-action-$now action-scope
# expired, and dated too far in the future
mk expired "$RIG/township.pem" ed25519 "$TOWNSHIP_KID" r-expired-$now "$Z" "$PLAY" "" $((now - 7200)) $((now - 3600))
expect_ref expired r-expired-$now expired
mk future "$RIG/township.pem" ed25519 "$TOWNSHIP_KID" r-future-$now "$Z" "$PLAY" "" $((now + 3600)) $((now + 7200))
expect_ref future r-future-$now future
# a clip whose SHA-256 does not match the node's file: failed, never played
mk badclip "$RIG/township.pem" ed25519 "$TOWNSHIP_KID" r-badclip-$now "$Z" "[{\"clip\":\"flood.opus\",\"sha256\":\"$(printf '%064d' 0)\"}]"
publish "$RIG/badclip.msg" 430682101201
check "clip hash mismatch: failed receipt" wait_receipt village-201 r-badclip-$now failed

check "no relay edge after all rejections" [ "$(edge_count village-201)" = 0 ]
check "no audio after all rejections" no_audio village-201
check "rejections are logged with their reason" grep -q "rejected.*bad-signature" "$RIG/village-201.log"

# replay: the same signed warning twice, and again after a restart
mk good "$RIG/township.pem" ed25519 "$TOWNSHIP_KID" r-good-$now "$Z" "$PLAY"
publish "$RIG/good.msg" 430682101201
check "a valid warning plays" wait_receipt village-201 r-good-$now done
edges_before=$(edge_count village-201)
# the exact same bytes again (as through a second zone topic): dropped quietly
publish "$RIG/good.msg" 430682101201
check "an exact copy is logged as a copy" wait_for 60 grep -q "another copy of r-good-$now" "$RIG/village-201.log"
# the same id with other bytes is a replay
mk good2 "$RIG/township.pem" ed25519 "$TOWNSHIP_KID" r-good-$now "$Z" "$PLAY" '"note":"resent"'
expect_ref good2 r-good-$now replay
# good2's rejection went upstream after the copy was handled: by now a
# rejection of the copy (named by its digest) would have arrived too
no_digest() { ! has_digest "$@"; }
check "an exact copy is dropped without a rejection" no_digest village-201 "$(digest16 "$RIG/good.msg")"
node_stop village-201
node_start village-201
wait_online village-201
# the exact bytes again: still known as a copy (its digest is kept with the id)
publish "$RIG/good.msg" 430682101201
copies() { [ "$(grep -c "another copy of r-good-$now" "$RIG/village-201.log")" -ge 2 ]; }
check "after a restart an exact copy is still dropped as a copy" wait_for 60 copies
# other bytes under the same id: a replay, after a restart too
publish "$RIG/good2.msg" 430682101201
count_rej() { [ "$(receipts village-201 | grep -c "\"ref\":\"r-good-$now\".*\"state\":\"rejected\"")" -ge 2 ]; }
check "replay after a restart: a second rejection receipt" wait_for 60 count_rej
check "replay after restart logged with its reason" [ "$(grep -c "rejected r-good-$now.*replay" "$RIG/village-201.log")" = 2 ]
check "replays closed no relay" [ "$(edge_count village-201)" = "$edges_before" ]

# a flood of forged messages: rejection receipts are rate limited
node_stop village-201
sed -i 's/^reject_receipts_per_min = 1000/reject_receipts_per_min = 5/' "$RIG/village-201.conf"
node_start village-201
wait_online village-201
before=$(receipts village-201 | grep -c '"state":"rejected"')
for i in $(seq 1 40); do
	printf 'CX1 ed25519 rogue AAAA\n{"flood":%d}' "$i" > "$RIG/flood.msg"
	publish "$RIG/flood.msg" 430682101201
done
# a silent test warning after the flood: once its receipt is here, every
# rejection receipt the flood caused is here too (one connection, in order)
mk mark "$RIG/township.pem" ed25519 "$TOWNSHIP_KID" r-mark-$now "$Z" "$PLAY"
sed -i 's/"status":"actual"/"status":"test"/' "$RIG/mark.json"
sign_body "$RIG/township.pem" ed25519 "$TOWNSHIP_KID" "$RIG/mark.json" "$RIG/mark.msg"
publish "$RIG/mark.msg" 430682101201
check "a test warning after the flood is confirmed" wait_receipt village-201 r-mark-$now done
after=$(receipts village-201 | grep -c '"state":"rejected"')
check "flood of 40: at most 5 rejection receipts sent ($((after - before)))" [ $((after - before)) -ge 1 -a $((after - before)) -le 5 ]
check "the node is still alive after the flood" kill -0 "${NODE_PID[village-201]}"
check "still no relay edge from the flood" [ "$(edge_count village-201)" = "$edges_before" ]
finish
