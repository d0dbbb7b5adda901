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

# now: seconds since the epoch with nanoseconds, for durations.
now() { date +%s.%N; }
