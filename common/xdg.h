/*
 * xdg.h: per-user locations after the XDG Base Directory Specification
 * (https://specifications.freedesktop.org/basedir-spec/, version 0.8),
 * shared by ftpd (config, files, state) and ftpc (config, history).
 */
#ifndef FTPD_XDG_H
#define FTPD_XDG_H

#include <stddef.h>

/*
 * xdg_dir: dst = $var/sub when the environment variable var (e.g.
 * "XDG_CONFIG_HOME") is set to an absolute path; else $HOME/fallback/sub
 * (fallback e.g. ".config"), with $HOME from the password database when
 * it is unset, empty or relative.  sub may be "" (then no trailing '/').
 * dst has len bytes.  Returns 0, or -1 when no home is known or the
 * result does not fit (dst then holds "").
 */
__attribute__((warn_unused_result)) int xdg_dir(char *dst, size_t len,
    const char *var, const char *fallback, const char *sub);

#endif
