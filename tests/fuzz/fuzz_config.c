/*
 * fuzz_config.c: libFuzzer target for the configuration parser
 * (common/config.c): the input is a whole ftpd.conf, written to a memfd and
 * read with config_load through /proc/self/fd/N, as `ftpd -t` reads a file
 * an operator wrote.  The first line of the input is also fed to the value
 * parsers config_parse_size and config_split_hostport.  Whatever the bytes,
 * config_load must return 0 or -1 with a terminated "FILE:LINE: reason",
 * leave the struct untouched on -1, and keep every string it fills
 * terminated and inside its field.  It must not touch any file but the memfd.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "common/atomicio.h"
#include "common/config.h"

#define FUZZ_CONF_MAX (64 * 1024)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
fuzz_terminated(const char *s, size_t len)
{
	if (memchr(s, '\0', len) == NULL)
		abort();
}

/* Every string field stays terminated; numbers keep their ranges. */
static void
fuzz_check_config(const struct config *c)
{
	int i;

	if (c->nlisten < 1 || c->nlisten > CONFIG_LISTEN_MAX)
		abort();
	for (i = 0; i < c->nlisten; i++)
		fuzz_terminated(c->listen[i], sizeof(c->listen[i]));
	fuzz_terminated(c->file, sizeof(c->file));
	fuzz_terminated(c->root, sizeof(c->root));
	fuzz_terminated(c->key_file, sizeof(c->key_file));
	fuzz_terminated(c->pidfile, sizeof(c->pidfile));
	fuzz_terminated(c->log_file, sizeof(c->log_file));
	fuzz_terminated(c->xferlog, sizeof(c->xferlog));
	fuzz_terminated(c->user, sizeof(c->user));
	if (c->workers < 1 || c->workers > c->max_workers)
		abort();
}

/* The first line (up to 255 bytes) through the value parsers. */
static void
fuzz_values(const uint8_t *data, size_t size)
{
	char	 line[256], host[128], port[32];
	size_t	 n = 0;
	uint64_t v;

	while (n < size && n < sizeof(line) - 1 && data[n] != '\n' &&
	    data[n] != '\0')
		n++;
	memcpy(line, data, n);
	line[n] = '\0';
	(void)config_parse_size(line, &v);
	if (config_split_hostport(line, host, sizeof(host), port,
		sizeof(port)) == 0) {
		fuzz_terminated(host, sizeof(host));
		fuzz_terminated(port, sizeof(port));
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct config c, before;
	char		     path[64], err[512];
	int		     fd;

	if (size > FUZZ_CONF_MAX)
		return 0;
	fuzz_values(data, size);
	if ((fd = memfd_create("fuzz.conf", MFD_CLOEXEC)) == -1)
		abort();
	if ((size > 0 && write_full(fd, data, size) == -1) ||
	    snprintf(path, sizeof(path), "/proc/self/fd/%d", fd) < 0 ||
	    config_defaults(&c, "/nonexistent/base") != 0)
		abort();
	memcpy(&before, &c, sizeof(c));
	err[0] = '\0';
	if (config_load(&c, path, err, sizeof(err)) == 0)
		fuzz_check_config(&c);
	else if (memcmp(&before, &c, sizeof(c)) != 0 || err[0] == '\0' ||
	    memchr(err, '\0', sizeof(err)) == NULL)
		abort(); /* a refused file changed the config or said nothing */
	close(fd);
	return 0;
}
