/*
 * test_fstmp.c: unit tests of worker/fstmp.c, the temporary files of
 * uploads: a commit that creates, one refused because the name exists, one
 * that replaces, a discard that leaves nothing, a folder as target refused
 * and kept, and never a FSOPS_TMP_PREFIX name left behind; a temporary is
 * locked while written, and the sweep removes only unlocked leftovers, a
 * kept part only once expired, giving its bytes back to the account its
 * name charges (never creating a usage record).  It must not touch
 * anything outside its mkdtemp folder, which it removes at the end.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/error.h"
#include "common/usage.h"
#include "tests/unit/unit.h"
#include "worker/fsops.h"

static char base[] = "/tmp/test_fstmp.XXXXXX";
static int  rootfd = -1; /* base, O_PATH: the served root */
/* Parts kept a day, no usage records. */
static const struct fsops_sweep plain = { 86400, -1 };

/* The root holds sub/deep/. */
static int
setup(void **state)
{
	(void)state;
	if (mkdtemp(base) == NULL ||
	    (rootfd = open(base, O_PATH | O_DIRECTORY | O_CLOEXEC)) == -1 ||
	    mkdirat(rootfd, "sub", 0755) == -1 ||
	    mkdirat(rootfd, "sub/deep", 0755) == -1)
		return -1;
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	if (rootfd >= 0)
		close(rootfd);
	return unit_rmtree(base);
}

/* No FSOPS_TMP_PREFIX name left in folder fd. */
static void
assert_no_tmp(int pfd)
{
	struct dirent *de;
	DIR	      *d;
	int	       fd = openat(pfd, ".", O_RDONLY | O_DIRECTORY);

	assert_true(fd >= 0);
	assert_non_null(d = fdopendir(fd));
	while ((de = readdir(d)) != NULL)
		assert_int_not_equal(strncmp(de->d_name, FSOPS_TMP_PREFIX,
					 strlen(FSOPS_TMP_PREFIX)),
		    0);
	closedir(d);
}

static void
write_tmp(int pfd, struct fsops_tmp *t, const char *text)
{
	assert_int_equal(fsops_tmp_create(pfd, t), 0);
	assert_true(t->fd >= 0);
	assert_int_equal(write(t->fd, text, strlen(text)),
	    (ssize_t)strlen(text));
}

static void
test_tmp_files(void **state)
{
	struct fsops_tmp t;
	struct stat	 st;
	char		 name[FSOPS_NAME_MAX + 1], buf[16];
	int		 pfd, fd;

	(void)state;
	pfd = fsops_open_parent(rootfd, "sub/t.bin", name, sizeof(name));
	assert_true(pfd >= 0);
	write_tmp(pfd, &t, "one");
	assert_int_equal(fsops_tmp_commit(pfd, &t, name, 0), 0);
	assert_int_equal(t.fd, -1);
	fsops_tmp_discard(pfd, &t); /* after commit: a no-op */

	write_tmp(pfd, &t, "two");
	assert_int_equal(fsops_tmp_commit(pfd, &t, name, 0), -ERR_EXISTS);
	fsops_tmp_discard(pfd, &t);
	assert_no_tmp(pfd);

	write_tmp(pfd, &t, "three");
	assert_int_equal(fsops_tmp_commit(pfd, &t, name, 1), 0);
	assert_no_tmp(pfd);
	fd = fsops_open_read(rootfd, "sub/t.bin", &st);
	assert_true(fd >= 0);
	assert_int_equal(read(fd, buf, sizeof(buf)), 5);
	assert_memory_equal(buf, "three", 5);
	close(fd);

	write_tmp(pfd, &t, "four"); /* never committed: leaves nothing */
	fsops_tmp_discard(pfd, &t);
	assert_no_tmp(pfd);
	/* A folder as target is refused, the folder kept. */
	write_tmp(pfd, &t, "five");
	assert_int_equal(fsops_tmp_commit(pfd, &t, "deep", 1), -ERR_IS_DIR);
	fsops_tmp_discard(pfd, &t);
	assert_no_tmp(pfd);
	assert_int_equal(fsops_stat(rootfd, "sub/deep", &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	close(pfd);
	assert_int_equal(fsops_delete(rootfd, "sub/t.bin"), 0);
}

/* Create name beneath the root with text; returns its descriptor. */
static int
leftover(const char *name)
{
	int fd = openat(rootfd, name, O_WRONLY | O_CREAT | O_EXCL, 0600);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, "left", 4), 4);
	return fd;
}

static int
exists(const char *name)
{
	struct stat st;

	return fstatat(rootfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0;
}

/* A writer's temporary is locked from creation: a sweep sees it live. */
static void
test_tmp_locked(void **state)
{
	struct fsops_tmp t;
	char		 proc[64], name[FSOPS_NAME_MAX + 1];
	int		 pfd, fd;

	(void)state;
	pfd = fsops_open_parent(rootfd, "sub/l.bin", name, sizeof(name));
	assert_true(pfd >= 0);
	write_tmp(pfd, &t, "live");
	(void)snprintf(proc, sizeof(proc), "/proc/self/fd/%d", t.fd);
	assert_true((fd = open(proc, O_RDONLY)) >= 0);
	assert_int_equal(flock(fd, LOCK_EX | LOCK_NB), -1);
	assert_int_equal(errno, EWOULDBLOCK);
	close(fd);
	fsops_tmp_discard(pfd, &t);
	close(pfd);
}

/*
 * Leftovers whose writer is gone are removed from the whole tree; one
 * still locked by a live writer, a link and other names stay.
 */
static void
test_sweep(void **state)
{
	int live, pfd;

	(void)state;
	close(leftover(FSOPS_TMP_PREFIX "dead1"));
	close(leftover("sub/deep/" FSOPS_TMP_PREFIX "dead2"));
	close(leftover("sub/keep.txt"));
	live = leftover("sub/" FSOPS_TMP_PREFIX "live");
	assert_int_equal(flock(live, LOCK_EX), 0);
	assert_int_equal(symlinkat("keep.txt", rootfd,
			     "sub/" FSOPS_TMP_PREFIX "link"),
	    0);
	assert_int_equal(fsops_tmp_sweep_tree(rootfd, 100, &plain), 2);
	assert_false(exists(FSOPS_TMP_PREFIX "dead1"));
	assert_false(exists("sub/deep/" FSOPS_TMP_PREFIX "dead2"));
	assert_true(exists("sub/" FSOPS_TMP_PREFIX "live"));
	assert_true(exists("sub/" FSOPS_TMP_PREFIX "link"));
	assert_true(exists("sub/keep.txt"));
	/* Its writer gone, the one folder is swept, then not again soon. */
	close(live);
	pfd = open(base, O_PATH | O_DIRECTORY);
	assert_true(pfd >= 0);
	close(leftover(FSOPS_TMP_PREFIX "dead3"));
	assert_int_equal(fsops_tmp_sweep(pfd, "", 60, &plain), 1);
	close(leftover(FSOPS_TMP_PREFIX "dead4"));
	assert_int_equal(fsops_tmp_sweep(pfd, "", 60, &plain), 0);
	assert_int_equal(fsops_tmp_sweep(pfd, "", 0, &plain), 1);
	close(pfd);
	pfd = fsops_open(rootfd, "sub", O_PATH | O_DIRECTORY, 0);
	assert_int_equal(fsops_tmp_sweep(pfd, "sub", 0, &plain), 1);
	assert_false(exists("sub/" FSOPS_TMP_PREFIX "live"));
	close(pfd);
	assert_int_equal(unlinkat(rootfd, "sub/" FSOPS_TMP_PREFIX "link", 0),
	    0);
	assert_int_equal(unlinkat(rootfd, "sub/keep.txt", 0), 0);
}

/* Set the last write of name beneath the root back by age seconds. */
static void
age(const char *name, int age_s)
{
	struct timespec ts[2];

	assert_int_equal(clock_gettime(CLOCK_REALTIME, &ts[0]), 0);
	ts[0].tv_sec -= age_s;
	ts[1] = ts[0];
	assert_int_equal(utimensat(rootfd, name, ts, AT_SYMLINK_NOFOLLOW), 0);
}

#define PART USAGE_PART_PREFIX "0123456789abcdef"

/*
 * Kept parts: a young one stays; an expired one charged to dave goes and
 * its 4 bytes and 1 file leave dave's record; one charged to an account
 * without a record goes without creating one; one of a session without an
 * account (no suffix) goes and changes nothing.
 */
static void
test_sweep_parts(void **state)
{
	const struct fsops_sweep how = { 60, rootfd };
	const struct usage	 dave = { 100, 3 };
	struct usage		 now;
	struct stat		 st;

	(void)state;
	assert_int_equal(usage_set(rootfd, "dave", &dave), 0);
	close(leftover(PART ".dave"));
	close(leftover("sub/" PART ".dave"));
	close(leftover("sub/" PART ".nobody"));
	close(leftover("sub/" PART));
	age("sub/" PART ".dave", 120);
	age("sub/" PART ".nobody", 120);
	age("sub/" PART, 120);
	assert_int_equal(fsops_tmp_sweep_tree(rootfd, 100, &how), 3);
	assert_true(exists(PART ".dave"));
	assert_false(exists("sub/" PART ".dave"));
	assert_false(exists("sub/" PART ".nobody"));
	assert_false(exists("sub/" PART));
	assert_int_equal(usage_get(rootfd, "dave", &now), 0);
	assert_int_equal(now.bytes, 96);
	assert_int_equal(now.files, 2);
	assert_int_equal(fstatat(rootfd, USAGE_DIR "/nobody", &st, 0), -1);
	assert_int_equal(errno, ENOENT);
	assert_int_equal(unlinkat(rootfd, PART ".dave", 0), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tmp_files),
		cmocka_unit_test(test_tmp_locked),
		cmocka_unit_test(test_sweep),
		cmocka_unit_test(test_sweep_parts),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
