/*
 * json.c: the JSON string writer of json.h (RFC 8259 section 7).  Whether
 * bytes are well-formed UTF-8 (RFC 3629 section 4) is utf8_decode's
 * decision (utf8.h); this file must not keep its own decoder.  Callers
 * write the rest of a document (numbers, braces) with fprintf.  It must
 * not copy a byte that could end the string early, start an escape or
 * make the text invalid UTF-8.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "common/error.h"
#include "common/json.h"
#include "common/utf8.h"

/* 0, or -ERR_SYSTEM when fp has seen a write error (errno from stdio). */
static int
json_status(FILE *fp)
{
	return ferror(fp) ? -ERR_SYSTEM : 0;
}

int
json_str(FILE *fp, const char *s, size_t len)
{
	const uint8_t *p = (const uint8_t *)s;
	size_t	       i = 0;
	uint32_t       cp;
	int	       n;

	putc('"', fp);
	while (i < len) {
		if (p[i] == '"' || p[i] == '\\') {
			fprintf(fp, "\\%c", p[i]);
			i++;
		} else if (p[i] < 0x20 || p[i] == 0x7f) {
			fprintf(fp, "\\u%04x", p[i]);
			i++;
		} else if ((n = utf8_decode(p + i, len - i, &cp)) < 0) {
			fputs("\\ufffd", fp); /* one per malformed byte */
			i++;
		} else {
			fwrite(p + i, 1, (size_t)n, fp);
			i += (size_t)n;
		}
	}
	putc('"', fp);
	return json_status(fp);
}

int
json_cstr(FILE *fp, const char *s)
{
	if (s == NULL) {
		fputs("null", fp);
		return json_status(fp);
	}
	return json_str(fp, s, strlen(s));
}
