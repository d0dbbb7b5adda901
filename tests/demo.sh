#!/bin/sh
# tests/demo.sh (make demo): a short tour of ftpd and ftpc in ./demo/ of the
# checkout (git-ignored): config, key, start, upload, download, ls, the new
# log lines, stop; then the commands to do the same by hand.
# It must not touch anything outside ./demo/ and must stop the daemon it
# started on every exit path.

set -u

cd "$(dirname "$0")/.." || exit 2
repo=$(pwd)
FTPD="$repo/ftpd"
FTPC="$repo/ftpc"
DEMO="$repo/demo"
for b in "$FTPD" "$FTPC"; do
	[ -x "$b" ] || {
		echo "demo: $b not built (make ftpd ftpc)" >&2
		exit 2
	}
done

port_free() {
	/usr/bin/python3 -c 'import socket, sys
s = socket.socket()
try:
    s.bind(("127.0.0.1", int(sys.argv[1])))
except OSError:
    sys.exit(1)' "$1"
}

free_port() {
	/usr/bin/python3 -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])'
}

if [ -t 1 ]; then
	say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
else
	say() { printf '\n== %s\n' "$*"; }
fi
run() {
	echo "\$ $*"
	"$@"
}

started=0
cleanup() {
	if [ "$started" -eq 1 ]; then
		"$FTPD" -d "$DEMO" stop >/dev/null 2>&1
	fi
	rm -rf "$DEMO/local" "$DEMO/download"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

if "$FTPD" -d "$DEMO" status >/dev/null 2>&1; then
	echo "demo: a daemon already runs in $DEMO; stop it with:" >&2
	echo "  $FTPD -d $DEMO stop" >&2
	exit 1
fi

mkdir -p "$DEMO/files" "$DEMO/local" "$DEMO/download"
chmod 755 "$DEMO"

say "config: $DEMO/ftpd.conf"
port=2121
port_free "$port" || port=$(free_port)
{
	echo "# written by tests/demo.sh"
	echo "listen = 127.0.0.1:$port"
	echo "workers = 2"
	if [ "$(id -u)" -eq 0 ]; then echo "user = nobody"; fi
} >"$DEMO/ftpd.conf"
if [ "$(id -u)" -eq 0 ]; then chown nobody:nogroup "$DEMO/files"; fi
cat "$DEMO/ftpd.conf"
run "$FTPD" -d "$DEMO" -t || exit 1

if [ ! -f "$DEMO/secret.key" ]; then
	say "key"
	run "$FTPD" -d "$DEMO" keygen || exit 1
fi

log_lines=0
xfer_lines=0
[ -f "$DEMO/ftpd.log" ] && log_lines=$(wc -l <"$DEMO/ftpd.log")
[ -f "$DEMO/xferlog" ] && xfer_lines=$(wc -l <"$DEMO/xferlog")

say "start"
run "$FTPD" -d "$DEMO" start || exit 1
started=1
run "$FTPD" -d "$DEMO" status

ftpc() {
	run "$FTPC" -q -H 127.0.0.1 -p "$port" -k "$DEMO/secret.key" "$@"
}

say "upload"
head -c 5242880 /dev/urandom >"$DEMO/local/random-5M.bin"
ftpc put "$repo/README.md" || exit 1
"$FTPC" -q -H 127.0.0.1 -p "$port" -k "$DEMO/secret.key" stat data \
	>/dev/null 2>&1 || ftpc mkdir data || exit 1
ftpc put "$DEMO/local/random-5M.bin" data/ || exit 1
ftpc ls || exit 1
ftpc ls data || exit 1
ftpc stat data/random-5M.bin || exit 1

say "download and compare"
ftpc get README.md data/random-5M.bin "$DEMO/download/" || exit 1
run cmp "$repo/README.md" "$DEMO/download/README.md" || exit 1
run cmp "$DEMO/local/random-5M.bin" "$DEMO/download/random-5M.bin" || exit 1
echo "identical"

say "new lines in $DEMO/ftpd.log"
sleep 0.3
tail -n "+$((log_lines + 1))" "$DEMO/ftpd.log"
say "new lines in $DEMO/xferlog"
tail -n "+$((xfer_lines + 1))" "$DEMO/xferlog"

say "stop"
run "$FTPD" -d "$DEMO" stop || exit 1
started=0

say "by hand"
cat <<EOF
  $FTPD -d $DEMO keygen          # once: writes $DEMO/secret.key
  $FTPD -d $DEMO start
  $FTPD -d $DEMO status
  export FTPC_PORT=$port FTPC_KEY=$DEMO/secret.key
  $FTPC put README.md
  $FTPC ls
  $FTPC get README.md /tmp/
  tail $DEMO/ftpd.log $DEMO/xferlog
  $FTPD -d $DEMO stop
EOF
