#!/bin/sh
# tests/fuzz/run.sh SECONDS BIN...: run each libFuzzer binary for SECONDS
# seconds, starting from a copy of its seed corpus tests/fuzz/corpus/NAME/
# (NAME = the binary's file name), and end with one line per target
# "NAME: N execs in S s, K new inputs, ok|FAILED".
#
# The copies, the targets' own scratch files ($TMPDIR points into the run's
# temporary folder) and the logs are removed on exit, so a run never writes
# into the repository; a crashing input is kept in build-fuzz/crashes/ and
# its log printed.  Exit status: 0 only if every target ran without a crash.

set -u

cd "$(dirname "$0")/../.." || exit 2

secs=${1:?usage: run.sh SECONDS BIN...}
shift
tmp=$(mktemp -d "${TMPDIR:-/tmp}/ftpd-fuzz.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM HUP
mkdir -p build-fuzz/crashes || exit 2

fail=0
summary=""
for bin in "$@"; do
	n=$(basename "$bin")
	work="$tmp/$n"
	mkdir -p "$work/corpus" "$work/tmp"
	if [ -d "tests/fuzz/corpus/$n" ]; then
		cp -R "tests/fuzz/corpus/$n/." "$work/corpus/"
	fi
	seeds=$(find "$work/corpus" -type f | wc -l)
	echo "== $n: ${secs} s from $seeds seeds"
	TMPDIR="$work/tmp" "$bin" -max_total_time="$secs" -max_len=8192 \
		-timeout=10 -print_final_stats=1 \
		-artifact_prefix="build-fuzz/crashes/$n-" \
		"$work/corpus" >"$work/log" 2>&1
	rc=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/log")
	found=$(($(find "$work/corpus" -type f | wc -l) - seeds))
	verdict=ok
	if [ "$rc" -ne 0 ] || [ -z "$execs" ]; then
		verdict=FAILED
		fail=1
		tail -n 60 "$work/log"
	fi
	line="$n: ${execs:-0} execs in $secs s, $found new inputs, $verdict"
	echo "$line"
	summary="$summary$line
"
done

echo "== fuzz summary"
printf '%s' "$summary"
exit "$fail"
