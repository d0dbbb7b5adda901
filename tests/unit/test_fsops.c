/*
 * test_fsops.c: unit tests of worker/fsops.c in a temporary folder: path
 * shape checks (empty, absolute, NUL, over-long path and component), every
 * way out of the root ("..", "../x", "a/../../x", links to /etc, to ../..
 * and to a sibling folder) refused with the right ERR_* code and nothing
 * created outside, the parent/last-name split, folder operations, sorted
 * listing and reading (upload temporaries: test_fstmp.c).  It must not touch
 * anything outside its mkdtemp folder, which it removes at the end.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/error.h"
#include "tests/unit/unit.h"
#include "worker/fsops.h"

struct fixture {
	char base[64];	  /* mkdtemp folder */
	char outside[96]; /* base/outside: must stay empty */
	int  rootfd;	  /* base/root, O_PATH */
};

static struct fixture fx;

static void
put_file(const char *rel, const char *text)
{
	int fd = openat(fx.rootfd, rel, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
}

static int
setup(void **state)
{
	char root[96];

	(void)state;
	snprintf(fx.base, sizeof(fx.base), "/tmp/test_fsops.XXXXXX");
	if (mkdtemp(fx.base) == NULL)
		return -1;
	snprintf(root, sizeof(root), "%s/root", fx.base);
	snprintf(fx.outside, sizeof(fx.outside), "%s/outside", fx.base);
	if (mkdir(root, 0755) == -1 || mkdir(fx.outside, 0755) == -1)
		return -1;
	if ((fx.rootfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC)) == -1)
		return -1;
	/* root: a.txt, sub/deep/, links etc -> /etc, up -> ../.., out ->
	 * ../outside, sub/back -> ../a.txt (inside). */
	if (mkdirat(fx.rootfd, "sub", 0755) == -1 ||
	    mkdirat(fx.rootfd, "sub/deep", 0755) == -1 ||
	    symlinkat("/etc", fx.rootfd, "etc") == -1 ||
	    symlinkat("../..", fx.rootfd, "up") == -1 ||
	    symlinkat("../outside", fx.rootfd, "out") == -1 ||
	    symlinkat("../a.txt", fx.rootfd, "sub/back") == -1)
		return -1;
	put_file("a.txt", "hello\n");
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	close(fx.rootfd);
	return unit_rmtree(fx.base);
}

/* Nothing may appear next to root or inside outside. */
static void
assert_nothing_outside(void)
{
	struct stat st;
	char	    p[160];
	DIR	   *d = opendir(fx.outside);
	int	    n = 0;

	assert_non_null(d);
	while (readdir(d) != NULL)
		n++;
	closedir(d);
	assert_int_equal(n, 2); /* "." and ".." */
	snprintf(p, sizeof(p), "%s/x", fx.base);
	assert_int_equal(lstat(p, &st), -1);
	snprintf(p, sizeof(p), "%s/escaped", fx.base);
	assert_int_equal(lstat(p, &st), -1);
}

static void
test_check_path(void **state)
{
	char out[FSOPS_PATH_MAX + 1], big[FSOPS_PATH_MAX + 2];
	char comp[FSOPS_NAME_MAX + 2];

	(void)state;
	assert_int_equal(fsops_check_path("", 0, out, sizeof(out)),
	    -ERR_BAD_PATH);
	assert_int_equal(fsops_check_path("/etc/passwd", 11, out, sizeof(out)),
	    -ERR_BAD_PATH);
	assert_int_equal(fsops_check_path("a\0b", 3, out, sizeof(out)),
	    -ERR_BAD_PATH);
	assert_int_equal(fsops_check_path("a/b.txt", 7, out, sizeof(out)), 0);
	assert_string_equal(out, "a/b.txt");
	/* Not NUL terminated input: only len bytes count. */
	assert_int_equal(fsops_check_path("abcdef", 3, out, sizeof(out)), 0);
	assert_string_equal(out, "abc");

	memset(comp, 'c', sizeof(comp));
	assert_int_equal(fsops_check_path(comp, FSOPS_NAME_MAX, out,
			     sizeof(out)),
	    0);
	assert_int_equal(fsops_check_path(comp, FSOPS_NAME_MAX + 1, out,
			     sizeof(out)),
	    -ERR_NAME_TOO_LONG);

	/* 4095 bytes of short components pass, 4096 do not. */
	memset(big, 'a', sizeof(big));
	for (size_t i = 100; i < sizeof(big); i += 100)
		big[i] = '/';
	assert_int_equal(fsops_check_path(big, FSOPS_PATH_MAX, out,
			     sizeof(out)),
	    0);
	assert_int_equal(strlen(out), FSOPS_PATH_MAX);
	assert_int_equal(fsops_check_path(big, FSOPS_PATH_MAX + 1, out,
			     sizeof(out)),
	    -ERR_NAME_TOO_LONG);
	/* A destination too small is refused, not truncated. */
	assert_int_equal(fsops_check_path("abcdef", 6, out, 4),
	    -ERR_NAME_TOO_LONG);
}

static void
test_escapes_refused(void **state)
{
	static const char *bad[] = { "..", "../x", "sub/../../x", "etc/passwd",
		"up/x", "up/etc/passwd", "out/x", "sub/deep/../../../x",
		"/etc/passwd" };
	struct stat	   st;
	size_t		   i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(fsops_stat(fx.rootfd, bad[i], &st),
		    -ERR_BAD_PATH);
		assert_int_equal(fsops_open_read(fx.rootfd, bad[i], &st),
		    -ERR_BAD_PATH);
	}
	/* ".." that stays inside is fine. */
	assert_int_equal(fsops_stat(fx.rootfd, "sub/../a.txt", &st), 0);
	assert_true(S_ISREG(st.st_mode));
	/* A final link is not followed by stat. */
	assert_int_equal(fsops_stat(fx.rootfd, "etc", &st), 0);
	assert_string_equal(fsops_type(st.st_mode), "link");
	assert_int_equal(fsops_stat(fx.rootfd, ".", &st), 0);
	assert_string_equal(fsops_type(st.st_mode), "dir");
}

static void
test_no_create_outside(void **state)
{
	char	    name[FSOPS_NAME_MAX + 1];
	const char *why;

	(void)state;
	assert_int_equal(fsops_mkdir(fx.rootfd, "../escaped", 0755),
	    -ERR_BAD_PATH);
	assert_int_equal(fsops_mkdir(fx.rootfd, "out/x", 0755), -ERR_BAD_PATH);
	assert_int_equal(fsops_mkdir(fx.rootfd, "up/escaped", 0755),
	    -ERR_BAD_PATH);
	assert_int_equal(fsops_rename(fx.rootfd, "a.txt", "../escaped", 1,
			     &why),
	    -ERR_BAD_PATH);
	assert_int_equal(fsops_rename(fx.rootfd, "a.txt", "out/x", 1, &why),
	    -ERR_BAD_PATH);
	assert_int_equal(fsops_rename(fx.rootfd, "up/x", "moved", 1, &why),
	    -ERR_BAD_PATH);
	assert_int_equal(fsops_delete(fx.rootfd, "etc/passwd"), -ERR_BAD_PATH);
	assert_int_equal(fsops_rmdir(fx.rootfd, "up/tmp"), -ERR_BAD_PATH);
	assert_int_equal(fsops_open_parent(fx.rootfd, "out/x", name,
			     sizeof(name)),
	    -ERR_BAD_PATH);
	assert_int_equal(fsops_open_parent(fx.rootfd, "sub/../../x", name,
			     sizeof(name)),
	    -ERR_BAD_PATH);
	assert_int_equal(fsops_open(fx.rootfd, "../x", O_WRONLY | O_CREAT,
			     0644),
	    -ERR_BAD_PATH);
	assert_int_equal(fsops_open(fx.rootfd, "out/x", O_WRONLY | O_CREAT,
			     0644),
	    -ERR_BAD_PATH);
	assert_nothing_outside();
	/* The link itself (inside the root) may be removed; /etc stays. */
	assert_int_equal(fsops_delete(fx.rootfd, "etc"), 0);
	assert_int_equal(symlinkat("/etc", fx.rootfd, "etc"), 0);
	assert_int_equal(access("/etc/passwd", F_OK), 0);
}

static void
test_parent_split(void **state)
{
	char	    name[FSOPS_NAME_MAX + 1];
	struct stat a, b;
	int	    fd;

	(void)state;
	fd = fsops_open_parent(fx.rootfd, "new.bin", name, sizeof(name));
	assert_true(fd >= 0);
	assert_string_equal(name, "new.bin");
	assert_int_equal(fstat(fd, &a), 0);
	assert_int_equal(fstat(fx.rootfd, &b), 0);
	assert_true(a.st_ino == b.st_ino && a.st_dev == b.st_dev);
	close(fd);

	fd = fsops_open_parent(fx.rootfd, "sub/deep/f", name, sizeof(name));
	assert_true(fd >= 0);
	assert_string_equal(name, "f");
	assert_int_equal(fstat(fd, &a), 0);
	assert_int_equal(fstatat(fx.rootfd, "sub/deep", &b, 0), 0);
	assert_true(a.st_ino == b.st_ino);
	close(fd);

	assert_int_equal(fsops_open_parent(fx.rootfd, "sub/", name,
			     sizeof(name)),
	    -ERR_BAD_PATH);
	assert_int_equal(fsops_open_parent(fx.rootfd, "sub/.", name,
			     sizeof(name)),
	    -ERR_BAD_PATH);
	assert_int_equal(fsops_open_parent(fx.rootfd, "sub/..", name,
			     sizeof(name)),
	    -ERR_BAD_PATH);
	assert_int_equal(fsops_open_parent(fx.rootfd, ".", name, sizeof(name)),
	    -ERR_BAD_PATH);
	assert_int_equal(fsops_open_parent(fx.rootfd, "..", name, sizeof(name)),
	    -ERR_BAD_PATH);
	assert_int_equal(fsops_open_parent(fx.rootfd, "nope/x", name,
			     sizeof(name)),
	    -ERR_NOT_FOUND);
	assert_int_equal(fsops_open_parent(fx.rootfd, "a.txt/x", name,
			     sizeof(name)),
	    -ERR_NOT_DIR);
}

static void
test_folder_ops(void **state)
{
	struct stat st;
	const char *why;

	(void)state;
	assert_int_equal(fsops_mkdir(fx.rootfd, "n1", 0755), 0);
	assert_int_equal(fsops_mkdir(fx.rootfd, "n1/n2", 0700), 0);
	assert_int_equal(fsops_stat(fx.rootfd, "n1/n2", &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	assert_int_equal(fsops_mkdir(fx.rootfd, "n1", 0755), -ERR_EXISTS);
	assert_int_equal(fsops_mkdir(fx.rootfd, "nope/x", 0755),
	    -ERR_NOT_FOUND);
	assert_int_equal(fsops_mkdir(fx.rootfd, "a.txt/x", 0755), -ERR_NOT_DIR);
	assert_int_equal(fsops_delete(fx.rootfd, "n1"), -ERR_IS_DIR);
	assert_int_equal(fsops_rmdir(fx.rootfd, "n1"), -ERR_NOT_EMPTY);
	assert_int_equal(fsops_rmdir(fx.rootfd, "a.txt"), -ERR_NOT_DIR);
	assert_int_equal(fsops_delete(fx.rootfd, "missing"), -ERR_NOT_FOUND);

	assert_int_equal(fsops_rename(fx.rootfd, "n1/n2", "n1/n3", 0, &why), 0);
	assert_int_equal(fsops_mkdir(fx.rootfd, "n1/n2", 0755), 0);
	assert_int_equal(fsops_rename(fx.rootfd, "n1/n2", "n1/n3", 0, &why),
	    -ERR_EXISTS);
	assert_int_equal(fsops_rename(fx.rootfd, "n1/n2", "n1/n3", 1, &why), 0);
	assert_int_equal(fsops_stat(fx.rootfd, "n1/n2", &st), -ERR_NOT_FOUND);
	put_file("n1/f", "x");
	assert_int_equal(fsops_rename(fx.rootfd, "n1/f", "sub/deep/f", 0, &why),
	    0);
	assert_int_equal(fsops_delete(fx.rootfd, "sub/deep/f"), 0);
	assert_int_equal(fsops_rmdir(fx.rootfd, "n1/n3"), 0);
	assert_int_equal(fsops_rmdir(fx.rootfd, "n1"), 0);
	assert_int_equal(fsops_rmdir(fx.rootfd, "."), -ERR_BAD_PATH);
}

/* A folder moved beneath itself is the client's bad path, not an I/O error,
 * with or without overwrite (renameat2 RENAME_NOREPLACE gives EINVAL too). */
static void
test_rename_beneath_itself(void **state)
{
	const char *why = "x";
	int	    ow;

	(void)state;
	assert_int_equal(fsops_mkdir(fx.rootfd, "b1", 0755), 0);
	assert_int_equal(fsops_mkdir(fx.rootfd, "b1/b2", 0755), 0);
	for (ow = 0; ow <= 1; ow++) {
		assert_int_equal(fsops_rename(fx.rootfd, "b1", "b1/b2/b1", ow,
				     &why),
		    -ERR_BAD_PATH);
		assert_string_equal(why, FSOPS_BENEATH_ITSELF);
		assert_int_equal(fsops_rename(fx.rootfd, "b1", "b1/x", ow,
				     &why),
		    -ERR_BAD_PATH);
		assert_string_equal(why, FSOPS_BENEATH_ITSELF);
	}
	assert_int_equal(fsops_rename(fx.rootfd, "b1", "nope/x", 0, &why),
	    -ERR_NOT_FOUND);
	assert_null(why);
	assert_int_equal(fsops_rmdir(fx.rootfd, "b1/b2"), 0);
	assert_int_equal(fsops_rmdir(fx.rootfd, "b1"), 0);
}

static void
test_list_sorted(void **state)
{
	static const char *want[] = { "C", "_", "a", "b", "z\xc3\xa9" };
	struct fsops_dir   d;
	struct stat	   st;
	size_t		   i;

	(void)state;
	assert_int_equal(fsops_mkdir(fx.rootfd, "l", 0755), 0);
	put_file("l/b", "bb");
	put_file("l/a", "a");
	put_file("l/z\xc3\xa9", "");
	put_file("l/_", "");
	assert_int_equal(fsops_mkdir(fx.rootfd, "l/C", 0755), 0);
	assert_int_equal(fsops_dir_open(fx.rootfd, "l", &d), 0);
	assert_int_equal(d.count, 5);
	for (i = 0; i < d.count; i++)
		assert_string_equal(d.names[i], want[i]);
	assert_int_equal(fsops_dir_stat(&d, 0, &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	assert_int_equal(fsops_dir_stat(&d, 3, &st), 0);
	assert_int_equal(st.st_size, 2);
	assert_int_equal(unlinkat(fx.rootfd, "l/a", 0), 0);
	assert_int_equal(fsops_dir_stat(&d, 2, &st), 1); /* vanished */
	fsops_dir_close(&d);
	fsops_dir_close(&d); /* twice is harmless */

	assert_int_equal(fsops_dir_open(fx.rootfd, "a.txt", &d), -ERR_NOT_DIR);
	assert_int_equal(fsops_dir_open(fx.rootfd, "up", &d), -ERR_BAD_PATH);
	assert_int_equal(fsops_dir_open(fx.rootfd, "etc", &d), -ERR_BAD_PATH);
	assert_int_equal(fsops_dir_open(fx.rootfd, "missing", &d),
	    -ERR_NOT_FOUND);
	assert_int_equal(fsops_dir_open(fx.rootfd, ".", &d), 0);
	assert_true(d.count >= 5);
	fsops_dir_close(&d);
}

static void
test_open_read(void **state)
{
	struct stat st;
	char	    buf[16];
	int	    fd;

	(void)state;
	fd = fsops_open_read(fx.rootfd, "sub/back", &st); /* link inside */
	assert_true(fd >= 0);
	assert_int_equal(st.st_size, 6);
	assert_int_equal(read(fd, buf, sizeof(buf)), 6);
	close(fd);
	assert_int_equal(fsops_open_read(fx.rootfd, "sub", &st), -ERR_IS_DIR);
	assert_int_equal(mkfifoat(fx.rootfd, "fifo", 0644), 0);
	assert_int_equal(fsops_open_read(fx.rootfd, "fifo", &st), -ERR_IO);
	assert_int_equal(unlinkat(fx.rootfd, "fifo", 0), 0);
	assert_int_equal(fsops_open_read(fx.rootfd, "missing", &st),
	    -ERR_NOT_FOUND);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_check_path),
		cmocka_unit_test(test_escapes_refused),
		cmocka_unit_test(test_no_create_outside),
		cmocka_unit_test(test_parent_split),
		cmocka_unit_test(test_folder_ops),
		cmocka_unit_test(test_rename_beneath_itself),
		cmocka_unit_test(test_list_sorted),
		cmocka_unit_test(test_open_read),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
