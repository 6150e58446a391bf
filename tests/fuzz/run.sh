#!/usr/bin/env bash
# libFuzzer over the node's parsers (clang, ASan + UBSan).
#
#   tests/fuzz/run.sh SECONDS [TARGET...]      (make fuzz FUZZ_SECONDS=N)
#
# Targets: envelope alert receipt verify config zone zonedir clip stream selftest cap quiet schedule policy (default: all).
# Builds build-fuzz/fuzz_<target> from tests/fuzz/fuzz_<target>.c and the
# project sources (common/*.c; audio/clip.c for clip), then runs each target
# for SECONDS (FUZZ_JOBS at a time, default: the number of CPUs).  Inputs:
#   build-fuzz/corpus/<target>     working corpus (grows run after run; not committed)
#   tests/corpus/<dir>, tests/data/<dir>, tests/fuzz/seeds/<target>   seeds (read only)
#   build-fuzz/seeds/<target>      seeds made here (opus clips from sox + opusenc,
#                                  the shipped node.conf)
# A crash, sanitizer report, leak, timeout or out-of-memory fails the run;
# the reproducer is build-fuzz/artifacts/<target>/<kind>-<sha1>, replayed with
#   build-fuzz/fuzz_<target> <reproducer>
# Prints one line per target and ends with "N passed, M failed" (targets).
# Exit status: 0 all passed, 1 a target failed, 2 cannot build or run at all.
set -u
cd "$(dirname "$0")/../.." || exit 2

ALL_TARGETS="envelope alert receipt verify config zone zonedir clip stream selftest cap quiet schedule policy"
OUT=${FUZZ_OUT:-build-fuzz}

die() {
	echo "fuzz: $*" >&2
	exit 2
}

SECS=${1:-}
case $SECS in
'' | *[!0-9]*) die "usage: $0 SECONDS [TARGET...]" ;;
esac
shift
TARGETS=${*:-$ALL_TARGETS}
for t in $TARGETS; do
	case " $ALL_TARGETS " in
	*" $t "*) ;;
	*) die "unknown target '$t' (want: $ALL_TARGETS)" ;;
	esac
done

# ---- tools ---------------------------------------------------------------
CC=${FUZZ_CC:-}
if [ -z "$CC" ]; then
	for c in clang clang-14; do
		if command -v "$c" >/dev/null 2>&1; then
			CC=$c
			break
		fi
	done
fi
[ -n "$CC" ] && command -v "$CC" >/dev/null 2>&1 ||
	die "clang not found (as root: apt-get install clang libclang-rt-14-dev)"
command -v pkg-config >/dev/null 2>&1 || die "pkg-config not found (apt-get install pkg-config)"
PKGS_COMMON="libcrypto libcjson inih libsodium libxml-2.0"
PKGS_CLIP="opusfile opus"
pkg-config --exists $PKGS_COMMON $PKGS_CLIP ||
	die "missing libraries ($PKGS_COMMON $PKGS_CLIP): run make deps"

mkdir -p "$OUT/obj" "$OUT/logs" "$OUT/corpus" "$OUT/artifacts" "$OUT/seeds" || die "cannot create $OUT"

# The libFuzzer runtime is a separate Debian package: probe it with a
# trivial target, so its absence is named rather than a link error.
probe=$OUT/obj/probe
printf '%s\n' '#include <stddef.h>' '#include <stdint.h>' \
	'int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n) { (void)d; (void)n; return 0; }' \
	>"$probe.c"
if ! "$CC" -fsanitize=fuzzer,address,undefined "$probe.c" -o "$probe" >"$probe.log" 2>&1 ||
	! "$probe" -runs=1 >>"$probe.log" 2>&1; then
	sed 's/^/  /' "$probe.log" | head -5 >&2
	die "the libFuzzer runtime is missing or broken ($CC -fsanitize=fuzzer failed; as root: apt-get install libclang-rt-14-dev)"
fi

# ---- build ---------------------------------------------------------------
SAN="-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer"
CFLAGS="-g -O1 $SAN -std=c11 -D_GNU_SOURCE -Wall -Wextra -Wno-unused-parameter -I. \
$(pkg-config --cflags $PKGS_COMMON $PKGS_CLIP)"
LIBS_COMMON="$(pkg-config --libs $PKGS_COMMON) -lm"
LIBS_CLIP="$(pkg-config --libs $PKGS_CLIP)"
JOBS=${FUZZ_JOBS:-$(nproc 2>/dev/null || echo 2)}
case $JOBS in '' | *[!0-9]* | 0) JOBS=2 ;; esac

# Flags changed since the last build: start over.
stamp="$OUT/obj/flags"
if [ "$(cat "$stamp" 2>/dev/null)" != "$CC $CFLAGS" ]; then
	rm -rf "$OUT/obj/common" "$OUT/obj/audio" "$OUT"/fuzz_*
	printf '%s' "$CC $CFLAGS" >"$stamp"
fi

# 0 if $1 exists and is newer than every prerequisite in its .d file
uptodate() {
	local o=$1 d=${1%.o}.d f
	[ -e "$o" ] && [ -e "$d" ] || return 1
	for f in $(sed -e 's/^[^:]*://' -e 's/\\$//' "$d"); do
		[ "$f" -nt "$o" ] && return 1
	done
	return 0
}

compile() {   # src obj
	mkdir -p "$(dirname "$2")"
	"$CC" $CFLAGS -fsanitize=fuzzer-no-link -MMD -MP -c "$1" -o "$2" 2>"$2.log" || {
		cat "$2.log" >&2
		return 1
	}
}

SRC_COMMON=$(ls common/*.c)
build_fail=0
pids=()
for src in $SRC_COMMON audio/clip.c; do
	obj=$OUT/obj/${src%.c}.o
	uptodate "$obj" && continue
	while [ "$(jobs -rp | wc -l)" -ge "$JOBS" ]; do wait -n; done
	compile "$src" "$obj" &
	pids+=($!)
done
for p in "${pids[@]}"; do wait "$p" || build_fail=1; done
[ $build_fail = 0 ] || die "compiling the project sources failed"

LIB_COMMON=$OUT/obj/libcommon.a
objs_common=$(for s in $SRC_COMMON; do echo "$OUT/obj/${s%.c}.o"; done)
if [ ! -e "$LIB_COMMON" ] || [ -n "$(find $objs_common -newer "$LIB_COMMON" 2>/dev/null)" ] ||
	[ "$(ar t "$LIB_COMMON" | wc -l)" != "$(echo "$objs_common" | wc -l)" ]; then
	rm -f "$LIB_COMMON"
	ar rcs "$LIB_COMMON" $objs_common || die "ar failed"
fi

link() {   # target
	local t=$1 bin=$OUT/fuzz_$1 extra="" libs=$LIBS_COMMON
	if [ "$t" = clip ]; then
		extra=$OUT/obj/audio/clip.o
		libs="$LIBS_CLIP $LIBS_COMMON"
	fi
	if [ -e "$bin" ] && [ "$bin" -nt "tests/fuzz/fuzz_$t.c" ] && [ "$bin" -nt tests/fuzz/fuzz_util.h ] &&
		[ "$bin" -nt "$LIB_COMMON" ] && { [ -z "$extra" ] || [ "$bin" -nt "$extra" ]; }; then
		return 0
	fi
	"$CC" $CFLAGS -fsanitize=fuzzer "tests/fuzz/fuzz_$t.c" $extra "$LIB_COMMON" $libs -o "$bin" \
		>"$OUT/logs/build-$t.log" 2>&1 || {
		cat "$OUT/logs/build-$t.log" >&2
		return 1
	}
}
pids=()
for t in $TARGETS; do
	while [ "$(jobs -rp | wc -l)" -ge "$JOBS" ]; do wait -n; done
	link "$t" &
	pids+=($!)
done
for p in "${pids[@]}"; do wait "$p" || build_fail=1; done
[ $build_fail = 0 ] || die "building the fuzz targets failed"

# ---- seeds made here -----------------------------------------------------
mkdir -p "$OUT/seeds/config" "$OUT/seeds/clip"
[ -e firmware-config/node.conf ] && cp -f firmware-config/node.conf "$OUT/seeds/config/node.conf"
case " $TARGETS " in *" clip "*)
	if [ -z "$(ls -A "$OUT/seeds/clip")" ]; then
		if command -v sox >/dev/null 2>&1 && command -v opusenc >/dev/null 2>&1; then
			tmp=$OUT/seeds/clip.tmp
			rm -rf "$tmp" && mkdir -p "$tmp"
			# tiny clips (a few hundred bytes): mono and stereo, several
			# frame sizes and bitrates, tags, 5.1 (mapping family 1), chained
			if (
				set -e
				sox -V1 -n -r 48000 -c 1 -b 16 "$tmp/m48.wav" synth 0.06 sine 1000 vol 0.5
				sox -V1 -n -r 16000 -c 2 -b 16 "$tmp/s16.wav" synth 0.04 sine 440 sine 660 vol 0.5
				sox -V1 -n -r 8000 -c 1 -b 16 "$tmp/m8.wav" synth 0.1 noise vol 0.3
				sox -V1 -n -r 48000 -c 6 -b 16 "$tmp/c6.wav" synth 0.03 sine 300 vol 0.5
				o="opusenc --quiet --padding 0 --serial"
				d=$OUT/seeds/clip
				$o 1 --bitrate 6 "$tmp/m48.wav" "$d/mono-20ms.opus"
				$o 2 --bitrate 8 --framesize 2.5 "$tmp/s16.wav" "$d/stereo-2.5ms.opus"
				$o 3 --bitrate 6 --framesize 60 --comment TITLE=x "$tmp/m8.wav" "$d/mono-60ms-tags.opus"
				$o 4 --bitrate 12 --hard-cbr --framesize 10 "$tmp/s16.wav" "$d/stereo-cbr-10ms.opus"
				$o 5 --bitrate 24 "$tmp/c6.wav" "$d/surround-5.1.opus"
				cat "$d/mono-20ms.opus" "$d/stereo-2.5ms.opus" >"$d/chained.opus"
			) >"$OUT/logs/seeds-clip.log" 2>&1; then :; else
				echo "fuzz: note: making opus seeds failed (see $OUT/logs/seeds-clip.log);" \
					"clip uses the committed seed only" >&2
				rm -f "$OUT"/seeds/clip/*
			fi
			rm -rf "$tmp"
		else
			echo "fuzz: note: sox or opusenc missing; clip uses the committed seed only" >&2
		fi
	fi
	;;
esac

# ---- run -----------------------------------------------------------------
# per target: seed dirs, -max_len, dictionary
seeds_of() {
	case $1 in
	envelope) echo tests/corpus/envelope tests/fuzz/seeds/envelope ;;
	alert) echo tests/corpus/alert tests/data/alert tests/fuzz/seeds/verify ;;
	receipt) echo tests/fuzz/seeds/receipt ;;
	verify) echo tests/corpus/envelope tests/corpus/alert tests/data/alert tests/fuzz/seeds/verify \
		tests/fuzz/seeds/envelope ;;
	config) echo tests/corpus/config tests/data/config tests/fuzz/seeds/config "$OUT/seeds/config" ;;
	zone) echo tests/fuzz/seeds/zone ;;
	zonedir) echo tests/corpus/zonedir tests/fuzz/seeds/zonedir ;;
	stream) echo tests/corpus/stream tests/fuzz/seeds/stream ;;
	selftest) echo tests/fuzz/seeds/selftest ;;
	cap) echo tests/corpus/cap tests/data/cap tests/fuzz/seeds/cap ;;
	quiet) echo tests/fuzz/seeds/quiet ;;
	schedule) echo tests/corpus/schedule tests/fuzz/seeds/schedule ;;
	policy) echo tests/fuzz/seeds/policy ;;
	clip) echo tests/corpus/clip tests/fuzz/seeds/clip "$OUT/seeds/clip" ;;
	esac
}
maxlen_of() {
	case $1 in
	envelope) echo 1024 ;;
	alert | verify) echo 8192 ;;
	receipt | config | selftest) echo 4096 ;;
	zone) echo 256 ;;
	zonedir) echo 4096 ;;
	quiet) echo 64 ;;
	schedule) echo 8192 ;;
	policy) echo 4096 ;;
	clip) echo 8192 ;;
	stream) echo 13000 ;;
	cap) echo 16384 ;;
	esac
}
dict_of() {
	case $1 in
	alert | receipt | verify | selftest | schedule | policy) echo tests/fuzz/json.dict ;;
	envelope) echo tests/fuzz/envelope.dict ;;
	config) echo tests/fuzz/config.dict ;;
	zone) echo tests/fuzz/zone.dict ;;
	zonedir) echo tests/fuzz/zonedir.dict ;;
	stream) echo tests/fuzz/stream.dict ;;
	cap) echo tests/fuzz/cap.dict ;;
	esac
}

run_target() {   # target; writes $OUT/logs/<t>.result when done
	local t=$1 corpus=$OUT/corpus/$1 art=$OUT/artifacts/$1 log=$OUT/logs/$1.log
	local seeds=() d dict rc
	mkdir -p "$corpus" "$art"
	for d in $(seeds_of "$t"); do
		[ -d "$d" ] && seeds+=("$d")
	done
	dict=$(dict_of "$t")
	# hard stop well after -max_total_time, in case the fuzzer itself wedges
	timeout -k 10 $((SECS + 120)) "$OUT/fuzz_$t" -max_total_time="$SECS" -max_len="$(maxlen_of "$t")" \
		-timeout=25 -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$art/" \
		${dict:+-dict="$dict"} "$corpus" "${seeds[@]}" >"$log" 2>&1
	rc=$?
	echo "$rc" >"$OUT/logs/$t.result.tmp" && mv "$OUT/logs/$t.result.tmp" "$OUT/logs/$t.result"
}

report() {   # target -> prints its line; returns 0 passed, 1 failed
	local t=$1 log=$OUT/logs/$1.log rc execs corpus repro why
	rc=$(cat "$OUT/logs/$t.result")
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
	[ -n "$execs" ] || execs=$(sed -n 's/^Done \([0-9]*\) runs.*/\1/p' "$log" | tail -1)
	corpus=$(ls "$OUT/corpus/$t" | wc -l)
	if [ "$rc" = 0 ]; then
		printf 'fuzz_%-8s ok      %10s execs in %s s, corpus %s\n' "$t" "${execs:-?}" "$SECS" "$corpus"
		return 0
	fi
	repro=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -1)
	why=$(grep -m1 -E '^SUMMARY: |FUZZ_CHECK failed|ERROR: libFuzzer|ALARM: working on the last Unit|==[0-9]+==ERROR' "$log")
	[ "$rc" = 124 ] || [ "$rc" = 137 ] && why="fuzzer did not stop (killed by timeout)"
	printf 'fuzz_%-8s FAILED  %10s execs (exit %s): %s\n' "$t" "${execs:-?}" "$rc" "${why:-see log}"
	[ -n "$repro" ] && printf '    reproducer: %s\n    replay:     %s %s\n' "$repro" "$OUT/fuzz_$t" "$repro"
	printf '    log:        %s\n' "$log"
	return 1
}

set -- $TARGETS
n=$#
echo "fuzz: $n targets, $SECS s each, $JOBS at a time ($CC, ASan+UBSan)"
rm -f "$OUT"/logs/*.result
passed=0 failed=0 next=1 launched=0
declare -A done_pid=()
while [ $next -le $n ]; do
	# launch while slots are free
	while [ $launched -lt $n ] && [ "$(jobs -rp | wc -l)" -lt "$JOBS" ]; do
		launched=$((launched + 1))
		run_target "${!launched}" &
		done_pid[$launched]=$!
	done
	# report finished targets in order
	while [ $next -le $launched ] && [ -e "$OUT/logs/${!next}.result" ]; do
		wait "${done_pid[$next]}" 2>/dev/null
		if report "${!next}"; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
		next=$((next + 1))
	done
	[ $next -le $n ] && sleep 0.2
done
echo "$passed passed, $failed failed"
[ $failed = 0 ]
