# ftpd: one GNU Makefile for the daemon (ftpd), the client (ftpc), the tests
# and the benchmark.  Libraries come from pkg-config; `make deps` installs the
# Debian packages that are missing.

PREFIX	?= /usr/local
DESTDIR	?=
CC	?= cc
PKG_CONFIG ?= pkg-config

# msgpack-c is "msgpack" on Debian 12 and "msgpack-c" on newer distributions.
MSGPACK_PC := $(shell $(PKG_CONFIG) --exists msgpack-c 2>/dev/null && echo msgpack-c || echo msgpack)
PKGS	:= libsodium $(MSGPACK_PC) inih libbsd-ctor libbsd libxxhash libedit libseccomp

DEBIAN_PKGS := build-essential pkg-config libbsd-dev libsodium-dev libedit-dev \
	libmsgpack-dev libinih-dev libxxhash-dev libseccomp-dev libcmocka-dev python3-pytest python3-nacl \
	python3-msgpack python3-cryptography python3-xxhash mandoc clang-format shellcheck logrotate dpkg-dev

WARN	:= -Wall -Wextra -Wshadow -Wpointer-arith -Wstrict-prototypes \
	-Wmissing-prototypes -Wformat=2 -Wimplicit-fallthrough
HARDEN	:= -D_FORTIFY_SOURCE=2 -fstack-protector-strong -fPIE
OPT	?= -O2 -g
WERROR	?=
CFLAGS	?=
CFLAGS	+= -std=c11 -D_GNU_SOURCE $(OPT) $(WARN) $(WERROR) $(HARDEN) -I. \
	$(shell $(PKG_CONFIG) --cflags $(PKGS) 2>/dev/null)
LDFLAGS	+= -pie -Wl,-z,relro,-z,now
LDLIBS	+= $(shell $(PKG_CONFIG) --libs $(PKGS) 2>/dev/null)

BUILD	?= build
COMMON_SRC	:= $(sort $(wildcard common/*.c))
DAEMON_SRC	:= $(sort $(wildcard daemonize/*.c server/*.c worker/*.c))
CLIENT_SRC	:= $(sort $(wildcard client/*.c))
UNIT_SRC	:= $(sort $(wildcard tests/unit/test_*.c))
FUZZ_SRC	:= $(sort $(wildcard tests/fuzz/fuzz_*.c))

COMMON_OBJ	:= $(COMMON_SRC:%.c=$(BUILD)/%.o)
DAEMON_OBJ	:= $(DAEMON_SRC:%.c=$(BUILD)/%.o)
CLIENT_OBJ	:= $(CLIENT_SRC:%.c=$(BUILD)/%.o)
# Everything of the daemon but its main(), so unit tests can link modules.
DAEMON_LIB_OBJ	:= $(filter-out $(BUILD)/server/main.o,$(DAEMON_OBJ))
UNIT_BIN	:= $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
MAN_PAGES	:= $(sort $(wildcard man/*.[1-9]))
# Every shell script: shellcheck reads the shell from each one's #! line.
SHELL_SCRIPTS	:= etc/init.d/ftpd etc/default/ftpd \
	$(sort $(wildcard pkg/deb/postinst pkg/deb/prerm pkg/deb/postrm \
	tests/*.sh tests/bench/*.sh tests/fuzz/*.sh)) .ci/run
SRC_ALL		:= $(COMMON_SRC) $(DAEMON_SRC) $(CLIENT_SRC) $(UNIT_SRC) $(FUZZ_SRC) \
	$(wildcard common/*.h daemonize/*.h server/*.h worker/*.h client/*.h tests/unit/*.h)

.PHONY: all deps check unit e2e lint format asan bench demo clean install install-files uninstall fuzz deb

all: ftpd ftpc

deps:
	@missing=""; for p in $(DEBIAN_PKGS); do \
		dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q 'install ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
		echo "make deps: installing$$missing"; \
		SUDO=""; [ "$$(id -u)" -eq 0 ] || SUDO=sudo; \
		$$SUDO apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	fi

$(BUILD)/%.o: %.c $(wildcard common/*.h daemonize/*.h server/*.h worker/*.h client/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c -o $@ $<

$(BUILD)/libcommon.a: $(COMMON_OBJ)
	$(AR) rcs $@ $^

$(BUILD)/libdaemon.a: $(DAEMON_LIB_OBJ)
	$(AR) rcs $@ $^

ftpd: $(BUILD)/server/main.o $(BUILD)/libdaemon.a $(BUILD)/libcommon.a
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# ftpc runs once per command, so its start-up counts: linking the small
# libraries it shares with the daemon, and libedit with its terminfo
# (libncurses-dev, which libedit-dev pulls in), statically (libc stays
# shared; PIE, RELRO and BIND_NOW stay) halves it (1.22 -> 0.66 ms CPU,
# 1.95 -> 1.24 ms elapsed, perf stat -r 100 ftpc --version; the seven
# shared objects cost the difference).  Debian's libedit.pc names
# -ltermcap, which Debian ships only as libtinfo.  FTPC_STATIC=0 links them dynamically,
# as a distribution that rebuilds on library updates may prefer.
FTPC_STATIC ?= 1
FTPC_STATIC_PKGS := libsodium $(MSGPACK_PC) inih libbsd libxxhash libedit
FTPC_DYN_PKGS := $(filter-out $(FTPC_STATIC_PKGS) libbsd-ctor libseccomp,$(PKGS))
ifeq ($(FTPC_STATIC),1)
FTPC_LDLIBS = -Wl,-Bstatic $(shell $(PKG_CONFIG) --static --libs \
			$(FTPC_STATIC_PKGS) 2>/dev/null | \
	sed 's/-pthread//; s/-ltermcap/-ltinfo/') -Wl,-Bdynamic \
	-pthread $(if $(FTPC_DYN_PKGS),$(shell $(PKG_CONFIG) --libs \
	$(FTPC_DYN_PKGS) 2>/dev/null))
else
FTPC_LDLIBS = $(LDLIBS)
endif

ftpc: $(CLIENT_OBJ) $(BUILD)/libcommon.a
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(FTPC_LDLIBS)

# A unit test links libcommon.a plus the daemon objects it names here.
TEST_EXTRA_test_fsops := $(BUILD)/worker/fsops.o $(BUILD)/worker/fstmp.o \
	$(BUILD)/worker/sweep.o
TEST_EXTRA_test_fstmp := $(TEST_EXTRA_test_fsops)
TEST_EXTRA_test_knownhosts := $(BUILD)/client/knownhosts.o $(BUILD)/client/paths.o

.SECONDEXPANSION:
$(BUILD)/tests/%: tests/unit/%.c $$(TEST_EXTRA_$$*) $(BUILD)/libcommon.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS) -lcmocka

unit: $(UNIT_BIN)

# The test run: lint, unit tests (cmocka), end-to-end tests (pytest) against
# the real binaries; tests/run.sh prints the closing "N passed, N failed".
check: deps
	$(MAKE) WERROR=-Werror all unit
	$(MAKE) lint
	sh tests/run.sh $(UNIT_BIN)

e2e: all
	/usr/bin/python3 -m pytest -q tests/e2e

# Every check runs, so one failure does not hide the others.
lint:
	@fail=0; \
	bad=$$(grep -nE '\b(strcpy|strcat|sprintf|vsprintf|strncpy|atoi|atol|gets)[[:space:]]*\(' $(SRC_ALL) || true); \
	if [ -n "$$bad" ]; then echo "banned functions (see STYLE.md):"; echo "$$bad"; fail=1; fi; \
	bad=""; for f in $(SRC_ALL); do \
		clang-format --dry-run $$f 2>&1 | grep -q warning && bad="$$bad $$f"; \
	done; if [ -n "$$bad" ]; then echo "not formatted (run make format):$$bad"; fail=1; fi; \
	mandoc -Tlint -Wwarning $(MAN_PAGES) || fail=1; \
	shellcheck $(SHELL_SCRIPTS) || fail=1; \
	if [ "$$fail" -ne 0 ]; then echo "lint: failed"; exit 1; fi; \
	echo "lint: ok"

format:
	clang-format -i $(SRC_ALL)

# make asan: the whole test suite (unit and e2e) against binaries built with
# ASan+UBSan in build-asan/ (build-asan/bin/ftpd, ftpc), leaving ./ftpd and
# ./ftpc as they are (the packaging tests install those; they are built
# normally first).  tests/run.sh counts every sanitizer report as a failure.
ASAN_OPT	:= -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer \
	-fno-sanitize-recover=undefined
ASAN_UNIT_BIN	:= $(UNIT_BIN:$(BUILD)/%=build-asan/%)
# Its preloaded malloc calls glibc's __libc_malloc, which ASan cannot share.
ASAN_E2E_SKIP	:= tests/e2e/test_spec_list_nomem.py::test_list_out_of_memory_replies_internal

$(BUILD)/bin/ftpd: $(BUILD)/server/main.o $(BUILD)/libdaemon.a $(BUILD)/libcommon.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/bin/ftpc: $(CLIENT_OBJ) $(BUILD)/libcommon.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

asan: deps
	$(MAKE) WERROR=-Werror all
	$(MAKE) BUILD=build-asan OPT="$(ASAN_OPT)" WERROR=-Werror \
		LDFLAGS="-pie -fsanitize=address,undefined" \
		build-asan/bin/ftpd build-asan/bin/ftpc $(ASAN_UNIT_BIN)
	FTPD_BIN_DIR="$(CURDIR)/build-asan/bin" FTPD_E2E_DESELECT="$(ASAN_E2E_SKIP)" \
		sh tests/run.sh $(ASAN_UNIT_BIN)

# make soak: SOAK_CLIENTS (200) concurrent clients for SOAK_MINUTES (10) of
# mixed put/get/ls/mv against ./ftpd, every byte checked, RSS per minute.
# A benchmark, not a test: make check does not run it.
.PHONY: soak
SOAK_MINUTES	?= 10
SOAK_CLIENTS	?= 200
soak: deps all
	/usr/bin/python3 tests/bench/soak.py --minutes $(SOAK_MINUTES) --clients $(SOAK_CLIENTS)

bench: deps all
	sh tests/bench/bench.sh
	ROUNDS=1 sh tests/bench/trees.sh
	/usr/bin/python3 tests/bench/logins.py

# Side-by-side benchmark against vsftpd, OpenSSH (sftp, scp) and rsyncd
# (tests/bench/compare.py).  deps-bench installs the other servers and
# clients; it is not part of deps.  Not a test: check does not run it.
BENCH_PKGS := vsftpd openssh-server openssh-client rsync lftp curl

.PHONY: bench-compare deps-bench

deps-bench:
	@missing=""; for p in $(BENCH_PKGS); do \
		dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q 'install ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
		echo "make deps-bench: installing$$missing"; \
		SUDO=""; [ "$$(id -u)" -eq 0 ] || SUDO=sudo; \
		$$SUDO apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	fi

bench-compare: deps all deps-bench
	/usr/bin/python3 tests/bench/compare.py

# put -r and get -r of a small-file and a large-file tree, --parallel 1 and 4.
.PHONY: bench-trees
bench-trees: deps all
	sh tests/bench/trees.sh

# Logins per second of each authentication method (tests/bench/logins.py).
.PHONY: bench-logins
bench-logins: deps all
	/usr/bin/python3 tests/bench/logins.py

demo: deps all
	sh tests/demo.sh

# libFuzzer targets, built with clang into build-fuzz/fuzz/ (a target that
# needs daemon objects names them in FUZZ_EXTRA_<name>), then each run for
# FUZZ_SECONDS from a copy of its seed corpus (tests/fuzz/run.sh).
FUZZ_SECONDS	?= 20
FUZZ_OPT	:= -O1 -g -fsanitize=fuzzer-no-link,address,undefined
FUZZ_BIN	:= $(FUZZ_SRC:tests/fuzz/%.c=build-fuzz/fuzz/%)
FUZZ_EXTRA_fuzz_path = $(BUILD)/worker/fsops.o

$(BUILD)/fuzz/%: tests/fuzz/%.c $$(FUZZ_EXTRA_$$*) $(BUILD)/libcommon.a
	@mkdir -p $(dir $@)
	clang -std=c11 -D_GNU_SOURCE -I. -g -O1 -fsanitize=fuzzer,address,undefined \
		$(shell $(PKG_CONFIG) --cflags $(PKGS) 2>/dev/null) -o $@ $^ $(LDLIBS)

fuzz:
	$(MAKE) BUILD=build-fuzz CC=clang HARDEN= OPT="$(FUZZ_OPT)" $(FUZZ_BIN)
	sh tests/fuzz/run.sh $(FUZZ_SECONDS) $(FUZZ_BIN)

# Installation.  Configuration files under /etc are never overwritten, and
# uninstall leaves a configuration the operator changed.
SBINDIR	:= $(PREFIX)/sbin
BINDIR	:= $(PREFIX)/bin
MANDIR	:= $(PREFIX)/share/man
SYSCONFDIR ?= /etc
UNITDIR	?= /lib/systemd/system
INSTALLED_FILES := $(SBINDIR)/ftpd $(BINDIR)/ftpc $(MANDIR)/man8/ftpd.8 \
	$(MANDIR)/man5/ftpd.conf.5 $(MANDIR)/man1/ftpc.1 \
	$(SYSCONFDIR)/init.d/ftpd $(UNITDIR)/ftpd.service \
	$(SYSCONFDIR)/logrotate.d/ftpd

# install builds what is missing; install-files only copies (make deb and
# the tests use it on binaries already built, without rebuilding them).
install: all
	@$(MAKE) --no-print-directory install-files

install-files:
	install -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 \
		$(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(MANDIR)/man8 \
		$(DESTDIR)$(SYSCONFDIR)/ftpd $(DESTDIR)$(SYSCONFDIR)/init.d \
		$(DESTDIR)$(SYSCONFDIR)/default $(DESTDIR)$(SYSCONFDIR)/logrotate.d \
		$(DESTDIR)$(UNITDIR)
	install -m 0755 ftpd $(DESTDIR)$(SBINDIR)/ftpd
	install -m 0755 ftpc $(DESTDIR)$(BINDIR)/ftpc
	install -m 0644 man/ftpd.8 $(DESTDIR)$(MANDIR)/man8/ftpd.8
	install -m 0644 man/ftpd.conf.5 $(DESTDIR)$(MANDIR)/man5/ftpd.conf.5
	install -m 0644 man/ftpc.1 $(DESTDIR)$(MANDIR)/man1/ftpc.1
	sed 's|/usr/sbin/ftpd|$(SBINDIR)/ftpd|' etc/init.d/ftpd > $(DESTDIR)$(SYSCONFDIR)/init.d/ftpd
	chmod 0755 $(DESTDIR)$(SYSCONFDIR)/init.d/ftpd
	sed 's|/usr/sbin/ftpd|$(SBINDIR)/ftpd|g' etc/ftpd.service > $(DESTDIR)$(UNITDIR)/ftpd.service
	chmod 0644 $(DESTDIR)$(UNITDIR)/ftpd.service
	install -m 0644 etc/logrotate.d/ftpd $(DESTDIR)$(SYSCONFDIR)/logrotate.d/ftpd
	@for f in ftpd.conf:ftpd/ftpd.conf default/ftpd:default/ftpd; do \
		src=etc/$${f%%:*} dst=$(DESTDIR)$(SYSCONFDIR)/$${f#*:}; \
		if [ -e "$$dst" ]; then \
			echo "keeping $$dst"; \
		else \
			echo "install -m 0644 $$src $$dst"; \
			install -m 0644 "$$src" "$$dst" || exit 1; \
		fi; \
	done

uninstall:
	rm -f $(addprefix $(DESTDIR),$(INSTALLED_FILES))
	cmp -s etc/ftpd.conf $(DESTDIR)$(SYSCONFDIR)/ftpd/ftpd.conf && \
		rm -f $(DESTDIR)$(SYSCONFDIR)/ftpd/ftpd.conf || true
	cmp -s etc/default/ftpd $(DESTDIR)$(SYSCONFDIR)/default/ftpd && \
		rm -f $(DESTDIR)$(SYSCONFDIR)/default/ftpd || true
	rmdir $(DESTDIR)$(SYSCONFDIR)/ftpd 2>/dev/null || true

# A Debian package built with Debian's own tools (dpkg-deb, dpkg-shlibdeps
# for the library dependencies), no debian/rules needed: the staged tree is
# build/deb/debian/ftpd, where dpkg-shlibdeps expects it.  Binaries go to
# /usr/sbin and /usr/bin (PREFIX=/usr), stripped; man pages gzipped.  The
# maintainer scripts and conffiles are in pkg/deb/.
VERSION		:= $(shell sed -n 's/^\#define FTPC_VERSION[[:space:]]*"\(.*\)"/\1/p' client/main.c)
DEB_ARCH	:= $(shell dpkg --print-architecture 2>/dev/null)
DEB_MAINTAINER	?= ftpd maintainers <root@localhost>
DEB_DIR		:= $(BUILD)/deb
DEB_ROOT	:= $(DEB_DIR)/debian/ftpd
DEB_FILE	:= $(DEB_DIR)/ftpd_$(VERSION)_$(DEB_ARCH).deb

deb: all
	@[ -n "$(VERSION)" ] && [ -n "$(DEB_ARCH)" ] || \
		{ echo "make deb: no version in client/main.c or no dpkg"; exit 1; }
	rm -rf $(DEB_DIR)/debian $(DEB_FILE)
	$(MAKE) --no-print-directory install-files DESTDIR=$(abspath $(DEB_ROOT)) PREFIX=/usr
	strip --remove-section=.comment --remove-section=.note --strip-unneeded \
		$(DEB_ROOT)/usr/sbin/ftpd $(DEB_ROOT)/usr/bin/ftpc
	gzip -9n $(DEB_ROOT)/usr/share/man/man*/*
	install -d $(DEB_ROOT)/usr/share/doc/ftpd $(DEB_ROOT)/DEBIAN
	install -m 0644 README.md doc/PROTOCOL.md doc/SECURITY.md $(DEB_ROOT)/usr/share/doc/ftpd/
	install -m 0644 pkg/deb/conffiles $(DEB_ROOT)/DEBIAN/conffiles
	install -m 0755 pkg/deb/postinst pkg/deb/prerm pkg/deb/postrm $(DEB_ROOT)/DEBIAN/
	cd $(DEB_ROOT) && find usr lib -type f | LC_ALL=C sort | xargs md5sum > DEBIAN/md5sums
	printf 'Source: ftpd\n\nPackage: ftpd\nArchitecture: any\n' > $(DEB_DIR)/debian/control
	shlibs=$$(cd $(DEB_DIR) && dpkg-shlibdeps -O debian/ftpd/usr/sbin/ftpd \
		debian/ftpd/usr/bin/ftpc | sed -n 's/^shlibs:Depends=//p') && \
	size=$$(du -sk --exclude=DEBIAN $(DEB_ROOT) | cut -f1) && \
	[ -n "$$shlibs" ] && \
	sed -e 's|@VERSION@|$(VERSION)|' -e 's|@ARCH@|$(DEB_ARCH)|' \
		-e 's|@MAINTAINER@|$(DEB_MAINTAINER)|' -e "s|@SIZE@|$$size|" \
		-e "s|@SHLIBS@|$$shlibs|" pkg/deb/control.in > $(DEB_ROOT)/DEBIAN/control
	chmod 0644 $(DEB_ROOT)/DEBIAN/control $(DEB_ROOT)/DEBIAN/md5sums
	dpkg-deb --root-owner-group -Zxz --build $(DEB_ROOT) $(DEB_FILE)

clean:
	rm -rf build build-asan build-fuzz ftpd ftpc
