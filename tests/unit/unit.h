/*
 * unit.h: small helpers shared by the unit tests: fixed byte patterns,
 * socketpairs and raw frames (the channel tests), and removing a test's
 * folder tree (test_fsops.c, test_fstmp.c).  Header-only (static inline),
 * since the Makefile links each test_*.c alone with libcommon.a; it must
 * not grow anything that is not used by at least two tests.
 */
#ifndef FTPD_TESTS_UNIT_H
#define FTPD_TESTS_UNIT_H

#include <ftw.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/socket.h>

#include "common/frame.h"

/* Fixed inputs: byte i of p[0..n) is start + i (mod 256). */
static inline void
unit_fill(uint8_t *p, size_t n, uint8_t start)
{
	size_t i;

	for (i = 0; i < n; i++)
		p[i] = (uint8_t)(start + i);
}

/* A connected AF_UNIX stream socketpair in sv; fails the test otherwise. */
static inline void
unit_pair(int sv[2])
{
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
}

/* The usual start: secret s = 80 81 .. 9f (PROTOCOL.md 6) and a pair. */
static inline void
unit_setup(uint8_t s[32], int sv[2])
{
	unit_fill(s, 32, 0x80);
	unit_pair(sv);
}

/* Write one plain frame of n payload bytes (1 <= n <= FRAME_MAX) to fd. */
static inline void
unit_put_frame(int fd, const void *p, size_t n)
{
	assert_int_equal(frame_write(fd, p, n), 0);
}

/* nftw callback of unit_rmtree: remove one entry, children first. */
static inline int
unit_rm_entry(const char *path, const struct stat *st, int flag,
    struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

/* Remove the folder path and everything beneath it; 0 or -1 (nftw). */
static inline int
unit_rmtree(const char *path)
{
	return nftw(path, unit_rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

#endif
