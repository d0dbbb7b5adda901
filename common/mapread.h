/*
 * mapread.h: read a file through a read-only mapping window (mapread.c).
 */
#ifndef FTPD_MAPREAD_H
#define FTPD_MAPREAD_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define MAPREAD_WINDOW (4u * 1024 * 1024) /* bytes mapped at a time */

struct mapread {
	int	 fd;	/* the file, open for reading */
	int	 nomap; /* 1: mmap refused (a pipe, a special file): pread */
	uint8_t *base;	/* the mapped window, NULL when none */
	off_t	 start; /* file offset of base (page aligned) */
	size_t	 len;	/* bytes mapped */
};

/* mapread_init: a reader of fd (not taken over); nothing mapped yet. */
void mapread_init(struct mapread *m, int fd);

/*
 * mapread_copy: copy the n bytes at file offset off into dst, through a
 * window of up to MAPREAD_WINDOW bytes mapped PROT_READ (madvise
 * MADV_SEQUENTIAL), or with pread(2) where the file cannot be mapped.
  * The caller must know the bytes exist (fstat): a file that shrank under
 * the mapping raises SIGBUS, which mapread catches for the copy.  Returns
 * n; 0 when the file shrank (as pread at the new end of file); a short
 * count from the pread fallback at end of file; -1 with pread's errno.
 */
__attribute__((warn_unused_result)) ssize_t mapread_copy(struct mapread *m,
    void *dst, size_t n, off_t off);

/* mapread_end: unmap the window (the descriptor stays open). */
void mapread_end(struct mapread *m);

#endif
