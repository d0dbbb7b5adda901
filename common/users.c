/*
 * users.c: one line of the users file (users.h): the checks of each field,
 * the parse and the format, and the dummy hash an unknown name is verified
 * against.  The file as a whole (load, save, lock) is users_file.c's.  This
 * file must not log, exit or read a file: the daemon, the `ftpd user`
 * commands and the unit tests all call it, and the password hashes it
 * carries never go anywhere but into out buffers.
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bsd/stdlib.h>
#include <bsd/string.h>
#include <sodium.h>

#include "common/config.h"
#include "common/error.h"
#include "common/users.h"

#define B64_KEY_LEN 44 /* padded base64 of 32 bytes */
#define ARGON2ID    "$argon2id$"

static const char perm_letters[] = "lrwdm"; /* bit i is letter i */

int
users_name_ok(const char *name, size_t len)
{
	size_t i;

	if (len == 0 || len > USERS_NAME_MAX || !isalnum((unsigned char)*name))
		return -ERR_PROTOCOL;
	for (i = 0; i < len; i++)
		if (!(islower((unsigned char)name[i]) ||
			isdigit((unsigned char)name[i]) || name[i] == '_' ||
			name[i] == '.' || name[i] == '-'))
			return -ERR_PROTOCOL;
	return isupper((unsigned char)*name) ? -ERR_PROTOCOL : 0;
}

int
users_home_ok(const char *home)
{
	const char *p = home, *end;
	size_t	    n, len = strlen(home);

	if (len == 0 || len >= USERS_HOME_MAX || home[0] == '/')
		return -ERR_BAD_PATH;
	if (strcmp(home, ".") == 0)
		return 0;
	for (n = 0; n < len; n++)
		if (home[n] == ':' || (unsigned char)home[n] < 0x20 ||
		    home[n] == 0x7f)
			return -ERR_BAD_PATH;
	/* SECURITY: a home is a plain path beneath the root, never above it
	 * nor inside the server's own names. */
	for (;;) {
		end = strchr(p, '/');
		n = end != NULL ? (size_t)(end - p) : strlen(p);
		if (n == 0 || (n == 1 && p[0] == '.') ||
		    (n == 2 && memcmp(p, "..", 2) == 0) ||
		    strncmp(p, ".ftpd-put.", 10) == 0)
			return -ERR_BAD_PATH;
		if (end == NULL)
			return 0;
		p = end + 1;
	}
}

int
users_perms_parse(const char *s, unsigned *perms)
{
	const char *c;

	*perms = 0;
	if (strcmp(s, "-") == 0)
		return 0;
	if (*s == '\0')
		return -ERR_PROTOCOL;
	for (; *s != '\0'; s++) {
		if ((c = strchr(perm_letters, *s)) == NULL)
			return -ERR_PROTOCOL;
		*perms |= 1u << (c - perm_letters);
	}
	return 0;
}

void
users_perms_format(unsigned perms, char *out, size_t outlen)
{
	size_t i, n = 0;

	for (i = 0; perm_letters[i] != '\0' && n + 1 < outlen; i++)
		if (perms & (1u << i))
			out[n++] = perm_letters[i];
	if (n == 0 && outlen > 1)
		out[n++] = '-';
	if (outlen > 0)
		out[n] = '\0';
}

/* One word (no blanks) as base64 of exactly 32 bytes. */
static int
key_word(const char *w, size_t len, uint8_t pk[HOSTKEY_PK_BYTES])
{
	size_t n = 0;
	int    v = len == B64_KEY_LEN ? sodium_base64_VARIANT_ORIGINAL
				      : sodium_base64_VARIANT_ORIGINAL_NO_PADDING;

	if (len != B64_KEY_LEN && len != B64_KEY_LEN - 1)
		return -1;
	if (sodium_base642bin(pk, HOSTKEY_PK_BYTES, w, len, NULL, &n, NULL,
		v) != 0 ||
	    n != HOSTKEY_PK_BYTES)
		return -1;
	return 0;
}

int
users_key_parse(const char *text, uint8_t pk[HOSTKEY_PK_BYTES])
{
	const char *p = text;
	size_t	    n;

	for (;;) {
		p += strspn(p, " \t\r\n");
		if (*p == '\0')
			return -ERR_PROTOCOL;
		n = strcspn(p, " \t\r\n");
		if (key_word(p, n, pk) == 0)
			return 0;
		p += n;
	}
}

void
users_key_format(const uint8_t pk[HOSTKEY_PK_BYTES], char *out, size_t outlen)
{
	if (outlen < B64_KEY_LEN + 1) {
		if (outlen > 0)
			out[0] = '\0';
		return;
	}
	(void)sodium_bin2base64(out, outlen, pk, HOSTKEY_PK_BYTES,
	    sodium_base64_VARIANT_ORIGINAL);
}

int
users_hash_mem(const char *hash, uint64_t *bytes)
{
	const char	  *m;
	char		  *end;
	unsigned long long kib;

	*bytes = 0;
	if (strncmp(hash, ARGON2ID, sizeof(ARGON2ID) - 1) != 0 ||
	    (m = strstr(hash, "$m=")) == NULL)
		return -ERR_PROTOCOL;
	errno = 0;
	kib = strtoull(m + 3, &end, 10);
	if (errno != 0 || *end != ',' || kib == 0 || kib > (1ULL << 32))
		return -ERR_PROTOCOL;
	*bytes = (uint64_t)kib * 1024;
	return 0;
}

int
users_dummy_hash(char *out, size_t outlen, uint64_t ops, uint64_t mem)
{
	uint8_t salt[crypto_pwhash_SALTBYTES], sum[32];
	char	s64[32], h64[48];
	int	n;

	randombytes_buf(salt, sizeof(salt));
	randombytes_buf(sum, sizeof(sum));
	(void)sodium_bin2base64(s64, sizeof(s64), salt, sizeof(salt),
	    sodium_base64_VARIANT_ORIGINAL_NO_PADDING);
	(void)sodium_bin2base64(h64, sizeof(h64), sum, sizeof(sum),
	    sodium_base64_VARIANT_ORIGINAL_NO_PADDING);
	/* The form crypto_pwhash_str writes (argon2 encoding, p = 1). */
	n = snprintf(out, outlen,
	    "$argon2id$v=19$m=%" PRIu64 ",t=%" PRIu64 ",p=1$%s$%s", mem / 1024,
	    ops, s64, h64);
	return n < 0 || (size_t)n >= outlen ? -ERR_INTERNAL : 0;
}

int
users_quota_parse(const char *s, uint64_t *bytes, uint64_t *files)
{
	char	    a[32], *slash;
	const char *errstr;
	uint64_t    b;
	long long   f;

	if (strlcpy(a, s, sizeof(a)) >= sizeof(a) ||
	    (slash = strchr(a, '/')) == NULL)
		return -ERR_PROTOCOL;
	*slash = '\0';
	f = strtonum(slash + 1, 0, INT64_MAX, &errstr);
	if (config_parse_size(a, &b) == -1 || b > INT64_MAX || errstr != NULL)
		return -ERR_PROTOCOL;
	*bytes = b;
	*files = (uint64_t)f;
	return 0;
}

/* The keys field: "-" or base64 keys separated by ','. */
static int
parse_keys(char *s, struct users_entry *e)
{
	char *k;

	e->nkeys = 0;
	if (strcmp(s, "-") == 0)
		return 0;
	while ((k = strsep(&s, ",")) != NULL) {
		if (e->nkeys == USERS_KEYS_MAX ||
		    key_word(k, strlen(k), e->keys[e->nkeys]) != 0)
			return -1;
		e->nkeys++;
	}
	return 0;
}

/* The hash field: "-" or an argon2id string of crypto_pwhash_str. */
static int
parse_hash(const char *s, struct users_entry *e)
{
	uint64_t mem;

	if (strcmp(s, "-") == 0) {
		e->hash[0] = '\0';
		return 0;
	}
	if (users_hash_mem(s, &mem) != 0 ||
	    strlcpy(e->hash, s, sizeof(e->hash)) >= sizeof(e->hash))
		return -1;
	return 0;
}

#define BAD(what) (snprintf(err, errlen, "%s", what), -ERR_PROTOCOL)

/* The fields f[0..6] of one line into e. */
static int
parse_fields(char **f, struct users_entry *e, char *err, size_t errlen)
{
	if (users_name_ok(f[0], strlen(f[0])) != 0)
		return BAD("bad name (1 to 32 of a-z 0-9 _ . -, starting "
			   "with a letter or digit)");
	(void)strlcpy(e->name, f[0], sizeof(e->name));
	if (strcmp(f[1], "yes") != 0 && strcmp(f[1], "no") != 0)
		return BAD("enabled must be yes or no");
	e->enabled = strcmp(f[1], "yes") == 0;
	if (users_perms_parse(f[2], &e->perms) != 0)
		return BAD("bad permissions (letters of lrwdm, or -)");
	if (users_quota_parse(f[3], &e->quota_bytes, &e->quota_files) != 0)
		return BAD("bad quota (BYTES/FILES)");
	if (users_home_ok(f[4]) != 0)
		return BAD("bad home (a relative path without ..)");
	(void)strlcpy(e->home, f[4], sizeof(e->home));
	if (parse_hash(f[5], e) != 0)
		return BAD("bad password hash (an argon2id string, or -)");
	if (parse_keys(f[6], e) != 0)
		return BAD("bad keys (base64 Ed25519 keys separated by ',')");
	return 0;
}

int
users_parse_line(const char *line, struct users_entry *e, char *err,
    size_t errlen)
{
	char buf[USERS_LINE_MAX], *p = buf, *f[7];
	int  n = 0, r;

	memset(e, 0, sizeof(*e));
	if (strlcpy(buf, line, sizeof(buf)) >= sizeof(buf))
		return BAD("line too long");
	while (n < 7 && (f[n] = strsep(&p, ":")) != NULL)
		n++;
	if (n != 7 || p != NULL)
		r = BAD("expected 7 fields separated by ':'");
	else
		r = parse_fields(f, e, err, errlen);
	sodium_memzero(buf, sizeof(buf));
	return r;
}

int
users_format_line(const struct users_entry *e, char *out, size_t outlen)
{
	char perms[8], keys[USERS_KEYS_MAX * (B64_KEY_LEN + 1) + 1];
	char k[B64_KEY_LEN + 1];
	int  i, n;

	users_perms_format(e->perms, perms, sizeof(perms));
	keys[0] = '\0';
	for (i = 0; i < e->nkeys; i++) {
		users_key_format(e->keys[i], k, sizeof(k));
		if (i > 0)
			(void)strlcat(keys, ",", sizeof(keys));
		(void)strlcat(keys, k, sizeof(keys));
	}
	n = snprintf(out, outlen, "%s:%s:%s:%" PRIu64 "/%" PRIu64 ":%s:%s:%s\n",
	    e->name, e->enabled ? "yes" : "no", perms, e->quota_bytes,
	    e->quota_files, e->home, e->hash[0] != '\0' ? e->hash : "-",
	    e->nkeys > 0 ? keys : "-");
	return n < 0 || (size_t)n >= outlen ? -ERR_INTERNAL : 0;
}
