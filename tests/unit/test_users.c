/*
 * test_users.c: unit tests of common/users.c, users_file.c and usage.c:
 * name, home, permission and key checks; a line parsed and formatted back
 * byte for byte; a bad line's reason; the file saved and loaded, refused
 * when others may write it or a name is there twice; the dummy hash
 * (verifies nothing, costs what it says); the usage record's limits.
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

#include <cmocka.h>
#include <sodium.h>

#include "common/error.h"
#include "common/usage.h"
#include "common/users.h"

#define KEY0 "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="
#define LINE                                                                   \
	"alice:yes:lrw:1048576/10:homes/alice:$argon2id$v=19$m=8,t=1,p=1$"     \
	"c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g:" KEY0

static void
test_names(void **state)
{
	(void)state;
	assert_int_equal(users_name_ok("alice", 5), 0);
	assert_int_equal(users_name_ok("a.b-c_9", 7), 0);
	assert_int_equal(users_name_ok("9lives", 6), 0);
	assert_int_not_equal(users_name_ok("", 0), 0);
	assert_int_not_equal(users_name_ok("Alice", 5), 0);
	assert_int_not_equal(users_name_ok("_x", 2), 0);
	assert_int_not_equal(users_name_ok("a:b", 3), 0);
	assert_int_not_equal(users_name_ok("a b", 3), 0);
	assert_int_equal(users_name_ok("abcdefghijklmnopqrstuvwxyz012345", 32),
	    0);
	assert_int_not_equal(users_name_ok("abcdefghijklmnopqrstuvwxyz0123456",
				 33),
	    0);
}

static void
test_homes(void **state)
{
	(void)state;
	assert_int_equal(users_home_ok("."), 0);
	assert_int_equal(users_home_ok("a/b"), 0);
	assert_int_equal(users_home_ok("..."), 0);
	assert_int_not_equal(users_home_ok(""), 0);
	assert_int_not_equal(users_home_ok("/abs"), 0);
	assert_int_not_equal(users_home_ok(".."), 0);
	assert_int_not_equal(users_home_ok("a/../b"), 0);
	assert_int_not_equal(users_home_ok("a//b"), 0);
	assert_int_not_equal(users_home_ok("a/./b"), 0);
	assert_int_not_equal(users_home_ok("a/"), 0);
	assert_int_not_equal(users_home_ok("a:b"), 0);
	assert_int_not_equal(users_home_ok("a\nb"), 0);
	assert_int_not_equal(users_home_ok(".ftpd-put.usage"), 0);
}

static void
test_perms_and_keys(void **state)
{
	uint8_t	 pk[32], want[32];
	unsigned p;
	char	 out[48];
	size_t	 i;

	(void)state;
	assert_int_equal(users_perms_parse("mlr", &p), 0);
	assert_int_equal(p, USERS_LIST | USERS_READ | USERS_MKDIR);
	users_perms_format(p, out, sizeof(out));
	assert_string_equal(out, "lrm");
	assert_int_equal(users_perms_parse("-", &p), 0);
	assert_int_equal(p, 0);
	assert_int_not_equal(users_perms_parse("lx", &p), 0);
	for (i = 0; i < 32; i++)
		want[i] = (uint8_t)i;
	assert_int_equal(users_key_parse(KEY0, pk), 0);
	assert_memory_equal(pk, want, 32);
	assert_int_equal(users_key_parse("ed25519 " KEY0 " laptop\n", pk), 0);
	assert_memory_equal(pk, want, 32);
	assert_int_not_equal(users_key_parse("ed25519 AAAA laptop", pk), 0);
	users_key_format(want, out, sizeof(out));
	assert_string_equal(out, KEY0);
}

static void
test_line_round_trip(void **state)
{
	struct users_entry e;
	char		   err[256], out[USERS_LINE_MAX];
	uint64_t	   mem;

	(void)state;
	assert_int_equal(users_parse_line(LINE, &e, err, sizeof(err)), 0);
	assert_string_equal(e.name, "alice");
	assert_int_equal(e.enabled, 1);
	assert_int_equal(e.perms, USERS_LIST | USERS_READ | USERS_WRITE);
	assert_int_equal(e.quota_bytes, 1048576);
	assert_int_equal(e.quota_files, 10);
	assert_string_equal(e.home, "homes/alice");
	assert_int_equal(e.nkeys, 1);
	assert_int_equal(users_hash_mem(e.hash, &mem), 0);
	assert_int_equal(mem, 8192);
	assert_int_equal(users_format_line(&e, out, sizeof(out)), 0);
	assert_string_equal(out, LINE "\n");
	assert_int_equal(users_parse_line("bob:no:-:1M/0:bob:-:-", &e, err,
			     sizeof(err)),
	    0);
	assert_int_equal(e.quota_bytes, 1 << 20);
	assert_int_equal(e.hash[0], '\0');
}

static void
test_bad_lines(void **state)
{
	static const char *const bad[][2] = {
		{ "alice:yes:lrw:0/0:alice:-", "7 fields" },
		{ "alice:yes:lrw:0/0:alice:-:-:x", "7 fields" },
		{ "Alice:yes:lrw:0/0:alice:-:-", "bad name" },
		{ "alice:maybe:lrw:0/0:alice:-:-", "enabled" },
		{ "alice:yes:lrx:0/0:alice:-:-", "permissions" },
		{ "alice:yes:lrw:0:alice:-:-", "quota" },
		{ "alice:yes:lrw:0/0:../x:-:-", "home" },
		{ "alice:yes:lrw:0/0:alice:$2y$10$bcrypt:-", "hash" },
		{ "alice:yes:lrw:0/0:alice:-:AAAA", "keys" },
	};
	struct users_entry e;
	char		   err[256];
	size_t		   i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(users_parse_line(bad[i][0], &e, err,
				     sizeof(err)),
		    -ERR_PROTOCOL);
		assert_non_null(strstr(err, bad[i][1]));
	}
}

static void
test_file(void **state)
{
	char		   dir[] = "/tmp/test_users.XXXXXX", path[64], err[256];
	struct users	   u, v;
	struct users_entry e;
	FILE		  *fp;
	int		   lock;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/users", dir);
	assert_int_equal(users_load(path, &u, err, sizeof(err)), 0);
	assert_int_equal(u.n, 0); /* missing: empty */
	assert_int_equal(users_parse_line(LINE, &e, err, sizeof(err)), 0);
	assert_int_equal(users_add(&u, &e), 0);
	assert_int_equal(users_add(&u, &e), -ERR_EXISTS);
	assert_true((lock = users_lock(path)) >= 0);
	assert_int_equal(users_save(path, &u, err, sizeof(err)), 0);
	close(lock);
	assert_int_equal(users_load(path, &v, err, sizeof(err)), 0);
	assert_int_equal(v.n, 1);
	assert_non_null(users_find(&v, "alice", 5));
	assert_null(users_find(&v, "alic", 4));
	assert_int_equal(users_del(&v, "alice"), 0);
	assert_int_equal(users_del(&v, "alice"), -ERR_NOT_FOUND);
	users_free(&v);
	/* A name twice, then a file others may write: refused. */
	assert_non_null(fp = fopen(path, "a"));
	fprintf(fp, "%s\n", LINE);
	fclose(fp);
	assert_int_equal(users_load(path, &v, err, sizeof(err)), -ERR_PROTOCOL);
	assert_non_null(strstr(err, ":3: the name is there twice"));
	assert_int_equal(users_save(path, &u, err, sizeof(err)), 0);
	chmod(path, 0622);
	assert_int_equal(users_load(path, &v, err, sizeof(err)),
	    -ERR_PERMISSION);
	users_free(&u);
	snprintf(err, sizeof(err), "rm -rf %s", dir);
	assert_int_equal(system(err), 0);
}

static void
test_dummy_hash(void **state)
{
	char	 h[USERS_HASH_MAX];
	uint64_t mem;

	(void)state;
	assert_int_equal(users_dummy_hash(h, sizeof(h), 1, 8192), 0);
	assert_int_equal(users_hash_mem(h, &mem), 0);
	assert_int_equal(mem, 8192);
	assert_int_equal(crypto_pwhash_str_needs_rehash(h, 1, 8192), 0);
	assert_int_not_equal(crypto_pwhash_str_verify(h, "", 0), 0);
	assert_int_not_equal(crypto_pwhash_str_verify(h, "x", 1), 0);
}

/* PROTOCOL.md 4.4: the publickey vector. */
static void
test_user_signature_vector(void **state)
{
	static const char want[] =
	    "8971b7ece514a5a31d479eb64dfcbf0fb0d9428afc5d8fd1aacf3a676c64b3d4"
	    "727cfd2a4e00f37e96818e7ab89f25df8512b73180b9bcae587380ade81efb02";
	uint8_t seed[32], t[32], pk[32], sk[64], sig[64], key[32];
	char	hex[129];
	size_t	i;

	(void)state;
	for (i = 0; i < 32; i++) {
		seed[i] = (uint8_t)i;
		t[i] = (uint8_t)(0x20 + i);
	}
	crypto_sign_seed_keypair(pk, sk, seed);
	assert_int_equal(
	    users_key_parse("A6EHv/POEL4dcN0Y50vAmWfk1jCbpQ1fHdyGZBJVMbg=",
		key),
	    0);
	assert_memory_equal(key, pk, 32);
	userkey_sign(sk, t, "alice", 5, sig);
	sodium_bin2hex(hex, sizeof(hex), sig, sizeof(sig));
	assert_string_equal(hex, want);
	assert_int_equal(userkey_verify(pk, t, "alice", 5, sig), 0);
	t[0] ^= 1; /* another session: no replay */
	assert_int_not_equal(userkey_verify(pk, t, "alice", 5, sig), 0);
}

static void
test_usage(void **state)
{
	char	     dir[] = "/tmp/test_usage.XXXXXX", cmd[64];
	struct usage d = { 600, 1 }, now;
	int	     fd;

	(void)state;
	assert_non_null(mkdtemp(dir));
	assert_true((fd = open(dir, O_PATH | O_DIRECTORY)) >= 0);
	assert_int_equal(usage_get(fd, "u", &now), 0);
	assert_int_equal(now.bytes, 0);
	assert_int_equal(usage_change(fd, "u", &d, 1000, 2, &now), 0);
	assert_int_equal(usage_change(fd, "u", &d, 1000, 2, &now),
	    -ERR_NO_SPACE);
	assert_int_equal(now.bytes, 600); /* unchanged */
	d.bytes = 400;
	assert_int_equal(usage_change(fd, "u", &d, 1000, 2, &now), 0);
	assert_int_equal(now.bytes, 1000);
	assert_int_equal(now.files, 2);
	assert_int_equal(usage_change(fd, "u", &d, 0, 2, &now),
	    -ERR_NO_SPACE); /* files */
	d.bytes = -5000;
	d.files = -9;
	assert_int_equal(usage_change(fd, "u", &d, 1, 1, &now), 0);
	assert_int_equal(now.bytes, 0); /* never below 0 */
	assert_int_equal(now.files, 0);
	close(fd);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_homes),
		cmocka_unit_test(test_perms_and_keys),
		cmocka_unit_test(test_line_round_trip),
		cmocka_unit_test(test_bad_lines),
		cmocka_unit_test(test_file),
		cmocka_unit_test(test_dummy_hash),
		cmocka_unit_test(test_user_signature_vector),
		cmocka_unit_test(test_usage),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
