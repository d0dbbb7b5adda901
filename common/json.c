/*
 * json.c: the JSON string writer of json.h (RFC 8259 section 7, UTF-8 as
 * in RFC 3629 section 4).  Callers write the rest of a document (numbers,
 * braces) with fprintf.  It must not copy a byte that could end the string
 * early, start an escape or make the text invalid UTF-8.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "common/json.h"

/* Length of the well-formed UTF-8 sequence at p (left bytes), 0 if none. */
static size_t
utf8_seq(const unsigned char *p, size_t left)
{
	uint32_t cp;
	size_t	 n, i;

	if (p[0] < 0x80)
		return 1;
	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		n = 2;
	else if ((p[0] & 0xf0) == 0xe0)
		n = 3;
	else if (p[0] >= 0xf0 && p[0] <= 0xf4)
		n = 4;
	else
		return 0;
	cp = p[0] & (0x7fu >> n); /* the lead byte's payload bits */
	if (n > left)
		return 0;
	for (i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (p[i] & 0x3f);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
	    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

int
json_str(FILE *fp, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t		     i = 0, n;

	putc('"', fp);
	while (i < len) {
		if (p[i] == '"' || p[i] == '\\') {
			fprintf(fp, "\\%c", p[i]);
			i++;
		} else if (p[i] < 0x20 || p[i] == 0x7f) {
			fprintf(fp, "\\u%04x", p[i]);
			i++;
		} else if ((n = utf8_seq(p + i, len - i)) == 0) {
			fputs("\\ufffd", fp); /* one per malformed byte */
			i++;
		} else {
			fwrite(p + i, 1, n, fp);
			i += n;
		}
	}
	putc('"', fp);
	return ferror(fp) ? -1 : 0;
}

int
json_cstr(FILE *fp, const char *s)
{
	if (s == NULL) {
		fputs("null", fp);
		return ferror(fp) ? -1 : 0;
	}
	return json_str(fp, s, strlen(s));
}
