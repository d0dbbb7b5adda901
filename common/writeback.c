/*
 * writeback.c: overlap the disk's work with the network's for the receiver
 * of a large file (see writeback.h).  It only asks the kernel to start or
 * wait for writeback; it never decides durability: the caller's fsync(2)
 * still does that, and reports any error.  Pages already written back are
 * dropped from the page cache, so a bulk upload neither grows the cache
 * nor evicts what other readers use.
 */
#include <errno.h>
#include <fcntl.h>

#include "common/writeback.h"

void
writeback_init(struct writeback *wb, int fd)
{
	wb->fd = fd;
	wb->started = 0;
	wb->off = 0;
}

void
writeback_note(struct writeback *wb, uint64_t written)
{
	const uint64_t win = WRITEBACK_WINDOW;
	uint64_t       back;

	while (!wb->off && written - wb->started >= win) {
		if (sync_file_range(wb->fd, (off64_t)wb->started, (off64_t)win,
			SYNC_FILE_RANGE_WRITE) == -1) {
			/* EINVAL, ESPIPE: not for this file system; fsync copes. */
			wb->off = errno == EINVAL || errno == ESPIPE;
			if (wb->off)
				return;
		}
		wb->started += win;
		if (wb->started >= win * (WRITEBACK_LAG + 1)) {
			back = wb->started - win * (WRITEBACK_LAG + 1);
			(void)sync_file_range(wb->fd, (off64_t)back,
			    (off64_t)win,
			    SYNC_FILE_RANGE_WAIT_BEFORE |
				SYNC_FILE_RANGE_WRITE |
				SYNC_FILE_RANGE_WAIT_AFTER);
			/* Clean now: recycle these pages rather than grow. */
			(void)posix_fadvise(wb->fd, (off_t)back, (off_t)win,
			    POSIX_FADV_DONTNEED);
		}
	}
}
