#!/usr/bin/env bash
# cunxiangctl against a real broker, no daemon: keygen (Ed25519, SM2), node-key,
# acl, warn checked byte for byte with openssl, bad inputs that must publish
# nothing, broker errors, and receipts (verified, tampered, unknown node,
# silent, failed) with hand-made receipts signed by openssl.
#
#   tests/scenario/test_ctl_basic.sh [BUILD_DIR]     (or BUILD=... in the environment)
set -u
BUILD=${1:-${BUILD:-build}}
case $BUILD in /*) ;; *) BUILD=$(pwd)/$BUILD ;; esac
CTL=$BUILD/cunxiangctl
T=$(mktemp -d /tmp/cx-ctl.XXXXXX)
chmod 755 "$T"
BROKER_PID= MON_PID= PORT=
NPASS=0 NFAIL=0

cleanup() {
	[ -n "$MON_PID" ] && kill "$MON_PID" 2>/dev/null
	[ -n "$BROKER_PID" ] && kill "$BROKER_PID" 2>/dev/null
	wait 2>/dev/null
	if [ "${KEEP_RIG:-0}" = 1 ]; then echo "rig kept: $T"; else rm -rf "$T"; fi
}
trap cleanup EXIT

ok()   { NPASS=$((NPASS + 1)); echo "ok - $*"; }
fail() { NFAIL=$((NFAIL + 1)); echo "FAIL - $*"; }
check() { local what=$1; shift; if "$@"; then ok "$what"; else fail "$what"; fi; }
# expect_rc WHAT CODE COMMAND...: run, compare the exit status
expect_rc() {
	local what=$1 want=$2 rc; shift 2
	"$@" >"$T/out" 2>"$T/err"; rc=$?
	if [ "$rc" = "$want" ]; then ok "$what (exit $rc)"; else
		fail "$what: exit $rc, wanted $want"; sed 's/^/    /' "$T/out" "$T/err"; fi
}
wait_for() {   # wait_for SECONDS COMMAND...
	local i; local n=$(($1 * 20)); shift
	for ((i = 0; i < n; i++)); do "$@" 2>/dev/null && return 0; sleep 0.05; done
	return 1
}
port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
free_port() {
	local p i
	for ((i = 0; i < 50; i++)); do
		p=$((20000 + RANDOM % 30000))
		port_busy "$p" || { echo "$p"; return; }
	done
	echo 28830
}
pub_b64() { openssl pkey -in "$1" -pubout -outform DER 2>/dev/null | base64 -w0; }
pub_pem() { openssl pkey -in "$1" -pubout -out "$2" 2>/dev/null; }

[ -x "$CTL" ] || { echo "no $CTL: build it first (make build/cunxiangctl)"; exit 1; }
for t in mosquitto mosquitto_passwd mosquitto_pub mosquitto_sub openssl; do
	command -v "$t" >/dev/null || { echo "missing $t (apt-get install mosquitto mosquitto-clients openssl)"; exit 1; }
done
PATH=$PATH:/usr/sbin
cd "$T"

# --- keys -----------------------------------------------------------------
expect_rc "keygen ed25519" 0 "$CTL" keygen --out op.pem --kid township-101 --zones 430682101
cp out keygen-ed.out
check "keygen: key file is mode 0600" test "$(stat -c %a op.pem)" = 600
check "keygen: first line is the key's base64 SPKI" test "$(head -1 keygen-ed.out)" = "$(pub_b64 op.pem)"
check "keygen: prints a [key] stanza" grep -qx "actions = warn,cancel,drill,test" keygen-ed.out
expect_rc "keygen refuses to overwrite" 2 "$CTL" keygen --out op.pem
check "keygen: the existing key is untouched" test "$(head -1 keygen-ed.out)" = "$(pub_b64 op.pem)"
expect_rc "keygen sm2" 0 "$CTL" keygen --alg sm2 --out county.pem --kid county-sm2
check "keygen sm2: alg = sm2-sm3 in the stanza" grep -qx "alg = sm2-sm3" out
check "keygen sm2: openssl reads an SM2 key" bash -c "openssl pkey -in county.pem -text -noout 2>/dev/null | grep -q SM2"
expect_rc "keygen: unknown --alg" 1 "$CTL" keygen --alg rsa --out x.pem
expect_rc "keygen: -h" 0 "$CTL" keygen -h
pub_pem op.pem op.pub.pem
pub_pem county.pem county.pub.pem

# --- nodes: config, node-key --create, acl ---------------------------------
node_conf() {   # NAME ZONE
	mkdir -p "$1/state" "$1/sim"
	cat > "$1.conf" <<CONF
[node]
id = $1
zone = $2
state_dir = $T/$1/state
clip_dir = $T
[mqtt]
port = 1883
password = pw-$1
[gpio]
device = sim:$T/$1/sim
amp = AMP_EN
[audio]
device = null:
$(sed -n '/^\[key /,/^actions/p' keygen-ed.out)
CONF
}
node_conf village-201 430682101201
node_conf village-202 430682101202
expect_rc "node-key without a key says how to make one" 2 "$CTL" node-key -c village-201.conf
check "node-key: the message names --create" grep -q -- "--create" err
expect_rc "node-key --create" 0 "$CTL" node-key -c village-201.conf --create
check "node-key: key file 0600" test "$(stat -c %a village-201/state/node.key)" = 600
check "node-key: prints the [node] stanza" grep -qx "\[node village-201\]" out
check "node-key: pubkey matches the key" grep -qx "pubkey = $(pub_b64 village-201/state/node.key)" out
sed -n '/^\[node /,$p' out > node-201.stanza
expect_rc "node-key again reads the same key" 0 "$CTL" node-key -c village-201.conf
check "node-key: stable" grep -qx "pubkey = $(pub_b64 village-201/state/node.key)" out
# root making the key for the daemon (README, before the first start):
# the state directory's owner gets it, or cunxiangd could not read it
[ "$(id -u)" = 0 ] && chown nobody:nogroup village-202/state
"$CTL" node-key -c village-202.conf --create 2>/dev/null | sed -n '/^\[node /,$p' > node-202.stanza
if [ "$(id -u)" = 0 ]; then
	check "node-key --create as root: the key is the state directory owner's" \
		test "$(stat -c %U:%G village-202/state/node.key)" = nobody:nogroup
fi
openssl genpkey -algorithm ED25519 -out rogue.pem 2>/dev/null
expect_rc "acl for a village node" 0 "$CTL" acl -c village-201.conf
cat > acl.want <<EOF
user village-201
topic read cx/alert/43
topic read cx/alert/43/06
topic read cx/alert/43/06/82
topic read cx/alert/43/06/82/101
topic read cx/alert/43/06/82/101/201
topic read cx/node/village-201/cmd
topic read cx/stream/#
topic write cx/node/village-201/receipt
topic write cx/node/village-201/status
EOF
check "acl: the node's zone, its ancestors, its own topics" cmp -s out acl.want

# --- operator config and broker --------------------------------------------
PORT=$(free_port)
cat > ctl.conf <<CONF
# test operator
[mqtt]
host = 127.0.0.1
port = $PORT
username = township-101
password_file = $T/op.pass
prefix = cx

[signer]
key = $T/op.pem
kid = township-101

[receipts]
log = $T/receipts.log

$(cat node-201.stanza)

$(cat node-202.stanza)
CONF
printf 'pw-op\n' > op.pass
chmod 600 op.pass
sed -e "s#^key = .*#key = $T/county.pem#" -e 's/^kid = .*/kid = county-sm2/' \
    -e '/^\[receipts\]/,/^log/d' ctl.conf > ctl-sm2.conf
sed -e "s#^key = .*#key = $T/missing.pem#" ctl.conf > ctl-nokey.conf
sed -e "s#^password_file = .*#password = wrong#" ctl.conf > ctl-badpw.conf
sed -e "s#^port = .*#port = $(free_port)#" ctl.conf > ctl-noport.conf

: > passwd
for u in township-101:pw-op monitor:pw-mon village-201:pw-village-201 \
         village-202:pw-village-202 rogue-9:pw-rogue-9; do
	mosquitto_passwd -b passwd "${u%%:*}" "${u#*:}"
done
{
	echo "pattern write cx/node/%u/receipt"
	"$CTL" acl --ctl ctl.conf
	echo "user monitor"
	echo "topic read cx/#"
	echo "topic write cx/probe"
} > acl
expect_rc "acl --ctl for the operator" 0 "$CTL" acl --ctl ctl.conf
check "acl --ctl: operator reads receipts" grep -qx "topic read cx/node/+/receipt" out
cat > mosquitto.conf <<CONF
listener $PORT 127.0.0.1
allow_anonymous false
password_file $T/passwd
acl_file $T/acl
persistence false
user root
log_dest file $T/broker.log
CONF
chmod 644 passwd acl mosquitto.conf
touch broker.log; chmod 666 broker.log
mosquitto -c mosquitto.conf >broker.out 2>&1 &
BROKER_PID=$!
wait_for 60 port_busy "$PORT" || { echo "broker did not start"; cat broker.out broker.log; exit 1; }

# every alert topic, one line each: "topic hex-payload"
mosquitto_sub -V mqttv5 -h 127.0.0.1 -p "$PORT" -u monitor -P pw-mon -q 1 \
	-t 'cx/alert/#' -t cx/probe -F '%t %x' > alerts.txt 2>/dev/null &
MON_PID=$!
# subscribed once a probe on cx/probe comes back (the alert lines are counted
# without the probes)
mon_ready() {
	mosquitto_pub -V mqttv5 -h 127.0.0.1 -p "$PORT" -u monitor -P pw-mon -t cx/probe -m 70 2>/dev/null
	grep -q '^cx/probe ' alerts.txt
}
wait_for 60 mon_ready || { echo "the alert monitor did not subscribe"; exit 1; }
alerts() { grep '^cx/alert/' alerts.txt; }
nalerts() { alerts | wc -l; }
alerts_ge() { [ "$(nalerts)" -ge "$1" ]; }
# payload N: the Nth captured payload, binary exact
unhex() { perl -ne 'chomp; print pack "H*", $_'; }
payload() { alerts | sed -n "${1}p" | cut -d' ' -f2 | unhex; }
topic_of() { alerts | sed -n "${1}p" | cut -d' ' -f1; }
# split_env FILE: header fields into H_*, body into FILE.body, signature into FILE.sig
split_env() {
	local hdr; hdr=$(head -n1 "$1")
	read -r H_MAGIC H_ALG H_KID H_SIG <<<"$hdr"
	tail -c +$(( ${#hdr} + 2 )) "$1" > "$1.body"
	printf '%s' "$H_SIG" | base64 -d > "$1.sig"
}

# --- warn (Ed25519) ----------------------------------------------------------
head -c 3000 /dev/urandom > flood.opus
expect_rc "warn to two zones" 0 "$CTL" warn -c ctl.conf --zone 430682101201 --zone 430682101202 \
	--event flood --severity 2 --title "山洪预警" --text "请立即向高处转移" --siren air-raid \
	--clip flood.opus --repeat 2 --volume 90 --id test-ed-1
check "warn prints the id" test "$(cat out)" = test-ed-1
wait_for 60 alerts_ge 2
check "one copy on each zone's topic" test "$(alerts | cut -d' ' -f1 | sort | tr '\n' ' ')" = \
	"cx/alert/43/06/82/101/201 cx/alert/43/06/82/101/202 "
payload 1 > m1; payload 2 > m2
check "both copies are the same bytes" cmp -s m1 m2
check "header: CX1 ed25519 township-101" bash -c 'head -c 25 m1 | grep -qx "CX1 ed25519 township-101 "'
split_env m1
check "openssl verifies the Ed25519 signature over the body bytes" bash -c \
	'openssl pkeyutl -verify -rawin -pubin -inkey op.pub.pem -in m1.body -sigfile m1.sig >/dev/null' 
printf 'X' >> m1.body
check "a changed body does not verify" bash -c '! openssl pkeyutl -verify -rawin -pubin -inkey op.pub.pem -in m1.body -sigfile m1.sig >/dev/null 2>&1'
split_env m1
check "body: zones in order" grep -q '"zones":\["430682101201","430682101202"\]' m1.body
check "body: play list in command-line order, clip pinned by sha256" \
	grep -q "\"play\":\[{\"siren\":\"air-raid\"},{\"clip\":\"flood.opus\",\"sha256\":\"$(sha256sum flood.opus | cut -d' ' -f1)\"}\]" m1.body
check "body: kind, type, sender, severity, repeat, volume" bash -c \
	'grep -q "\"kind\":\"alert\"" m1.body && grep -q "\"type\":\"alert\"" m1.body && grep -q "\"sender\":\"township-101\"" m1.body && grep -q "\"severity\":2" m1.body && grep -q "\"repeat\":2" m1.body && grep -q "\"volume\":90" m1.body'
expect_rc "verify --pubkey accepts the saved payload" 0 "$CTL" verify m1 --pubkey "$(pub_b64 op.pem)"
check "verify prints the body" cmp -s <(head -c "$(stat -c %s m1.body)" out) m1.body
sed 's/"severity":2/"severity":1/' m1 > m1.bad
expect_rc "verify rejects a tampered payload" 4 "$CTL" verify m1.bad --pubkey "$(pub_b64 op.pem)"
expect_rc "verify -c node.conf: the node would accept it" 0 "$CTL" verify m1 -c village-201.conf

# generated id
expect_rc "warn with a generated id, test status" 0 "$CTL" warn -c ctl.conf --zone 430682101 \
	--event 11B03 --severity 4 --siren pre-warning --status test --expires 600
check "generated id is <kid>-<UTC yyyymmddHHMMSS>-<4 hex>" grep -Eqx 'township-101-[0-9]{14}-[0-9a-f]{4}' out
wait_for 60 alerts_ge 3
check "township zone topic" test "$(topic_of 3)" = cx/alert/43/06/82/101

# --- warn (SM2) --------------------------------------------------------------
expect_rc "warn signed with SM2" 0 "$CTL" warn -c ctl-sm2.conf --zone 430682000000 --event flood \
	--severity 1 --siren air-raid --status exercise --id test-sm2-1
wait_for 60 alerts_ge 4
payload 4 > m4
split_env m4
check "SM2: header CX1 sm2-sm3 county-sm2" test "$H_MAGIC $H_ALG $H_KID" = "CX1 sm2-sm3 county-sm2"
check "SM2: zone normalised, county topic" test "$(topic_of 4)" = cx/alert/43/06/82
check "openssl verifies the SM2/SM3 signature (distid 1234567812345678)" bash -c \
	"openssl dgst -sm3 -verify county.pub.pem -sigopt distid:1234567812345678 -signature m4.sig m4.body >/dev/null"

# --- bad inputs: documented exit codes, nothing published ----------------------
before=$(nalerts)
W=(warn -c ctl.conf --event flood --siren air-raid)
expect_rc "severity 7" 1 "$CTL" "${W[@]}" --zone 430682101201 --severity 7
expect_rc "zone 123" 1 "$CTL" "${W[@]}" --zone 123 --severity 2
expect_rc "zone starting 00" 1 "$CTL" "${W[@]}" --zone 000682 --severity 2
expect_rc "missing --zone" 1 "$CTL" "${W[@]}" --severity 2
expect_rc "missing --event" 1 "$CTL" warn -c ctl.conf --zone 430682101201 --severity 2 --siren air-raid
expect_rc "nothing to play" 1 "$CTL" warn -c ctl.conf --zone 430682101201 --severity 2 --event flood
expect_rc "unknown option" 1 "$CTL" "${W[@]}" --zone 430682101201 --severity 2 --loud
expect_rc "volume 101" 1 "$CTL" "${W[@]}" --zone 430682101201 --severity 2 --volume 101
expect_rc "repeat 11" 1 "$CTL" "${W[@]}" --zone 430682101201 --severity 2 --repeat 11
expect_rc "title over 256 bytes" 1 "$CTL" "${W[@]}" --zone 430682101201 --severity 2 --title "$(printf '%0300d' 0)"
expect_rc "bad --status" 1 "$CTL" "${W[@]}" --zone 430682101201 --severity 2 --status draft
expect_rc "cancel without an id" 1 "$CTL" cancel -c ctl.conf --zone 430682101201
expect_rc "cancel takes no --event" 1 "$CTL" cancel -c ctl.conf test-ed-1 --zone 430682101201 --event flood
expect_rc "missing clip file" 2 "$CTL" "${W[@]}" --zone 430682101201 --severity 2 --clip nosuch.opus
expect_rc "missing key file" 2 "$CTL" warn -c ctl-nokey.conf --zone 430682101201 --event flood --severity 2 --siren air-raid
expect_rc "missing config" 2 "$CTL" "${W[@]/ctl.conf/nosuch.conf}" --zone 430682101201 --severity 2
printf '[mqtt]\nhots = x\n' > typo.conf
expect_rc "unknown config key" 2 "$CTL" warn -c typo.conf --zone 430682101201 --event flood --severity 2 --siren air-raid
check "config errors name file and line" grep -q "typo.conf:2:" err
expect_rc "wrong broker password" 3 "$CTL" warn -c ctl-badpw.conf --zone 430682101201 --event flood --severity 2 --siren air-raid
expect_rc "no broker on the port" 3 "$CTL" warn -c ctl-noport.conf --zone 430682101201 --event flood --severity 2 --siren air-raid
sleep 0.3
check "bad inputs published nothing" test "$(nalerts)" = "$before"
check "the password never reaches the output" bash -c '! grep -rq pw-op out err'

# --- receipts ------------------------------------------------------------------
# receipt FILE NODE KEY REF SEQ STATE [REASON]: a receipt signed like a node does
receipt() {
	local f=$1 node=$2 key=$3 ref=$4 seq=$5 state=$6 reason=${7:-} code
	case $state in received|queued) code=1 ;; playing) code=2 ;; done) code=3 ;;
		cancelled) code=5 ;; *) code=4 ;; esac
	printf '{"v":1,"kind":"receipt","node":"%s","seq":%d,"time":%d,"ref":"%s","digest":"","state":"%s","code":%d,"reason":"%s","status":"actual","received":0,"started":0,"ended":0,"frames":0,"underruns":0,"suppressed":0,"edges":[]}' \
		"$node" "$seq" "$(($(date +%s) * 1000))" "$ref" "$state" "$code" "$reason" > "$f.body"
	openssl pkeyutl -sign -rawin -inkey "$key" -in "$f.body" -out "$f.sig"
	{ printf 'CX1 ed25519 %s %s\n' "$node" "$(base64 -w0 "$f.sig")"; cat "$f.body"; } > "$f"
}
send_receipt() {   # FILE AS-USER [NODE-TOPIC]
	mosquitto_pub -V mqttv5 -h 127.0.0.1 -p "$PORT" -u "$2" -P "pw-$2" -q 1 \
		-t "cx/node/${3:-$2}/receipt" -f "$1"
}
K201=village-201/state/node.key
receipt r1 village-201 "$K201" test-ed-1 3 received
receipt r2 village-201 "$K201" test-ed-1 5 done
sed 's/"seq":5,/"seq":9,/; s/"state":"done","code":3/"state":"failed","code":4/' r2 > r3   # tampered
receipt r4 rogue-9 rogue.pem test-ed-1 1 done                                          # not enrolled
receipt r5 village-201 "$K201" other-warning 7 failed
# the receipts session exists since the first warn: these are queued for us
send_receipt r1 village-201
send_receipt r2 village-201
send_receipt r3 village-201
send_receipt r4 rogue-9
send_receipt r5 village-201
sleep 0.2
R=(receipts -c ctl.conf test-ed-1 --zone 430682101201 --zone 430682101202 --timeout 10)
expect_rc "receipts: one node silent -> 5" 5 "$CTL" "${R[@]}"
cp out receipts1.out
row() { grep -E "^$1 +" receipts1.out | grep -qE "$2"; }
check "village-201 done, code 3, verified" row village-201 ' done +3 .* yes '
check "tampered receipt shown unverified (bad signature)" row village-201 ' NO +UNVERIFIED \(bad signature\)'
check "unknown node shown unverified" row rogue-9 ' NO +UNVERIFIED \(unknown node\)'
check "village-202 silent" row village-202 ' silent +0 '
check "receipts of another warning are not listed" bash -c '! grep -q other-warning receipts1.out'
check "summary line" grep -q "^warning test-ed-1: 2 expected, 1 confirmed, 0 failed, 1 silent" receipts1.out

# the log keeps what the broker handed over once
start=$(date +%s%N)
expect_rc "receipts from the log, only the answering node expected -> 0" 0 \
	"$CTL" receipts -c ctl.conf test-ed-1 --zone 430682101201 --timeout 60
check "stops early once every expected node is final" test $(( ($(date +%s%N) - start) / 1000000 )) -lt 30000
expect_rc "receipts --json" 5 "$CTL" "${R[@]}" --json
check "--json is one JSON document with the facts" bash -c \
	'test $(wc -l < out) = 1 && grep -q "\"id\":\"test-ed-1\"" out && grep -q "\"silent\":1" out && grep -q "\"confirmed\":1" out && grep -q "\"verified\":false" out'
if command -v python3 >/dev/null; then
	check "--json parses" python3 -c 'import json,sys; d=json.load(open("out")); assert d["exit"]==5 and len(d["nodes"])==4'
fi
expect_rc "receipts for a failed warning -> 4" 4 "$CTL" receipts -c ctl.conf other-warning --timeout 10
expect_rc "receipts: no answer at all -> 5" 5 "$CTL" receipts -c ctl.conf nobody-answered --timeout 1
expect_rc "receipts: bad id" 1 "$CTL" receipts -c ctl.conf 'bad id' --timeout 1

# --wait: subscribed before publishing; a node answers while we wait
( sleep 0.7
  receipt w1 village-201 "$K201" test-wait-1 11 done; send_receipt w1 village-201
  receipt w2 village-202 village-202/state/node.key test-wait-1 3 rejected zone-scope
  send_receipt w2 village-202 ) &
HELPER=$!
expect_rc "warn --wait: a node rejected -> 4" 4 "$CTL" warn -c ctl.conf --zone 430682101 --event flood \
	--severity 3 --siren all-clear --id test-wait-1 --wait 60
check "warn --wait prints the id, then the summary" bash -c \
	'head -1 out | grep -qx test-wait-1 && grep -qE "^village-202 .* rejected .* zone-scope" out'
wait "$HELPER"
"$CTL" warn -c ctl.conf --zone 430682101201 --event flood --severity 2 --siren air-raid \
	--id test-c-1 >/dev/null 2>&1
( sleep 0.7; receipt c1 village-201 "$K201" test-c-1 13 cancelled; send_receipt c1 village-201 ) &
HELPER=$!
expect_rc "cancel --wait: the node cancelled it -> 0" 0 "$CTL" cancel -c ctl.conf test-c-1 \
	--zone 430682101201 --id test-cancel-1 --wait 60
wait "$HELPER"
check "cancel --wait shows the cancelled warning's receipt" grep -qE "^village-201 .* cancelled +5 .* yes" out
wait_for 60 alerts_ge 7
payload 7 > m7
check "cancel body: type cancel, ref, zones" bash -c \
	'grep -q "\"type\":\"cancel\"" m7 && grep -q "\"ref\":\"test-c-1\"" m7 && grep -q "\"zones\":\[\"430682101201\"\]" m7'

echo "$NPASS passed, $NFAIL failed"
[ "$NFAIL" -eq 0 ]
