/*
 * xdg.c: the XDG Base Directory rule, once for daemon and client.  A
 * relative $XDG_* value is ignored, as the specification requires ("If an
 * implementation encounters a relative path in any of these variables it
 * should consider the path invalid and ignore it").  This file must not
 * create folders: callers do that when they write.
 */
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "common/xdg.h"

/* dst = a/b (or a when b is ""); 0 or -1 when it does not fit. */
static int
join2(char *dst, size_t len, const char *a, const char *b)
{
	int n;

	n = b[0] == '\0' ? snprintf(dst, len, "%s", a)
			 : snprintf(dst, len, "%s/%s", a, b);
	if (n < 0 || (size_t)n >= len) {
		if (len > 0)
			dst[0] = '\0';
		return -1;
	}
	return 0;
}

int
xdg_dir(char *dst, size_t len, const char *var, const char *fallback,
    const char *sub)
{
	const char    *v = getenv(var), *home = getenv("HOME");
	struct passwd *pw;
	char	       dir[4096];

	if (len > 0)
		dst[0] = '\0';
	if (v != NULL && v[0] == '/')
		return join2(dst, len, v, sub);
	if (home == NULL || home[0] != '/') {
		if ((pw = getpwuid(getuid())) == NULL || pw->pw_dir == NULL ||
		    pw->pw_dir[0] != '/')
			return -1;
		home = pw->pw_dir;
	}
	if (join2(dir, sizeof(dir), home, fallback) == -1)
		return -1;
	return join2(dst, len, dir, sub);
}
