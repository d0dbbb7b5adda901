/*
 * fuzz_path.c: libFuzzer target for path resolution in worker/fsops.c: the
 * input is a client's path.  fsops_check_path must agree with a model of
 * PROTOCOL.md 4.1 written here (empty, absolute, NUL, lengths, upload
 * temporaries), and a path it accepts is then resolved beneath a small
 * served root that holds links leading out (relative, absolute, through
 * "..") with fsops_open, fsops_open_parent and fsops_stat: whatever opens
 * must lie beneath the root (checked through /proc/self/fd).  The tree
 * lives in a folder made under $TMPDIR at the first input and removed at
 * exit; nothing here creates, changes or deletes anything inside it.
 */
#include <sys/stat.h>

#include <fcntl.h>
#include <ftw.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/error.h"
#include "worker/fsops.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char base[PATH_MAX]; /* the temporary folder: root/ and outside/ */
static char root[PATH_MAX]; /* base/root, resolved */
static int  rootfd = -1;

static int
rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void
tree_remove(void)
{
	if (base[0] != '\0')
		(void)nftw(base, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* base/root/{a/b/, f, .ftpd-put.x, up->.., out->../outside, abs->/,
 * a/back->../.., a/loop->../a, a/b/deep->../../../outside/secret}. */
static void
tree_make(void)
{
	const char *tmp = getenv("TMPDIR");
	char	    p[PATH_MAX];
	int	    fd, ok = 1;

	if (snprintf(base, sizeof(base), "%s/fuzz_path.XXXXXX",
		tmp != NULL && tmp[0] != '\0' ? tmp : "/tmp") >=
		(int)sizeof(base) ||
	    mkdtemp(base) == NULL)
		abort();
	atexit(tree_remove);
	if (snprintf(root, sizeof(root), "%s/root", base) >= (int)sizeof(root))
		abort();
	ok &= mkdir(root, 0755) == 0;
	snprintf(p, sizeof(p), "%s/outside", base);
	ok &= mkdir(p, 0755) == 0;
	if ((rootfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC)) == -1)
		abort();
	ok &= mkdirat(rootfd, "a", 0755) == 0 &&
	    mkdirat(rootfd, "a/b", 0755) == 0;
	fd = openat(rootfd, "f", O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	ok &= fd != -1 && close(fd) == 0;
	fd =
	    openat(rootfd, ".ftpd-put.x", O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	ok &= fd != -1 && close(fd) == 0;
	ok &= symlinkat("..", rootfd, "up") == 0 &&
	    symlinkat("../outside", rootfd, "out") == 0 &&
	    symlinkat("/", rootfd, "abs") == 0 &&
	    symlinkat("../..", rootfd, "a/back") == 0 &&
	    symlinkat("../a", rootfd, "a/loop") == 0 &&
	    symlinkat("../../../outside/secret", rootfd, "a/b/deep") == 0;
	if (!ok || realpath(base, p) == NULL ||
	    snprintf(root, sizeof(root), "%s/root", p) >= (int)sizeof(root))
		abort();
}

/* PROTOCOL.md 4.1 read directly: the code fsops_check_path must give. */
static int
model(const uint8_t *p, size_t len)
{
	const size_t plen = sizeof(FSOPS_TMP_PREFIX) - 1;
	size_t	     start = 0, end;

	if (len == 0 || p[0] == '/' || memchr(p, '\0', len) != NULL)
		return -ERR_BAD_PATH;
	if (len > FSOPS_PATH_MAX)
		return -ERR_NAME_TOO_LONG;
	while (start <= len) {
		for (end = start; end < len && p[end] != '/'; end++)
			;
		if (end - start >= plen &&
		    memcmp(p + start, FSOPS_TMP_PREFIX, plen) == 0)
			return -ERR_BAD_PATH;
		if (end - start > FSOPS_NAME_MAX)
			return -ERR_NAME_TOO_LONG;
		start = end + 1;
	}
	return 0;
}

/* A descriptor that opened must name the root or something beneath it. */
static void
beneath(int fd)
{
	char	link[64], where[PATH_MAX + 1];
	size_t	rlen = strlen(root);
	ssize_t n;

	if (fd < 0)
		return;
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	if ((n = readlink(link, where, sizeof(where) - 1)) < 0)
		abort();
	where[n] = '\0';
	if (strncmp(where, root, rlen) != 0 ||
	    (where[rlen] != '\0' && where[rlen] != '/'))
		abort(); /* SECURITY: escaped the served root */
	close(fd);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char out[FSOPS_PATH_MAX + 1];
	char	    name[FSOPS_NAME_MAX + 1];
	struct stat st;
	int	    r;

	if (rootfd == -1)
		tree_make();
	r = fsops_check_path((const char *)data, size, out, sizeof(out));
	if (r != model(data, size))
		abort();
	if (r != 0) {
		if (out[0] != '\0')
			abort(); /* a refused path must leave out empty */
		return 0;
	}
	if (strlen(out) != size || memcmp(out, data, size) != 0)
		abort();
	beneath(fsops_open(rootfd, out, O_PATH, 0));
	beneath(fsops_open(rootfd, out, O_PATH | O_NOFOLLOW, 0));
	beneath(fsops_open(rootfd, out, O_RDONLY | O_NONBLOCK, 0));
	beneath(fsops_open_parent(rootfd, out, name, sizeof(name)));
	(void)fsops_stat(rootfd, out, &st);
	return 0;
}
