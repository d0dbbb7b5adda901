/*
 * users.h: the users file (doc/PROTOCOL.md 4.4, ftpd(8) "ACCOUNTS"): one
 * account a line, seven fields separated by ':'
 *
 *   name:enabled:perms:quota:home:hash:keys
 *
 * name     1 to 32 bytes of a-z 0-9 _ . -, starting with a letter or digit
 * enabled  "yes" or "no"
 * perms    the letters of the permissions granted, in any order: l (list),
 *          r (read), w (write), d (delete), m (mkdir, rmdir and rename);
 *          "-" for none
 * quota    "BYTES/FILES", each a number (0: no limit; BYTES may end in
 *          K, M or G when read)
 * home     the account's folder beneath the served root, relative, without
 *          "..", "." for the root itself; it is the account's "/"
 * hash     crypto_pwhash_str's argon2id string, or "-" (no password)
 * keys     authorized Ed25519 public keys, base64 of 32 bytes, separated by
 *          ',', or "-"
 *
 * Lines starting with '#' and empty lines are skipped.  The file is
 * rewritten whole (users_save: temporary file, fsync, rename) under an
 * flock on "FILE.lock" (users_lock), so a reader never sees half of it.
 * Functions return 0 or a negative ERR_* code (error.h) with a reason in
 * err where they take one.
 */
#ifndef FTPD_USERS_H
#define FTPD_USERS_H

#include <stddef.h>
#include <stdint.h>

#include <sodium.h>

#include "common/hostkey.h"
#include "common/keyfile.h"

#define USERS_NAME_MAX 32
#define USERS_KEYS_MAX 8
#define USERS_HOME_MAX 256 /* bytes of the home path, NUL included */
#define USERS_HASH_MAX crypto_pwhash_STRBYTES
#define USERS_LINE_MAX 1024
#define USERS_MAX      10000 /* accounts in one file */

enum users_perm {
	USERS_LIST = 1 << 0,
	USERS_READ = 1 << 1,
	USERS_WRITE = 1 << 2,
	USERS_DELETE = 1 << 3,
	USERS_MKDIR = 1 << 4, /* mkdir, rmdir, rename */
	USERS_ALL = (1 << 5) - 1
};

struct users_entry {
	char	 name[USERS_NAME_MAX + 1];
	int	 enabled;
	unsigned perms; /* enum users_perm bits */
	uint64_t quota_bytes;
	uint64_t quota_files;
	char	 home[USERS_HOME_MAX];
	char	 hash[USERS_HASH_MAX]; /* "" for none */
	uint8_t	 keys[USERS_KEYS_MAX][HOSTKEY_PK_BYTES];
	int	 nkeys;
};

struct users {
	struct users_entry *u; /* heap, n used of cap */
	size_t		    n, cap;
};

/*
 * What the master reads before it starts workers and hands them through
 * fork memory: the shared secret, the host key (has_hostkey 0 without a
 * host.key), the accounts, and the hash an unknown name is verified
 * against (users_dummy_hash) so that it costs what a wrong password does.
 */
struct users_creds {
	uint8_t	       secret[KEYFILE_BYTES];
	struct hostkey hostkey;
	int	       has_hostkey;
	struct users   users;
	char	       dummy_hash[USERS_HASH_MAX];
};

/* users_name_ok: 0 when the len bytes at name are a valid account name. */
int users_name_ok(const char *name, size_t len);

/*
 * users_home_ok: 0 when home (NUL-terminated) is a valid home: relative,
 * shorter than USERS_HOME_MAX, no ':' or control byte, no empty, ".." or
 * ".ftpd-put." component ("." alone is the root).  Else -ERR_BAD_PATH.
 */
int users_home_ok(const char *home);

/*
 * users_perms_parse: "lrwdm"-style text into *perms (enum users_perm).
 * users_perms_format: the letters of perms (or "-") into out (>= 6 bytes).
 */
int  users_perms_parse(const char *s, unsigned *perms);
void users_perms_format(unsigned perms, char *out, size_t outlen);

/*
 * users_quota_parse: "BYTES/FILES" (BYTES may end in K, M or G, powers of
 * 1024; 0 is no limit) into *bytes and *files.  Returns 0 or
 * -ERR_PROTOCOL.
 */
int users_quota_parse(const char *s, uint64_t *bytes, uint64_t *files);

/*
 * users_key_parse: an Ed25519 public key from text: its base64 (44 bytes
 * padded, or 43 unpadded), alone or as one word of a line such as
 * "ed25519 BASE64 comment".  Returns 0, or -ERR_PROTOCOL.
 */
int users_key_parse(const char *text, uint8_t pk[HOSTKEY_PK_BYTES]);

/* users_key_format: the base64 of pk into out (>= 45 bytes). */
void users_key_format(const uint8_t pk[HOSTKEY_PK_BYTES], char *out,
    size_t outlen);

/*
 * users_hash_mem: the memory cost in bytes an argon2id hash string names
 * ("m=KiB").  Returns 0, or -ERR_PROTOCOL for a string that is not one.
 */
int users_hash_mem(const char *hash, uint64_t *bytes);

/*
 * users_dummy_hash: an argon2id string with a random salt and digest and
 * the cost ops (passes) and mem (bytes) into out (USERS_HASH_MAX): no
 * password verifies against it, and trying one costs a real verify.
 * Returns 0 or -ERR_INTERNAL (the cost does not fit).
 */
int users_dummy_hash(char *out, size_t outlen, uint64_t ops, uint64_t mem);

/*
 * users_parse_line: one line (NUL-terminated, no newline) into e.  Returns
 * 0, or -ERR_PROTOCOL with the reason in err (errlen bytes).
 */
int users_parse_line(const char *line, struct users_entry *e, char *err,
    size_t errlen);

/*
 * users_format_line: e as one line with its newline into out (outlen
 * bytes, USERS_LINE_MAX is enough).  Returns 0, or -ERR_INTERNAL.
 */
int users_format_line(const struct users_entry *e, char *out, size_t outlen);

/*
 * users_load: read the users file at path into u (emptied first); a
 * missing file is an empty list.  Refuses a file writable by group or
 * others, a bad line ("FILE:LINE: reason" in err) and a name twice.
 * Returns 0 or a negative ERR_* code; u is empty on failure.
 */
__attribute__((warn_unused_result)) int users_load(const char *path,
    struct users *u, char *err, size_t errlen);

/*
 * users_save: write u to path atomically (path.tmp with mode 0600, fsync,
 * rename, fsync of the folder).  Returns 0 or a negative ERR_* code with
 * the reason in err.
 */
__attribute__((warn_unused_result)) int users_save(const char *path,
    const struct users *u, char *err, size_t errlen);

/*
 * users_lock: an exclusive flock on "path.lock" (created 0600), waited
 * for.  Returns the descriptor to close to unlock, or a negative ERR_*.
 */
int users_lock(const char *path);

/* users_find: the account named by the len bytes at name, or NULL. */
struct users_entry *users_find(const struct users *u, const char *name,
    size_t len);

/*
 * users_add: append a copy of e (its name not yet present).  Returns 0,
 * -ERR_EXISTS, -ERR_LIMIT (USERS_MAX) or -ERR_NOMEM.
 */
int users_add(struct users *u, const struct users_entry *e);

/* users_del: remove the account name.  Returns 0 or -ERR_NOT_FOUND. */
int users_del(struct users *u, const char *name);

/* users_free: free u's entries (wiped first: they hold hashes). */
void users_free(struct users *u);

#endif
