#!/usr/bin/env bash
# Commands that behave like their neighbours (issue 10):
#  - -h/--help and -V/--version on cunxiangd, cunxiang-hub and cunxiangctl,
#    and --help on every cunxiangctl command: to stdout, exit 0; a usage
#    error: stderr only, exit 1 (the documented usage code of all three);
#    the version is the Makefile's VERSION, the same in all three;
#  - no terminal escape in output that is not a terminal: rollcall's live
#    redraw (against a small fake hub) has them on a pseudo-terminal, and
#    neither in a pipe, nor with NO_COLOR, nor with TERM=dumb;
#  - bash completion (completion/cunxiangctl.bash): commands, options from
#    the binary's own usage, fixed values, zone codes and names from the
#    ctl.conf's zone-name file, node ids, file names.
. "$(dirname "$0")/lib.sh"

HUBD=$BUILD/cunxiang-hub
VERSION=$(sed -n 's/^VERSION *?= *//p' Makefile)
check "the Makefile has a VERSION ($VERSION)" [ -n "$VERSION" ]
if [ -f debian/changelog ]; then
	deb=$(sed -n '1s/^[^(]*(\([^)]*\)).*/\1/p' debian/changelog)
	check "debian/changelog's upstream version ($deb) is the Makefile's" [ "${deb%-*}" = "$VERSION" ]
fi
ESC=$'\033'
noesc() { ! grep -q "$ESC" "$1"; }

# run OUT ERR CMD...: stdout to OUT, stderr to ERR, the exit status in RC
run() { local o=$1 e=$2; shift 2; "$@" >"$o" 2>"$e"; RC=$?; }

for prog in "$D" "$HUBD" "$CTL"; do
	name=$(basename "$prog")
	for h in -h --help; do
		run "$RIG/out" "$RIG/err" "$prog" $h
		check "$name $h: exit 0 ($RC), usage on stdout, stderr empty" \
			bash -c "[ $RC = 0 ] && grep -q '^usage: $name' '$RIG/out' && [ ! -s '$RIG/err' ]"
		check "... no escape in it" noesc "$RIG/out"
	done
	for v in -V --version; do
		run "$RIG/out" "$RIG/err" "$prog" $v
		check "$name $v: '$(cat "$RIG/out")', exit $RC" \
			bash -c "[ $RC = 0 ] && [ \"\$(cat '$RIG/out')\" = '$name $VERSION (protocol 1)' ] && [ ! -s '$RIG/err' ]"
	done
	run "$RIG/out" "$RIG/err" "$prog" --no-such-option
	check "$name --no-such-option: exit 1 ($RC), the error and usage on stderr, nothing on stdout" \
		bash -c "[ $RC = 1 ] && [ ! -s '$RIG/out' ] && grep -q 'no-such-option' '$RIG/err'"
done
run "$RIG/out" "$RIG/err" "$D" -n
check "cunxiangd without -c: exit 1, usage on stderr" bash -c "[ $RC = 1 ] && grep -q '^usage:' '$RIG/err'"
run "$RIG/out" "$RIG/err" "$CTL"
check "cunxiangctl without a command: exit 1, usage on stderr" bash -c "[ $RC = 1 ] && grep -q '^usage:' '$RIG/err' && [ ! -s '$RIG/out' ]"

# every command of cunxiangctl, as its own --help lists them
cmds=$("$CTL" --help | awk '/^  [a-z]/ { print $1 }')
check "cunxiangctl --help lists 17 commands or more ($(echo $cmds | wc -w))" [ "$(echo $cmds | wc -w)" -ge 17 ]
for c in $cmds; do
	run "$RIG/out" "$RIG/err" "$CTL" "$c" --help
	check "cunxiangctl $c --help: exit 0 ($RC), its usage on stdout" \
		bash -c "[ $RC = 0 ] && grep -q '^usage: cunxiangctl $c' '$RIG/out' && [ ! -s '$RIG/err' ] && ! grep -q '$ESC' '$RIG/out'"
	"$CTL" help "$c" > "$RIG/out2" 2>&1
	check "... cunxiangctl help $c says the same" cmp -s "$RIG/out" "$RIG/out2"
	run "$RIG/out" "$RIG/err" "$CTL" "$c" --no-such-option
	check "cunxiangctl $c --no-such-option: exit 1 ($RC), stderr only" \
		bash -c "[ $RC = 1 ] && [ ! -s '$RIG/out' ] && [ -s '$RIG/err' ]"
done

# --- escapes: rollcall's live view against a fake hub ------------------------
HPORT=$(free_port)
python3 - "$HPORT" > "$RIG/fakehub.log" 2>&1 <<'PY' &
import http.server, json, sys
W = {"id": "w-1", "type": "alert", "status": "actual", "verdict": "ok", "complete": True,
     "deadline_passed": False, "title": "flood",
     "counts": {"expected": 1, "done": 1},
     "zones": [{"zone": "430682101", "verdict": "ok", "counts": {"expected": 1, "done": 1}}],
     "nodes": [{"node": "village-201", "zone": "430682101201", "class": "done", "state": "done",
                "time_ms": 1764633600000, "verified": True, "reason": ""}]}
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = json.dumps(W).encode() if self.path == "/api/warnings/w-1" else b'{"error":"no"}'
        self.send_response(200 if self.path == "/api/warnings/w-1" else 404)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *a):
        pass
s = http.server.HTTPServer(("127.0.0.1", int(sys.argv[1])), H)
print("listening", flush=True)
s.serve_forever()
PY
wait_for 30 grep -q listening "$RIG/fakehub.log"
printf '[hub]\nurl = http://127.0.0.1:%s\n' "$HPORT" > "$RIG/ctl.conf"
RC_ARGS=(rollcall -c "$RIG/ctl.conf" w-1 --timeout 10)
# on a pseudo-terminal (script(1) gives the command one; its output is the typescript)
TERM=xterm script -qec "$(printf '%q ' "$CTL" "${RC_ARGS[@]}")" /dev/null > "$RIG/tty.out" 2>&1; rc=$?
check "rollcall on a terminal: exit 0 ($rc), the table drawn" \
	bash -c "[ $rc = 0 ] && grep -q village-201 '$RIG/tty.out'"
check "... with the clear-screen escape (the live view)" grep -q "$ESC\[2J" "$RIG/tty.out"
NO_COLOR=1 TERM=xterm script -qec "$(printf '%q ' "$CTL" "${RC_ARGS[@]}")" /dev/null > "$RIG/tty2.out" 2>&1
check "rollcall on a terminal with NO_COLOR=1: the table, no escape" \
	bash -c "grep -q village-201 '$RIG/tty2.out' && ! grep -q '$ESC' '$RIG/tty2.out'"
TERM=dumb script -qec "$(printf '%q ' "$CTL" "${RC_ARGS[@]}")" /dev/null > "$RIG/tty3.out" 2>&1
check "rollcall on a terminal with TERM=dumb: no escape" \
	bash -c "grep -q village-201 '$RIG/tty3.out' && ! grep -q '$ESC' '$RIG/tty3.out'"
TERM=xterm "$CTL" "${RC_ARGS[@]}" 2>&1 | cat > "$RIG/pipe.out"; rc=${PIPESTATUS[0]}
check "rollcall into a pipe: exit 0 ($rc), the table, no ESC byte" \
	bash -c "[ $rc = 0 ] && grep -q village-201 '$RIG/pipe.out' && ! grep -q '$ESC' '$RIG/pipe.out'"

# every escape in the programs' sources is in a file that asks term_controls()
esc_files=$(grep -rlE '\\033|\\x1[bB]|\\e\[' --include='*.c' common controller ctl hub audio gpio | sort)
unguarded=$(for f in $esc_files; do grep -q 'term_controls(' "$f" || echo "$f"; done)
check "every source printing an escape ($(echo $esc_files)) asks term_controls() first${unguarded:+: not $unguarded}" \
	[ -n "$esc_files" -a -z "$unguarded" ]

# --- bash completion ---------------------------------------------------------
cat > "$RIG/zones.csv" <<'CSV'
# a test directory
code,name,parent
430682,临湘市
430682101,忠防镇,430682
430682101201,东山村
CSV
printf '[zones]\nfile = zones.csv\n\n[node village-201]\nzone = 430682101201\n' > "$RIG/comp.conf"
: > "$RIG/alert.xml"; : > "$RIG/alarm.opus"; mkdir -p "$RIG/adir"
# complete WORD...: COMPREPLY for the command line WORD... (the last word is
# the one completed), one per line, sorted
complete_words() {
	(cd "$RIG" && bash -c '
		source "$1"; shift
		_cunxiangctl_bin=$1; shift
		[ "$(complete -p cunxiangctl)" = "complete -F _cunxiangctl cunxiangctl" ] || { echo NOT-REGISTERED; exit; }
		COMP_WORDS=(cunxiangctl "$@"); COMP_CWORD=$#
		COMP_LINE="${COMP_WORDS[*]}"; COMP_POINT=${#COMP_LINE}
		_cunxiangctl cunxiangctl "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
		printf "%s\n" "${COMPREPLY[@]}" | sort' _ "$TOP/completion/cunxiangctl.bash" "$CTL" "$@")
}
# expect WHAT WANT WORD...: the completions are exactly WANT (space-separated)
expect() {
	local what=$1 want=$2 got; shift 2
	got=$(complete_words "$@" | tr '\n' ' ' | sed 's/ $//')
	want=$(printf '%s\n' $want | sort | tr '\n' ' ' | sed 's/ $//')
	check "completion: $what: [$got]" [ "$got" = "$want" ]
}
expect "commands starting with r" "receipts rollcall report" r
expect "every command of cunxiangctl --help is offered" "$(echo $cmds) help version -h --help -V --version" ""
expect "warn --sev" "--severity" warn --sev
expect "warn's options starting --c, --config included" "--cap --clip --clip-dir --config" warn --c
expect "warn --dry" "--dry-run" warn --dry
expect "stream's own --fall... options" "--fallback-clip --fallback-speech" stream --fall
expect "--severity values" "1 2 3 4" warn --severity ""
expect "--status values" "actual exercise test" warn --status ""
expect "--siren values" "air-raid all-clear" warn --siren a
expect "report --at" "T+10 T+2" report --at T
expect "local's actions" "ack status stop" local ""
expect "schedule's actions" "send withdraw" schedule ""
expect "--zone: codes from the ctl.conf's zone file" "430682 430682101 430682101201" warn -c comp.conf --zone 4
expect "--zone: names too" "东山村" warn -c comp.conf --zone 东
expect "--zone=VALUE form" "430682101 430682101201" warn -c comp.conf --zone = 430682101
expect "selftest target: node ids and zones" "village-201" selftest -c comp.conf vil
expect "--cap: file names" "alarm.opus alert.xml" warn --cap al
expect "--clip-dir: directories only" "adir" warn --clip-dir a
expect "verify FILE" "alarm.opus alert.xml" verify al
expect "no zone file: nothing made up" "" warn -c /nonexistent.conf --zone 4
# every --option that a command's usage shows is offered for it
for c in $cmds; do
	want=$("$CTL" "$c" --help | grep -o -- '--[a-z][a-z-]*' | sort -u | tr '\n' ' ')
	got=" $(complete_words "$c" -- | tr '\n' ' ')"
	miss=""
	for o in $want; do case $got in *" $o "*) ;; *) miss="$miss $o" ;; esac; done
	check "completion: cunxiangctl $c -- offers every option of its usage${miss:+ (missing:$miss)}" [ -z "$miss" ]
done

finish
