/*
 * fuzz_utf8.c: libFuzzer target for the one UTF-8 decoder (common/utf8.c)
 * and the filters built on it (safetext_copy, json_str).  It checks
 * properties rather than only crashes: a decoded sequence re-encodes to
 * the same bytes (so it was the shortest form) and lies outside the
 * surrogates and below U+110000; safetext output is well-formed UTF-8
 * with no C0, DEL or C1 control; json_str output is well-formed UTF-8
 * with no raw C0 or DEL byte (JSON may carry C1 controls unescaped).  Nothing here may touch files.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/json.h"
#include "common/safetext.h"
#include "common/utf8.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The RFC 3629 section 3 encoding of cp into out; returns its length. */
static int
fuzz_encode(uint32_t cp, uint8_t out[UTF8_SEQ_MAX])
{
	if (cp < 0x80) {
		out[0] = (uint8_t)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (uint8_t)(0xc0 | cp >> 6);
		out[1] = (uint8_t)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (uint8_t)(0xe0 | cp >> 12);
		out[1] = (uint8_t)(0x80 | (cp >> 6 & 0x3f));
		out[2] = (uint8_t)(0x80 | (cp & 0x3f));
		return 3;
	}
	out[0] = (uint8_t)(0xf0 | cp >> 18);
	out[1] = (uint8_t)(0x80 | (cp >> 12 & 0x3f));
	out[2] = (uint8_t)(0x80 | (cp >> 6 & 0x3f));
	out[3] = (uint8_t)(0x80 | (cp & 0x3f));
	return 4;
}

/* Every sequence of p[0..len) is well formed; controls only if allowed. */
static void
fuzz_check_text(const uint8_t *p, size_t len, int controls_ok)
{
	uint32_t cp;
	size_t	 i = 0;
	int	 n;

	while (i < len) {
		if ((n = utf8_decode(p + i, len - i, &cp)) < 0)
			abort();
		if (!controls_ok && (cp < 0x20 || (cp >= 0x7f && cp <= 0x9f)))
			abort();
		i += (size_t)n;
	}
}

static void
fuzz_decode(const uint8_t *data, size_t size)
{
	uint8_t	 enc[UTF8_SEQ_MAX];
	uint32_t cp;
	int	 n;

	n = utf8_decode(data, size, &cp);
	if (n < 0) {
		if (cp != 0)
			abort();
		return;
	}
	if (n > UTF8_SEQ_MAX || (size_t)n > size || cp > 0x10ffff ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		abort();
	if (fuzz_encode(cp, enc) != n || memcmp(enc, data, (size_t)n) != 0)
		abort(); /* not the shortest form */
}

static void
fuzz_json(const uint8_t *data, size_t size)
{
	char  *out = NULL;
	size_t outlen = 0, i;
	FILE  *fp;

	if ((fp = open_memstream(&out, &outlen)) == NULL)
		return;
	if (json_str(fp, (const char *)data, size) != 0 || fclose(fp) != 0)
		abort();
	/* RFC 8259 escapes C0 (and we DEL); C1 may stay, well formed. */
	for (i = 0; i < outlen; i++)
		if ((uint8_t)out[i] < 0x20 || (uint8_t)out[i] == 0x7f)
			abort();
	fuzz_check_text((const uint8_t *)out, outlen, 1);
	free(out);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char   dst[256];
	size_t n, dstlen;

	fuzz_decode(data, size);
	/* The first byte picks the room, so the cut-off path runs too. */
	dstlen = size > 0 ? (size_t)data[0] % sizeof(dst) : sizeof(dst);
	n = safetext_copy(dst, dstlen, (const char *)data, size);
	if (dstlen > 0 && (n >= dstlen || dst[n] != '\0' || strlen(dst) != n))
		abort();
	fuzz_check_text((const uint8_t *)dst, n, 0);
	fuzz_json(data, size);
	return 0;
}
