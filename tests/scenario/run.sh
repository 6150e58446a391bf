#!/usr/bin/env bash
# Run every scenario (t_*.sh, test_ctl_*.sh) against the binaries in $1.
# Each scenario prints "ok"/"FAIL" lines and its own count; this prints the
# total and fails if any scenario failed.
set -u
BUILD=${1:-build}
cd "$(dirname "$0")/../.."
pass=0 failed=0 bad=()
for t in tests/scenario/t_*.sh tests/scenario/test_ctl_*.sh; do
	[ -e "$t" ] || continue
	echo "== $t"
	out=$(BUILD=$BUILD timeout 900 bash "$t" 2>&1)
	rc=$?
	echo "$out"
	line=$(echo "$out" | grep -E '^[0-9]+ passed, [0-9]+ failed$' | tail -1)
	p=$(echo "$line" | cut -d' ' -f1); f=$(echo "$line" | cut -d' ' -f3)
	pass=$((pass + ${p:-0})); failed=$((failed + ${f:-0}))
	if [ $rc -ne 0 ]; then
		bad+=("$t")
		[ "${f:-0}" = 0 ] && failed=$((failed + 1))
	fi
done
echo "scenarios: $pass passed, $failed failed"
[ ${#bad[@]} -eq 0 ] || { echo "failed scenarios: ${bad[*]}"; exit 1; }
