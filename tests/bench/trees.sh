#!/bin/sh
# tests/bench/trees.sh (make bench-trees): ftpc put -r and get -r of two
# trees, a 2,000-file tree of 4 KiB files and a 100-file tree of 10 MiB
# files (TREE_SMALL, TREE_BIG, TREE_BIG_MB to change them), each with
# --parallel 1 and --parallel 4, ROUNDS rounds (default 2, median shown):
# files per second and MB/s (MB = 10^6 bytes).  Not a test: make check
# does not run it.  One daemon on 127.0.0.1 in a temporary folder, stopped
# and removed on every exit path.
set -u

cd "$(dirname "$0")/../.." || exit 2
repo=$(pwd)
FTPD=${FTPD:-$repo/ftpd}
FTPC=${FTPC:-$repo/ftpc}
SMALL=${TREE_SMALL:-2000}
BIG=${TREE_BIG:-100}
BIG_MB=${TREE_BIG_MB:-10}
ROUNDS=${ROUNDS:-2}

# shellcheck source=tests/bench/lib.sh
. "$repo/tests/bench/lib.sh"
bench_begin trees

mkdir -p "$tmp/small" "$tmp/big"
bench_server "$srv" 4 || exit 2
"$FTPD" -d "$srv" start >/dev/null || exit 2
running=1

i=0
while [ "$i" -lt "$SMALL" ]; do
	head -c 4096 /dev/urandom >"$tmp/small/f$i"
	i=$((i + 1))
done
i=0
while [ "$i" -lt "$BIG" ]; do
	head -c $((BIG_MB * 1048576)) /dev/urandom >"$tmp/big/f$i"
	i=$((i + 1))
done

ftpc() { "$FTPC" -q -H 127.0.0.1 -p "$port" -k "$srv/secret.key" "$@"; }

# One timed run: dir (small|big), way (put|get), parallel N.  Prints
# seconds.
run() {
	rm -rf "$srv/files/$1" "$tmp/back"
	if [ "$2" = get ]; then
		ftpc put -r "$tmp/$1" "$1" || return 1
	fi
	sync
	t0=$(now)
	if [ "$2" = put ]; then
		ftpc --parallel "$3" put -r "$tmp/$1" "$1" || return 1
	else
		ftpc --parallel "$3" get -r "$1" "$tmp/back" || return 1
	fi
	t1=$(now)
	echo "$t0 $t1" | awk '{ printf "%.6f\n", $2 - $1 }'
}

for dir in small big; do
	if [ "$dir" = small ]; then n=$SMALL; bytes=$((SMALL * 4096))
	else n=$BIG; bytes=$((BIG * BIG_MB * 1048576)); fi
	for way in put get; do
		for par in 1 4; do
			secs=""
			r=0
			while [ "$r" -lt "$ROUNDS" ]; do
				s=$(run "$dir" "$way" "$par") || exit 1
				secs="$secs $s"
				r=$((r + 1))
			done
			echo "$secs" | tr ' ' '\n' | sed '/^$/d' | sort -n | awk \
			    -v d="$dir" -v w="$way" -v p="$par" -v n="$n" \
			    -v b="$bytes" '
				{ v[NR] = $1 }
				END { m = v[int((NR + 1) / 2)];
				    printf "%-5s tree (%d files) %s -r --parallel %d: " \
				    "%.0f files/s, %.1f MB/s (%d rounds)\n", d, n, w, \
				    p, n / m, b / m / 1e6, NR }'
		done
	done
done
