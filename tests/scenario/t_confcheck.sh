#!/usr/bin/env bash
# cunxiangd -n and cunxiang-hub -n check what the configuration points to,
# not only its syntax: a config whose files, directories and devices are all
# missing or wrong gets one line per problem, "FILE:LINE: [section] key:
# what is wrong", every problem listed, exit status 1; -s checks the file
# alone; a config whose world is in place says "configuration OK".
# (Run as root here, so "cannot be written" cannot be shown: access(2)
# lets root write anywhere.  GPIO line offsets need a real chip: the
# QEMU test in tests/hw covers the libgpiod backend.)
. "$(dirname "$0")/lib.sh"

make_keys
make_clip chime.opus 0.3 700
node_conf village-201 430682101201 "[local]
activation = clip:missing.opus:$(printf '%064d' 0)"
C=$RIG/village-201.conf
GOOD=$RIG/good.conf
# the good twin: no [local] clip that is missing
grep -v '^activation = clip:missing' "$C" | sed '/^\[local\]$/d' > "$GOOD"

# line_of FILE REGEX: the line number of the first match
line_of() { grep -n -m1 -E "$2" "$1" | cut -d: -f1; }
# set_key FILE KEY VALUE: replace "KEY = ..." (first one), or append under [mqtt]
set_key() { sed -i "0,/^$2 = .*/s||$2 = $3|" "$1"; }

check "a first start: no node key yet (the daemon makes it)" \
	test ! -e "$RIG/village-201/state/node.key"
check "a config whose world is in place: configuration OK" \
	bash -c "'$D' -n -c '$GOOD' | grep -qx 'configuration OK'"

# --- break everything it names --------------------------------------------------
: > "$RIG/not-a-dir"
echo "not a key" > "$RIG/village-201/state/node.key"
echo "no certificate here" > "$RIG/ca.pem"
set_key "$C" clip_dir "$RIG/no-clips"
set_key "$C" device "sim:$RIG/no-sim"            # [gpio] device comes first
sed -i "0,/^device = file:.*/s||device = alsa:no_such_pcm|" "$C"
sed -i "s|^password = pw-village-201$|password_file = $RIG/no-such.pass\ntls_ca = $RIG/ca.pem|" "$C"
out=$("$D" -n -c "$C" 2>&1); rc=$?
echo "$out" | sed 's/^/    /'
has_line() { echo "$out" | grep -qxF -- "$1"; }
check "exit status 1" [ "$rc" = 1 ]
check "state_dir: the node key in it does not load" \
	bash -c "echo '$out' | grep -q '^$C:$(line_of "$C" '^state_dir =' ): \[node\] state_dir: node key: '"
check "clip_dir missing" has_line "$C:$(line_of "$C" '^clip_dir =' ): [node] clip_dir: $RIG/no-clips: No such file or directory"
check "password_file missing" has_line "$C:$(line_of "$C" '^password_file =' ): [mqtt] password_file: $RIG/no-such.pass: No such file or directory"
check "tls_ca holds no certificate" has_line "$C:$(line_of "$C" '^tls_ca =' ): [mqtt] tls_ca: $RIG/ca.pem: no PEM certificate in it"
check "GPIO chip missing (sim directory)" has_line "$C:$(line_of "$C" '^device = sim:' ): [gpio] device: sim: $RIG/no-sim: No such file or directory"
check "ALSA device does not open" has_line "$C:$(line_of "$C" '^device = alsa:' ): [audio] device: alsa:no_such_pcm: cannot open: No such file or directory"
check "every problem counted (6)" has_line "cunxiangd: $C: 6 problems"
check "no alsa-lib chatter on stderr" bash -c "! echo '$out' | grep -q '^ALSA lib'"
check "-s: the file alone is fine" bash -c "'$D' -n -s -c '$C' | grep -qx 'configuration OK'"

# --- more: state_dir not a directory, the [local] clip, a gpiod chip, a file sink --
set_key "$C" state_dir "$RIG/not-a-dir"
set_key "$C" clip_dir "$RIG/clips"
sed -i "0,/^device = sim:.*/s||device = gpiod:gpiochip77|" "$C"
sed -i "0,/^device = alsa:.*/s||device = file:$RIG/no-dir/out.wav|" "$C"
out=$("$D" -n -c "$C" 2>&1); rc=$?
echo "$out" | sed 's/^/    /'
check "state_dir is a file" has_line "$C:$(line_of "$C" '^state_dir =' ): [node] state_dir: $RIG/not-a-dir: not a directory"
check "the local button's clip is not in clip_dir" has_line "$C:$(line_of "$C" '^activation =' ): [local] activation: $RIG/clips/missing.opus: No such file or directory"
check "gpiod chip missing" has_line "$C:$(line_of "$C" '^device = gpiod:' ): [gpio] device: gpiod: gpiochip77: no such chip"
check "file sink's directory missing" has_line "$C:$(line_of "$C" '^device = file:' ): [audio] device: file:$RIG/no-dir/out.wav: directory $RIG/no-dir: No such file or directory"
check "exit status 1 again" [ "$rc" = 1 ]

# started anyway, the daemon logs its fatal start-up error as an error
timeout 60 "$D" -d -c "$C" > "$RIG/fatal.log" 2>&1; rc=$?
check "the daemon exits 1 on it" [ "$rc" = 1 ]
check "... logged as an error, not a warning" grep -q "cunxiangd: error: .*gpiochip77" "$RIG/fatal.log"

# --- the hub -------------------------------------------------------------------------
hub_conf ""
H=$RIG/hub.conf
echo "garbage" > "$RIG/bad-tls.key"
sed -i -e "s|^key = .*|key = $RIG/no-hub.pem|" \
	-e "s|^state_dir = .*|state_dir = $RIG/no-parent/hub|" \
	-e "s|^password = pw-hub$|password_file = $RIG/no-hub.pass|" \
	-e "s|^listen = off\$|listen = 127.0.0.1:1\ntokens = $RIG/no.tokens\ntls_cert = $RIG/ca.pem\ntls_key = $RIG/bad-tls.key\nconsole_dir = $RIG/no-console|" "$H"
printf '[signer]\nkey = %s/no-township.pem\nkid = township-101\nzones = 430682101\nactions = warn\n' "$RIG" >> "$H"
out=$("$HUB" -n -c "$H" 2>&1); rc=$?
echo "$out" | sed 's/^/    /'
check "hub: exit status 1" [ "$rc" = 1 ]
check "hub: state_dir cannot be made" has_line "$H:$(line_of "$H" '^state_dir =' ): [hub] state_dir: $RIG/no-parent/hub: does not exist and cannot be made: No such file or directory"
check "hub: key missing" has_line "$H:$(line_of "$H" "^key = $RIG/no-hub.pem" ): [hub] key: $RIG/no-hub.pem: No such file or directory"
check "hub: password_file missing" has_line "$H:$(line_of "$H" '^password_file =' ): [mqtt] password_file: $RIG/no-hub.pass: No such file or directory"
check "hub: tokens missing" has_line "$H:$(line_of "$H" '^tokens =' ): [http] tokens: $RIG/no.tokens: No such file or directory"
check "hub: tls_cert holds no certificate" has_line "$H:$(line_of "$H" '^tls_cert =' ): [http] tls_cert: $RIG/ca.pem: no PEM certificate in it"
check "hub: tls_key is no key" has_line "$H:$(line_of "$H" '^tls_key =' ): [http] tls_key: $RIG/bad-tls.key: not a PEM private key (or one with a passphrase)"
check "hub: console_dir missing" has_line "$H:$(line_of "$H" '^console_dir =' ): [http] console_dir: $RIG/no-console: No such file or directory"
check "hub: signer key missing" has_line "$H:$(line_of "$H" "^key = $RIG/no-township.pem" ): [signer] key: $RIG/no-township.pem: No such file or directory"
check "hub: every problem counted (8)" has_line "cunxiang-hub: $H: 8 problems"
timeout 60 "$HUB" -d -c "$H" > "$RIG/hub-fatal.log" 2>&1; rc=$?
check "hub: started anyway, exits 1" [ "$rc" = 1 ]
check "... its fatal start-up error logged as an error" grep -q "cunxiang-hub: error: .*no-parent" "$RIG/hub-fatal.log"
check "hub: -s: the file alone is fine" bash -c "'$HUB' -n -s -c '$H' | grep -q '^configuration OK'"
finish
