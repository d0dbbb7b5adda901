/*
 * writeback.h: start disk writeback while a file is written sequentially,
 * so the fsync(2) before a commit finds little left to write and the page
 * cache holds a bounded amount of dirty data (sync_file_range(2), the
 * streaming-write pattern described by Linus Torvalds on LKML, 2010).
 * Every function here is advice to the kernel and returns nothing: a
 * failure shows up in the caller's fsync(2), which decides durability.
 */
#ifndef FTPD_WRITEBACK_H
#define FTPD_WRITEBACK_H

#include <stdint.h>

#define WRITEBACK_WINDOW (8 * 1024 * 1024) /* bytes per writeback request */
#define WRITEBACK_LAG	 4 /* windows in flight before the writer waits */

struct writeback {
	int	 fd;
	uint64_t started; /* bytes [0, started) have had writeback started */
	int	 off;	  /* 1 once the file system refused sync_file_range */
};

/* writeback_init: track fd, whose sequential writes begin at offset 0. */
void writeback_init(struct writeback *wb, int fd);

/*
 * writeback_note: the file now holds bytes [0, written).  Starts writeback
 * of every complete WRITEBACK_WINDOW not yet started, and waits for the one
 * WRITEBACK_LAG windows back, so at most about LAG windows (32 MiB) are dirty.
 * Best effort: errors are left for the caller's fsync to report.
 */
void writeback_note(struct writeback *wb, uint64_t written);

#endif
