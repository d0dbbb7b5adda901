/*
 * safetext.c: filter peer-supplied text (file names, error messages) before
 * it reaches a terminal, so a hostile peer cannot send escape sequences.
 * Whether bytes are well-formed UTF-8 is utf8_decode's decision (utf8.h);
 * this file must not keep its own decoder.  It only copies and replaces;
 * it never interprets the text.
 */
#include <stdint.h>

#include "common/safetext.h"
#include "common/utf8.h"

/* SECURITY: C0 controls, DEL and C1 controls can steer a terminal. */
static int
safetext_is_control(uint32_t cp)
{
	return cp < 0x20 || (cp >= 0x7f && cp <= 0x9f);
}

size_t
safetext_copy(char *dst, size_t dstlen, const char *src, size_t len)
{
	const uint8_t *s = (const uint8_t *)src;
	size_t	       i = 0, o = 0;
	uint32_t       cp;
	int	       n;

	if (dstlen == 0)
		return 0;
	while (i < len && o + 1 < dstlen) {
		n = utf8_decode(s + i, len - i, &cp);
		if (n < 0 || safetext_is_control(cp)) {
			/* One '?' per malformed byte or per control. */
			dst[o++] = '?';
			i += n < 0 ? 1 : (size_t)n;
			continue;
		}
		if (o + (size_t)n >= dstlen)
			break; /* never cut a character in half */
		while (n-- > 0)
			dst[o++] = (char)s[i++];
	}
	dst[o] = '\0';
	return o;
}
