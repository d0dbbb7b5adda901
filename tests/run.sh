#!/bin/sh
# tests/run.sh: run the unit test binaries named as arguments (cmocka), then
# the end-to-end suite (pytest, tests/e2e), print each part's output and end
# with exactly one last line "N passed, N failed".
#
# Counting: a cmocka binary reports "[  PASSED  ] N test(s)." and
# "[  FAILED  ] N test(s)"; a binary that crashes or exits non-zero without
# reporting a failure counts as 1 failed.  pytest's results come from its
# JUnit XML report (errors count as failed, skips as neither).
# Exit status: 0 only if nothing failed and at least one test ran.
# It must not leave files behind: its temporary folder is removed on exit.
#
# Sanitizers (make asan): ASan and UBSan write their reports into a second
# temporary folder (log_path; open to every user, since workers drop to an
# unprivileged user); each report counts as 1 failed and is printed.  The
# e2e suite takes ftpd and ftpc from $FTPD_BIN_DIR when it is set.

set -u

cd "$(dirname "$0")/.." || exit 2

PY=/usr/bin/python3
tmp=$(mktemp -d "${TMPDIR:-/tmp}/ftpd-run.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM HUP

passed=0
failed=0

# Reports of sanitized binaries, from any process of any user: a folder of
# its own (the main one stays private).
san=$(mktemp -d "${TMPDIR:-/tmp}/ftpd-san.XXXXXX") || exit 2
trap 'rm -rf "$tmp" "$san"' EXIT
chmod 1777 "$san" || exit 2
# verify_asan_link_order=0: e2e tests may LD_PRELOAD a small shim.
ASAN_OPTIONS="log_path=$san/asan:verify_asan_link_order=0:${ASAN_OPTIONS:-}"
UBSAN_OPTIONS="log_path=$san/ubsan:print_stacktrace=1:${UBSAN_OPTIONS:-}"
export ASAN_OPTIONS UBSAN_OPTIONS

# count_cmocka FILE RC: add the counts of one unit binary's output.
count_cmocka() {
	p=$(sed -n 's/^\[  PASSED  \] \([0-9][0-9]*\) test(s)\..*/\1/p' "$1" | tail -n 1)
	f=$(sed -n 's/^\[  FAILED  \] \([0-9][0-9]*\) test(s).*/\1/p' "$1" | tail -n 1)
	p=${p:-0}
	f=${f:-0}
	if [ "$2" -ne 0 ] && [ "$f" -eq 0 ]; then
		f=1 # crashed, or failed without saying so
	fi
	if [ "$p" -eq 0 ] && [ "$f" -eq 0 ]; then
		f=1 # ran nothing: that is not a pass
	fi
	passed=$((passed + p))
	failed=$((failed + f))
	echo "== $3: $p passed, $f failed"
}

echo "== unit tests"
for bin in "$@"; do
	out="$tmp/unit.out"
	if [ -x "$bin" ]; then
		"$bin" >"$out" 2>&1
		rc=$?
	else
		echo "$bin: not found or not executable" >"$out"
		rc=127
	fi
	cat "$out"
	count_cmocka "$out" "$rc" "$bin"
done

echo "== end-to-end tests"
xml="$tmp/e2e.xml"
# FTPD_E2E_DESELECT: test ids (space-separated) that cannot run here.
set --
for id in ${FTPD_E2E_DESELECT:-}; do
	echo "(not run here: $id)"
	set -- "$@" --deselect "$id"
done
PYTHONDONTWRITEBYTECODE=1 "$PY" -m pytest -q -p no:cacheprovider \
	--basetemp="$tmp/pytest" --junitxml="$xml" -o junit_family=xunit2 \
	"$@" tests/e2e
rc=$?
counts=$("$PY" - "$xml" <<'EOF'
import sys
import xml.etree.ElementTree as ET
try:
    root = ET.parse(sys.argv[1]).getroot()
except Exception:
    print("0 0")
    sys.exit(0)
p = f = 0
for tc in root.iter("testcase"):
    tags = {c.tag for c in tc}
    if tags & {"failure", "error"}:
        f += 1
    elif "skipped" not in tags:
        p += 1
print(p, f)
EOF
)
e2e_p=${counts% *}
e2e_f=${counts#* }
if [ "$rc" -ne 0 ] && [ "$e2e_f" -eq 0 ]; then
	e2e_f=1 # pytest itself failed (collection error, crash, interrupt)
fi
echo "== e2e: $e2e_p passed, $e2e_f failed"
passed=$((passed + e2e_p))
failed=$((failed + e2e_f))

reports=0
for r in "$san"/*; do
	[ -f "$r" ] || continue
	echo "== sanitizer report $(basename "$r"):"
	cat "$r"
	reports=$((reports + 1))
done
echo "== sanitizers: $reports reports"
failed=$((failed + reports))

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
