/*
 * test_fstmp.c: unit tests of worker/fstmp.c, the temporary files of
 * uploads: a commit that creates, one refused because the name exists, one
 * that replaces, a discard that leaves nothing, a folder as target refused
 * and kept, and never a FSOPS_TMP_PREFIX name left behind.  It must not
 * touch anything outside its mkdtemp folder, which it removes at the end.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <dirent.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/error.h"
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
rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static int
teardown(void **state)
{
	(void)state;
	if (rootfd >= 0)
		close(rootfd);
	return nftw(base, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
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

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tmp_files),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
