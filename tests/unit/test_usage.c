/*
 * test_usage.c: unit tests of common/usage.c beyond what the e2e quota
 * tests reach: which file names of kept parts charge an account
 * (usage_part_owner), and a release that never creates a record
 * (usage_release).  It must not touch anything outside its mkdtemp
 * folder, which it removes at the end.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/error.h"
#include "common/usage.h"
#include "tests/unit/unit.h"

#define HEX "0123456789abcdef"

static void
test_part_owner(void **state)
{
	const char *ok = USAGE_PART_PREFIX HEX ".dave.b-2";

	(void)state;
	assert_ptr_equal(usage_part_owner(ok), ok + strlen(ok) - 8);
	assert_string_equal(usage_part_owner(ok), "dave.b-2");
	assert_null(usage_part_owner(USAGE_PART_PREFIX HEX));
	assert_null(usage_part_owner(USAGE_PART_PREFIX HEX "."));
	assert_null(usage_part_owner(USAGE_PART_PREFIX HEX ".Dave"));
	assert_null(usage_part_owner(USAGE_PART_PREFIX HEX ".-x"));
	assert_null(usage_part_owner(USAGE_PART_PREFIX HEX ".a/b"));
	assert_null(
	    usage_part_owner(USAGE_PART_PREFIX "0123456789ABCDEF.dave"));
	assert_null(usage_part_owner(USAGE_PART_PREFIX "0123.dave"));
	assert_null(usage_part_owner(".ftpd-put.abcdefghijkl"));
	assert_null(usage_part_owner("dave"));
	/* 32 characters is the longest account name; 33 is none. */
	assert_non_null(usage_part_owner(
	    USAGE_PART_PREFIX HEX ".a234567890123456789012345678901z"));
	assert_null(usage_part_owner(
	    USAGE_PART_PREFIX HEX ".a2345678901234567890123456789012z"));
}

static void
test_release(void **state)
{
	char		   base[] = "/tmp/test_usage.XXXXXX";
	const struct usage d = { 40, 1 }, start = { 100, 3 };
	struct usage	   now;
	struct stat	   st;
	int		   fd;

	(void)state;
	assert_non_null(mkdtemp(base));
	assert_true((fd = open(base, O_PATH | O_DIRECTORY)) >= 0);
	/* No record: nothing happens, and none is created. */
	assert_int_equal(usage_release(fd, "dave", &d), -ERR_NOT_FOUND);
	assert_int_equal(fstatat(fd, USAGE_DIR, &st, 0), -1);
	assert_int_equal(errno, ENOENT);
	assert_int_equal(usage_set(fd, "dave", &start), 0);
	assert_int_equal(usage_release(fd, "dave", &d), 0);
	assert_int_equal(usage_get(fd, "dave", &now), 0);
	assert_true(now.bytes == 60 && now.files == 2);
	/* Never below 0. */
	assert_int_equal(usage_release(fd, "dave", &start), 0);
	assert_int_equal(usage_get(fd, "dave", &now), 0);
	assert_true(now.bytes == 0 && now.files == 0);
	assert_int_equal(fstatat(fd, USAGE_DIR "/eve", &st, 0), -1);
	close(fd);
	assert_int_equal(unit_rmtree(base), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_part_owner),
		cmocka_unit_test(test_release),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
