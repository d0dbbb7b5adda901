/*
 * safetext.c: filter peer-supplied text (file names, error messages) before
 * it reaches a terminal, so a hostile peer cannot send escape sequences.
 * It only copies and replaces; it never interprets the text.
 */
#include <stdint.h>

#include "common/safetext.h"

/* Length of the well-formed UTF-8 sequence at s (RFC 3629), 0 if none. */
static size_t
utf8_len(const unsigned char *s, size_t len)
{
	size_t n, i;

	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4;
	else
		return 0;
	if (n > len)
		return 0;
	for (i = 1; i < n; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	return n;
}

size_t
safetext_copy(char *dst, size_t dstlen, const char *src, size_t len)
{
	const unsigned char *s = (const unsigned char *)src;
	size_t		     i = 0, o = 0, n;

	if (dstlen == 0)
		return 0;
	while (i < len && o + 1 < dstlen) {
		if (s[i] < 0x80) {
			dst[o++] =
			    s[i] < 0x20 || s[i] == 0x7f ? '?' : (char)s[i];
			i++;
			continue;
		}
		n = utf8_len(s + i, len - i);
		if (n == 0 || (s[i] == 0xc2 && s[i + 1] < 0xa0)) {
			dst[o++] = '?'; /* stray byte, or a C1 control */
			i += n == 0 ? 1 : n;
			continue;
		}
		if (o + n >= dstlen)
			break; /* never cut a character in half */
		while (n-- > 0)
			dst[o++] = (char)s[i++];
	}
	dst[o] = '\0';
	return o;
}
