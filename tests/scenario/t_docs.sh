#!/usr/bin/env bash
# The man pages (man/): every page is mandoc -T lint clean at warning level,
# every config key and section the parsers accept is in its page, every
# cunxiangctl command and long option is in cunxiangctl(1), every option of
# cunxiangd and cunxiang-hub in theirs (tests/tools/docs_check.py reads the
# parsers' sources).  A key added to a parser without its page fails here,
# which the test shows on a copy of the tree.  The pages' example configs
# pass the programs' own checkers.
. "$(dirname "$0")/lib.sh"

pages=(man/cunxiangd.8 man/cunxiangctl.1 man/cunxiang-hub.8 man/cunxiang-node.conf.5
	man/cunxiang-ctl.conf.5 man/cunxiang-hub.conf.5)
for p in "${pages[@]}"; do
	check "$p exists" test -s "$p"
	out=$(mandoc -T lint -W warning "$p" 2>&1); rc=$?
	check "$p: mandoc -T lint -W warning is clean (exit $rc)${out:+: $out}" [ "$rc" = 0 -a -z "$out" ]
	# it renders, and says what it is in its NAME line
	name=$(basename "$p"); name=${name%.*}
	check "$p renders with its name" bash -c "mandoc -T ascii '$p' | sed 's/.\x08//g' | grep -q '^ *$name '"
done
check "no page in man/ that is not listed here" \
	[ "$(ls man | sort | tr '\n' ' ')" = "$(printf '%s\n' "${pages[@]}" | sed 's|man/||' | sort | tr '\n' ' ')" ]

for what in keys ctl options; do
	out=$(python3 tests/tools/docs_check.py $what 2>&1); rc=$?
	check "docs_check $what: $(echo "$out" | tail -1)$(echo "$out" | grep '^missing' | tr '\n' ' ')" [ "$rc" = 0 ]
done

# the check bites: a copy of the tree with a key, a command and an option
# added to the code but not to the pages
T=$RIG/tree
mkdir -p "$T"
cp -r common ctl controller hub man "$T"/
sed -i 's|^\t{ "node", "id", K_NODEID|\t{ "node", "bell_line", K_STR, F(id), 0, 0, 0 },\n&|' "$T/common/config_keys.c"
sed -i 's|^\t{ "hub", "id", K_NODEID|\t{ "hub", "archive_dir", K_STR, F(id), 0, 0 },\n&|' "$T/hub/hubconf.c"
sed -i 's|if (strcmp(k, "host") == 0)|if (strcmp(k, "bind_address") == 0) return 0;\n\t&|' "$T/ctl/ctlconf.c"
sed -i 's|{ "keygen", cmd_keygen,|{ "purge", cmd_keygen, "x" },\n\t&|' "$T/ctl/main.c"
sed -i 's|{ "clip", required_argument, NULL, .C. },|&\n\t{ "chime", no_argument, NULL, 1 },|' "$T/ctl/cmd_warn.c"
sed -i 's|{ "help", no_argument, NULL, .h. }, { "version"|{ "foreground", no_argument, NULL, 1 }, &|' "$T/controller/main.c"
out=$(cd "$T" && python3 "$TOP/tests/tools/docs_check.py" keys 2>&1); rc=$?
check "an undocumented node.conf key fails the check" bash -c "[ $rc = 1 ] && grep -q 'cunxiang-node.conf.5: key bell_line' <<<'$out'"
check "... so does a hub.conf key" grep -q 'cunxiang-hub.conf.5: key archive_dir' <<<"$out"
check "... and a ctl.conf key" grep -q 'cunxiang-ctl.conf.5: key bind_address' <<<"$out"
out=$(cd "$T" && python3 "$TOP/tests/tools/docs_check.py" ctl 2>&1); rc=$?
check "an undocumented cunxiangctl command and option fail the check" \
	bash -c "[ $rc = 1 ] && grep -q 'command purge' <<<'$out' && grep -q 'option --chime' <<<'$out'"
out=$(cd "$T" && python3 "$TOP/tests/tools/docs_check.py" options 2>&1); rc=$?
check "an undocumented cunxiangd option fails the check" \
	bash -c "[ $rc = 1 ] && grep -q 'cunxiangd.8: option --foreground' <<<'$out'"

# the EXAMPLES configs are real: they pass cunxiangd -n and cunxiang-hub -n
# example PAGE: the config in its EXAMPLES section (from the first [section])
example() {
	mandoc -T ascii "$1" | sed 's/.\x08//g' | awk '/^EXAMPLES/{e=1; next} /^[A-Z]/{e=0} e' |
		sed 's/^[[:space:]]*//' | sed -n '/^\[/,$p'
}
example man/cunxiang-node.conf.5 > "$RIG/node.conf"
sed -i "s|^state_dir = .*|state_dir = $RIG/state|; s|^clip_dir = .*|clip_dir = $RIG/clips|; s|^device = sim:.*|device = sim:$RIG/sim|; s|^password_file = .*|password_file = $RIG/mqtt.pass|" "$RIG/node.conf"
mkdir -p "$RIG/state" "$RIG/clips" "$RIG/sim"; echo pw > "$RIG/mqtt.pass"
out=$("$D" -n -c "$RIG/node.conf" 2>&1)
check "cunxiang-node.conf(5)'s example passes cunxiangd -n: $out" grep -q "configuration OK" <<<"$out"
example man/cunxiang-hub.conf.5 > "$RIG/hub.conf"
openssl genpkey -algorithm ED25519 -out "$RIG/hub.key" 2>/dev/null; chmod 600 "$RIG/hub.key"
sed -i "s|^state_dir = .*|state_dir = $RIG/hub|; s|^key = .*|key = $RIG/hub.key|; s|^password_file = .*|password_file = $RIG/mqtt.pass|; s|^tokens = .*|tokens = $RIG/tokens|" "$RIG/hub.conf"
grep -q "^console_dir" "$RIG/hub.conf" || sed -i "/^\[http\]/a console_dir = $(pwd)/hub/console" "$RIG/hub.conf"
printf "viewer console %s\n" "$(printf x | sha256sum | cut -c1-64)" > "$RIG/tokens"
out=$("$BUILD/cunxiang-hub" -n -c "$RIG/hub.conf" 2>&1)
check "cunxiang-hub.conf(5)'s example passes cunxiang-hub -n: $out" grep -q "configuration OK" <<<"$out"

example man/cunxiang-ctl.conf.5 > "$RIG/ctl.conf"
sed -i "s|^password_file = .*|password_file = $RIG/mqtt.pass|" "$RIG/ctl.conf"
out=$("$CTL" acl --ctl "$RIG/ctl.conf" 2>&1)
check "cunxiang-ctl.conf(5)'s example loads (cunxiangctl acl --ctl): $(echo "$out" | head -1)" \
	grep -q "^user township-430682101" <<<"$out"

finish
