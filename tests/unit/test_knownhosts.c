/*
 * test_knownhosts.c: unit tests of client/knownhosts.c, ftpc's pinned host
 * keys: a key found by its base64 or its SHA256 fingerprint, a changed key
 * with the line to remove, malformed and other hosts' lines skipped, the
 * line knownhosts_add writes (mode 0600, refused for a host with blanks),
 * and the decision of knownhosts_verify: recorded for a keyed session or
 * with --accept-new, refused without a terminal, a changed key fails.
 * Files live in a fresh folder named by XDG_CONFIG_HOME.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <bsd/string.h>
#include <cmocka.h>
#include <sodium.h>

#include "client/ftpc.h"
#include "common/error.h"
#include "common/hostkey.h"
#include "tests/unit/unit.h"

static char dir[64];

static void
key(uint8_t pk[32], uint8_t start)
{
	uint8_t seed[32], sk[64];

	unit_fill(seed, sizeof(seed), start);
	crypto_sign_seed_keypair(pk, sk, seed);
}

static void
b64(const uint8_t pk[32], char *out, size_t len)
{
	sodium_bin2base64(out, len, pk, 32, sodium_base64_VARIANT_ORIGINAL);
}

/* The known_hosts path of the test, written with text (NULL: removed). */
static const char *
file(const char *text)
{
	static char path[128];
	FILE	   *f;

	snprintf(path, sizeof(path), "%s/ftpc/known_hosts", dir);
	unlink(path);
	if (text != NULL) {
		snprintf(path, sizeof(path), "%s/ftpc", dir);
		mkdir(path, 0700);
		snprintf(path, sizeof(path), "%s/ftpc/known_hosts", dir);
		assert_non_null(f = fopen(path, "w"));
		fputs(text, f);
		fclose(f);
	}
	return path;
}

static int
setup(void **state)
{
	(void)state;
	strlcpy(dir, "/tmp/kh-XXXXXX", sizeof(dir));
	assert_non_null(mkdtemp(dir));
	setenv("XDG_CONFIG_HOME", dir, 1);
	return sodium_init() < 0;
}

static void
test_lookup(void **state)
{
	uint8_t		a[32], b[32];
	char		ka[64], kb[64], text[512], fp[HOSTKEY_FP_LEN], old[512];
	struct kh_query q = { "Files.Example", "2121", "x", a };
	int		line;

	(void)state;
	key(a, 1);
	key(b, 2);
	b64(a, ka, sizeof(ka));
	b64(b, kb, sizeof(kb));
	snprintf(text, sizeof(text),
	    "# comment\n\nfiles.example 2121\ngarbage\n"
	    "files.example 2122 %s\nfiles.example 2121 %s # old\n"
	    "files.example 2121 notbase64!\n",
	    ka, kb);
	assert_int_equal(knownhosts_lookup(file(text), &q, &line, old,
			     sizeof(old)),
	    KH_CHANGED);
	assert_int_equal(line, 6);
	snprintf(text, sizeof(text), "files.example 2121 %s ", kb);
	assert_string_equal(old, text);
	/* A second line with the key wins over the changed one. */
	snprintf(text, sizeof(text),
	    "files.example 2121 %s\nFILES.example 2121 %s\n", kb, ka);
	assert_int_equal(knownhosts_lookup(file(text), &q, &line, old,
			     sizeof(old)),
	    KH_MATCH);
	hostkey_fingerprint(a, fp, sizeof(fp));
	snprintf(text, sizeof(text), "files.example\t2121\t%s\n", fp);
	assert_int_equal(knownhosts_lookup(file(text), &q, &line, old,
			     sizeof(old)),
	    KH_MATCH);
	q.port = "21";
	assert_int_equal(knownhosts_lookup(file(text), &q, &line, old,
			     sizeof(old)),
	    KH_UNKNOWN);
	assert_int_equal(knownhosts_lookup(file(NULL), &q, &line, old,
			     sizeof(old)),
	    KH_UNKNOWN);
}

static void
test_add(void **state)
{
	uint8_t	    a[32];
	char	    ka[64], want[256], got[256] = { 0 };
	struct stat st;
	const char *path = file(NULL);
	int	    fd;

	(void)state;
	key(a, 3);
	b64(a, ka, sizeof(ka));
	assert_int_equal(knownhosts_add(path, "::1", "2121", a), 0);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_not_equal(fd = open(path, O_RDONLY), -1);
	assert_true(read(fd, got, sizeof(got) - 1) > 0);
	close(fd);
	snprintf(want, sizeof(want), "::1 2121 %s\n", ka);
	assert_string_equal(got, want);
	assert_int_equal(knownhosts_add(path, "a b", "1", a), -ERR_SYSTEM);
	assert_int_equal(knownhosts_add(path, "a#b", "1", a), -ERR_SYSTEM);
}

static void
test_verify(void **state)
{
	uint8_t		a[32], b[32];
	struct kh_query q = { "h", "7", "h:7", a };
	int in = dup(STDIN_FILENO), null = open("/dev/null", O_RDONLY);

	(void)state;
	key(a, 4);
	key(b, 5);
	/* Off a terminal, without --accept-new: refused, nothing written. */
	assert_int_equal(dup2(null, STDIN_FILENO), STDIN_FILENO);
	file(NULL);
	assert_int_equal(knownhosts_verify(&q, 0, 0), -FTPC_ERR_UNKNOWN_HOST);
	assert_int_equal(access(file(NULL), F_OK), -1);
	/* --accept-new records it; then it is known. */
	assert_int_equal(knownhosts_verify(&q, 0, 1), 0);
	assert_int_equal(knownhosts_verify(&q, 0, 0), 0);
	/* Another key for the same server: changed, even with accept. */
	q.pk = b;
	assert_int_equal(knownhosts_verify(&q, 0, 1), -FTPC_ERR_HOSTKEY);
	assert_int_equal(knownhosts_verify(&q, 1, 1), -FTPC_ERR_HOSTKEY);
	/* A keyed session records a new key without asking. */
	q.host = "other";
	assert_int_equal(knownhosts_verify(&q, 1, 0), 0);
	assert_int_equal(knownhosts_verify(&q, 0, 0), 0);
	assert_int_equal(dup2(in, STDIN_FILENO), STDIN_FILENO);
	close(in);
	close(null);
	assert_int_equal(knownhosts_badsig("h:7", a), -FTPC_ERR_HOSTKEY);
}

static int
teardown(void **state)
{
	char path[128];

	(void)state;
	unlink(file(NULL));
	snprintf(path, sizeof(path), "%s/ftpc", dir);
	rmdir(path);
	rmdir(dir);
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lookup),
		cmocka_unit_test(test_add),
		cmocka_unit_test(test_verify),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
