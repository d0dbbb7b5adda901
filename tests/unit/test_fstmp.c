/*
 * test_fstmp.c: unit tests of worker/fstmp.c, the temporary files of
 * uploads: a commit that creates, one refused because the name exists, one
 * that replaces, a discard that leaves nothing, a folder as target refused
 * and kept, and never a FSOPS_TMP_PREFIX name left behind; a temporary is
 * locked while written, and the sweep removes only unlocked leftovers.  It must not
 * touch anything outside its mkdtemp folder, which it removes at the end.
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
#include <unistd.h>

#include <cmocka.h>

#include "common/error.h"
#include "tests/unit/unit.h"
#include "worker/fsops.h"

static char base[] = "/tmp/test_fstmp.XXXXXX";
static int  rootfd = -1; /* base, O_PATH: the served root */

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
	assert_int_equal(fsops_tmp_sweep_tree(rootfd, 100), 2);
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
	assert_int_equal(fsops_tmp_sweep(pfd, "", 60), 1);
	close(leftover(FSOPS_TMP_PREFIX "dead4"));
	assert_int_equal(fsops_tmp_sweep(pfd, "", 60), 0);
	assert_int_equal(fsops_tmp_sweep(pfd, "", 0), 1);
	close(pfd);
	pfd = fsops_open(rootfd, "sub", O_PATH | O_DIRECTORY, 0);
	assert_int_equal(fsops_tmp_sweep(pfd, "sub", 0), 1);
	assert_false(exists("sub/" FSOPS_TMP_PREFIX "live"));
	close(pfd);
	assert_int_equal(unlinkat(rootfd, "sub/" FSOPS_TMP_PREFIX "link", 0),
	    0);
	assert_int_equal(unlinkat(rootfd, "sub/keep.txt", 0), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tmp_files),
		cmocka_unit_test(test_tmp_locked),
		cmocka_unit_test(test_sweep),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
