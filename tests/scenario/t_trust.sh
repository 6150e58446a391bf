#!/usr/bin/env bash
# The trust store holds each public key once: the same key under a second,
# wider id would sidestep the narrow scope it was given.  cunxiangd -n and
# the daemon itself refuse such a file, naming both sections.
. "$(dirname "$0")/lib.sh"

make_keys
# the township's key again, as a county-wide alias with every action
node_conf village-201 430682101201 "
[key county-wide]
alg = ed25519
pubkey = $(pub_b64 "$RIG/township.pem")
zones = 430682
actions = warn,cancel,drill,test"
CONF=$RIG/village-201.conf
first=$(grep -n "^\[key $TOWNSHIP_KID\]" "$CONF" | cut -d: -f1)
second=$(grep -n "^\[key county-wide\]" "$CONF" | cut -d: -f1)
out=$("$D" -n -c "$CONF" 2>&1); rc=$?
check "cunxiangd -n refuses the alias (exit $rc)" [ "$rc" -ne 0 ]
want="$CONF:$second: key county-wide has the same public key as key $TOWNSHIP_KID (line $first)"
check "the message names file:line, the alias and the first key with its line" \
	grep -qF -- "$want" <<<"$out"
check "and does not say OK" bash -c "! grep -q 'configuration OK' <<<'$out'"

# the daemon refuses to start with it: no broker session, no relay
"$D" -d -v -c "$CONF" >"$RIG/start.log" 2>&1 & pid=$!
ended() { ! kill -0 "$pid" 2>/dev/null; }
check "the daemon exits at once" wait_for 60 ended
killed=0; ended || { kill -9 "$pid"; killed=1; }
wait "$pid" 2>/dev/null; rc=$?
check "... with a non-zero status ($rc)" [ "$killed" = 0 -a "$rc" -ne 0 ]
check "... naming the alias" grep -qF -- "$want" "$RIG/start.log"
check "... with no relay edge" [ "$(edge_count village-201)" = 0 ]

# the same key under one id only is fine (and -n finds the clip directory
# it names: it checks what the file points to too)
sed -i '/^\[key county-wide\]/,$d' "$CONF"
mkdir -p "$RIG/clips"
check "without the alias the file is OK" bash -c "'$D' -n -c '$CONF' | grep -q 'configuration OK'"
finish
