# shellcheck shell=sh
# tests/bench/lib.sh: helpers the benchmark scripts share, sourced (". ")
# from the repository's root.  It defines functions only and must not run
# anything when sourced.

# free_port: print a free TCP port on 127.0.0.1.
free_port() {
	/usr/bin/python3 -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])'
}

# bench_begin NAME: make the run's temporary folder tmp (mode 755, so the
# workers' user can reach it) with the daemon's folder srv inside, and set
# running=0 and mounted=0; on exit (and on INT, TERM, HUP) bench_cleanup
# stops the daemon when running=1, unmounts srv/files when mounted=1 and
# removes tmp.  Exits 2 when no folder can be made.
bench_begin() {
	tmp=$(mktemp -d "${TMPDIR:-/tmp}/ftpd-$1.XXXXXX") || exit 2
	chmod 755 "$tmp"
	srv="$tmp/srv"
	running=0
	mounted=0
	trap bench_cleanup EXIT
	trap 'exit 130' INT TERM HUP
}

# shellcheck disable=SC2317 # called by the EXIT trap
bench_cleanup() {
	if [ "$running" -eq 1 ]; then
		"$FTPD" -d "$srv" stop >/dev/null 2>&1
	fi
	if [ "$mounted" -eq 1 ]; then
		umount "$srv/files"
	fi
	rm -rf "$tmp"
}

# now: seconds since the epoch with nanoseconds, for durations.
now() { date +%s.%N; }

# bench_server DIR WORKERS [LINE...]: make DIR a daemon's folder, not yet
# started: DIR/files (given to nobody when run as root, as the workers'
# user), DIR/ftpd.conf listening on 127.0.0.1 on a free port with WORKERS
# workers and the extra config LINEs, and the shared secret.  Sets port.
# Returns non-zero when keygen fails.
bench_server() {
	_dir=$1
	_workers=$2
	shift 2
	port=$(free_port)
	mkdir -p "$_dir/files"
	{
		echo "listen = 127.0.0.1:$port"
		echo "workers = $_workers"
		echo "shutdown_timeout = 5"
		for _line in "$@"; do echo "$_line"; done
		if [ "$(id -u)" -eq 0 ]; then echo "user = nobody"; fi
	} >"$_dir/ftpd.conf"
	if [ "$(id -u)" -eq 0 ]; then chown nobody:nogroup "$_dir/files"; fi
	"$FTPD" -d "$_dir" keygen >/dev/null
}
