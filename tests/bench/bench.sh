#!/bin/sh
# tests/bench/bench.sh (make bench): throughput and worker memory of the real
# binaries on this machine.  Not a test: it prints a table and PASS/FAIL per
# target, and exits 1 if a target is missed.
#
# For each size (1 MiB, 100 MiB, 1 GiB) it starts a fresh daemon with one
# worker (workers = max_workers = 1, so the serving worker is known and its
# VmHWM covers that size only), uploads and downloads the file with ftpc -q,
# and reads the worker's peak RSS from /proc/PID/status.
# Targets: >= 300 MB/s each way for 1 GiB (MB = 10^6 bytes), worker peak
# RSS < 32 MiB.  It must leave nothing behind: the daemon is stopped and the
# temporary folder removed on every exit path.

set -u

cd "$(dirname "$0")/../.." || exit 2
repo=$(pwd)
FTPD="$repo/ftpd"
FTPC="$repo/ftpc"
for b in "$FTPD" "$FTPC"; do
	[ -x "$b" ] || {
		echo "bench: $b not built (make ftpd ftpc)" >&2
		exit 2
	}
done

# shellcheck source=tests/bench/lib.sh
. "$repo/tests/bench/lib.sh"
bench_begin bench

mkdir -p "$tmp/local" "$tmp/back"
bench_server "$srv" 1 "max_workers = 1" || exit 1

ftpc() {
	"$FTPC" -q -H 127.0.0.1 -p "$port" -k "$srv/secret.key" "$@"
}

start_daemon() {
	"$FTPD" -d "$srv" start || exit 1
	running=1
	master=$(cat "$srv/ftpd.pid")
	worker=""
	i=0
	while [ -z "$worker" ] && [ "$i" -lt 50 ]; do
		worker=$(ps -o pid= --ppid "$master" | tr -d ' ' | head -n 1)
		[ -n "$worker" ] || sleep 0.1
		i=$((i + 1))
	done
	[ -n "$worker" ] || {
		echo "bench: no worker under master $master" >&2
		exit 1
	}
}

stop_daemon() {
	"$FTPD" -d "$srv" stop >/dev/null || exit 1
	running=0
}

# rate BYTES SECONDS: MB/s (10^6 bytes) with one decimal.
rate() { awk -v b="$1" -v s="$2" 'BEGIN { printf "%.1f", b / s / 1e6 }'; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b - a }'; }

fail=0
table="$tmp/table"
printf '%-8s %10s %12s %12s %14s\n' size bytes "up MB/s" "down MB/s" \
	"worker VmHWM" >"$table"

for spec in 1M:1 100M:100 1G:1024; do
	label=${spec%%:*}
	mib=${spec#*:}
	bytes=$((mib * 1048576))
	f="$tmp/local/bench-$label.bin"
	echo "bench: making $label of random data" >&2
	head -c "$bytes" /dev/urandom >"$f" || exit 1
	start_daemon
	t0=$(now)
	ftpc put "$f" || {
		echo "bench: upload of $label failed" >&2
		exit 1
	}
	t1=$(now)
	ftpc get "bench-$label.bin" "$tmp/back/" || {
		echo "bench: download of $label failed" >&2
		exit 1
	}
	t2=$(now)
	cmp -s "$f" "$tmp/back/bench-$label.bin" || {
		echo "bench: $label came back different" >&2
		exit 1
	}
	now_worker=$(ps -o pid= --ppid "$master" | tr -d ' ' | head -n 1)
	if [ "$now_worker" != "$worker" ]; then
		echo "bench: worker $worker was replaced by $now_worker" >&2
		exit 1
	fi
	hwm=$(awk '/^VmHWM:/ { print $2 }' "/proc/$worker/status")
	stop_daemon
	up=$(rate "$bytes" "$(elapsed "$t0" "$t1")")
	down=$(rate "$bytes" "$(elapsed "$t1" "$t2")")
	printf '%-8s %10s %12s %12s %11s KiB\n' "$label" "$bytes" "$up" "$down" \
		"$hwm" >>"$table"
	eval "up_$label=\$up; down_$label=\$down; hwm_$label=\$hwm"
	rm -f "$f" "$tmp/back/bench-$label.bin" "$srv/files/bench-$label.bin"
done

echo
cat "$table"
echo

# check NAME VALUE OP LIMIT: print PASS/FAIL; OP is ge or lt.
check() {
	if awk -v v="$2" -v l="$4" -v op="$3" \
		'BEGIN { exit !((op == "ge") ? (v >= l) : (v < l)) }'; then
		echo "PASS $1: $2 ($3 $4)"
	else
		echo "FAIL $1: $2 (want $3 $4)"
		fail=1
	fi
}

# shellcheck disable=SC2154 # set by eval above
{
	check "1G upload MB/s" "$up_1G" ge 300
	check "1G download MB/s" "$down_1G" ge 300
	check "1M worker VmHWM KiB" "$hwm_1M" lt 32768
	check "100M worker VmHWM KiB" "$hwm_100M" lt 32768
	check "1G worker VmHWM KiB" "$hwm_1G" lt 32768
}
exit "$fail"
