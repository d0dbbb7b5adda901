/*
 * paths.c: where ftpc keeps its per-user files (config, secret.key,
 * known_hosts, id_ed25519): ftpc/FILE beneath $XDG_CONFIG_HOME or
 * ~/.config, by common/xdg.h's rule, the one the daemon uses too.  This
 * file must not create anything: callers make folders when they write.
 */
#include <stdio.h>

#include "client/ftpc.h"
#include "common/xdg.h"

int
ftpc_config_path(const char *file, char *out, size_t outlen)
{
	char sub[128];
	int  n;

	n = snprintf(sub, sizeof(sub), "ftpc/%s", file);
	if (n < 0 || (size_t)n >= sizeof(sub))
		return -1;
	return xdg_dir(out, outlen, "XDG_CONFIG_HOME", ".config", sub);
}
