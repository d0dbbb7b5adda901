/*
 * utf8.c: the UTF-8 decoder of utf8.h, after RFC 3629 section 3 (the bit
 * patterns) and section 4 (the syntax of well-formed sequences, which
 * excludes overlong forms, surrogates and code points above U+10FFFF).
 * A lenient decoder is how an overlong ESC or CSI slips past a filter and
 * reaches a terminal, so this is the only decoder in the project.  It only
 * decodes: it must not allocate, replace or print anything.
 */
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"
#include "common/utf8.h"

/*
 * Sequence length for lead byte c, 0 for a byte that never starts one:
 * continuation bytes 80..BF, C0 and C1 (always overlong), F5..FF (above
 * U+10FFFF).  E0 and F0 leads can still be overlong, ED and F4 leads still
 * out of range: the code point check in utf8_decode catches those.
 */
static int
utf8_lead_len(uint8_t c)
{
	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		return 2;
	if (c >= 0xe0 && c <= 0xef)
		return 3;
	if (c >= 0xf0 && c <= 0xf4)
		return 4;
	return 0;
}

int
utf8_decode(const uint8_t *p, size_t len, uint32_t *cp)
{
	static const uint32_t min[UTF8_SEQ_MAX + 1] = { 0, 0, 0x80, 0x800,
		0x10000 }; /* smallest code point of each length */
	uint32_t	      v;
	int		      n, i;

	*cp = 0;
	if (len == 0 || (n = utf8_lead_len(p[0])) == 0 || (size_t)n > len)
		return -ERR_PROTOCOL;
	/* The lead byte's payload bits: 7, 5, 4 or 3 of them. */
	v = n == 1 ? p[0] : p[0] & (0xffu >> (n + 1));
	for (i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return -ERR_PROTOCOL;
		v = v << 6 | (p[i] & 0x3f);
	}
	/* SECURITY: RFC 3629 section 4 forbids all three; see file comment. */
	if (v < min[n] || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
		return -ERR_PROTOCOL;
	*cp = v;
	return n;
}
