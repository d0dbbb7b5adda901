#!/bin/sh
# tests/bench/smallfiles.sh [--image]: files per second for N (2,000) files
# of 4 KiB sent in one session, with "ftpc put F1 ... FN dir/" and with
# "ftpc put -r", ROUNDS (3) times each; prints the median and the range.
# Not a test (make check does not run it).
#
# --image (root only) serves from a loop-mounted journaled ext4 image
# (512 MiB, mkfs.ext4 defaults: data=ordered journal) instead of this
# machine's own file system, where the per-file fsyncs cost far more.
# FTPD and FTPC name other binaries to measure (an older build, for a
# before/after figure).  It must leave nothing behind: the daemon is
# stopped, the image unmounted and the temporary folder removed on every
# exit path.

set -u

cd "$(dirname "$0")/../.." || exit 2
repo=$(pwd)
FTPD=${FTPD:-$repo/ftpd}
FTPC=${FTPC:-$repo/ftpc}
N=${N:-2000}
ROUNDS=${ROUNDS:-3}
image=0
[ "${1:-}" = "--image" ] && image=1
for b in "$FTPD" "$FTPC"; do
	[ -x "$b" ] || {
		echo "smallfiles: $b not built (make ftpd ftpc)" >&2
		exit 2
	}
done
if [ "$image" -eq 1 ] && [ "$(id -u)" -ne 0 ]; then
	echo "smallfiles: --image needs root (mount -o loop)" >&2
	exit 2
fi

# shellcheck source=tests/bench/lib.sh
. "$repo/tests/bench/lib.sh"
bench_begin small

mkdir -p "$srv/files" "$tmp/src"
if [ "$image" -eq 1 ]; then
	truncate -s 512M "$tmp/img" && mkfs.ext4 -q "$tmp/img" &&
		mount -o loop "$tmp/img" "$srv/files" || exit 2
	mounted=1
fi
bench_server "$srv" 1 || exit 2
"$FTPD" -d "$srv" start >/dev/null || exit 2
running=1

i=0
while [ "$i" -lt "$N" ]; do
	head -c 4096 /dev/urandom >"$tmp/src/f$i"
	i=$((i + 1))
done

ftpc() { "$FTPC" -q -H 127.0.0.1 -p "$port" -k "$srv/secret.key" "$@"; }

# One round of mode (files, tree): seconds of the whole ftpc run.
round() {
	rm -rf "$srv/files/up"
	sync
	if [ "$1" = files ]; then
		ftpc mkdir up || return 1
		t0=$(now)
		(cd "$tmp/src" && ftpc put ./* up/) || return 1
	else
		t0=$(now)
		ftpc put -r "$tmp/src" up || return 1
	fi
	t1=$(now)
	n=$(find "$srv/files/up" -type f | wc -l)
	[ "$n" -eq "$N" ] || {
		echo "smallfiles: $n of $N files arrived" >&2
		return 1
	}
	echo "$t0 $t1" | awk -v n="$N" '{ printf "%.0f\n", n / ($2 - $1) }'
}

where=$(df -T "$srv/files" | awk 'NR == 2 { print $2 }')
[ "$image" -eq 1 ] && where="$where loop image (journaled)"
for mode in files tree; do
	rates=""
	r=0
	while [ "$r" -lt "$ROUNDS" ]; do
		x=$(round "$mode") || exit 1
		rates="$rates $x"
		r=$((r + 1))
	done
	echo "$rates" | tr ' ' '\n' | sed '/^$/d' | sort -n | awk \
	    -v m="$mode" -v n="$N" -v w="$where" '
		{ v[NR] = $1 }
		END { printf "%s x 4 KiB, put %-5s on %s: %d files/s " \
		    "(min %d, max %d, %d rounds)\n", n, m, w, \
		    v[int((NR + 1) / 2)], v[1], v[NR], NR }'
done
