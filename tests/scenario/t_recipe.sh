#!/usr/bin/env bash
# docs/PROTOCOL.md section 10, run as written: a third party makes a valid
# signed warning with openssl(1), coreutils and mosquitto_pub(1) only, and a
# real node plays it and confirms.
. "$(dirname "$0")/lib.sh"

# the shell blocks of section 10, in order
python3 - "$TOP/docs/PROTOCOL.md" "$RIG/recipe" <<'PY'
import sys, re
doc = open(sys.argv[1]).read()
sec = doc[doc.index("## 10."):]
blocks = re.findall(r"```sh\n(.*?)```", sec, re.S)
assert len(blocks) == 2, blocks
for i, b in enumerate(blocks):
    open("%s%d.sh" % (sys.argv[2], i + 1), "w").write(b)
PY
check "PROTOCOL.md has the two recipe blocks" [ -s "$RIG/recipe1.sh" -a -s "$RIG/recipe2.sh" ]

make_keys
mkdir -p "$RIG/sender"
(cd "$RIG/sender" && bash -e "$RIG/recipe1.sh")
check "recipe block 1 made a key pair" [ -s "$RIG/sender/township.pem" -a -s "$RIG/sender/township.pub" ]
# the node trusts the recipe's key under the id the recipe uses
cp "$RIG/sender/township.pem" "$RIG/township.pem"
make_clip flood.opus 0.5 1000
cp "$RIG/clips/flood.opus" "$RIG/sender/"
node_conf village-201 430682101201
rig_up village-201 || exit 1

(cd "$RIG/sender" && BROKER=127.0.0.1 PORT=$PORT USER=monitor PASS=pw-monitor bash -e "$RIG/recipe2.sh")
check "recipe block 2 ran" [ $? = 0 ]
id=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["id"])' "$RIG/sender/body.json")
check "the node played the recipe's warning and confirmed ($id)" wait_receipt village-201 "$id" done 15
check "and its relay closed" [ "$(edges village-201 | awk '$2=="AMP_EN"' | wc -l)" = 2 ]
finish
