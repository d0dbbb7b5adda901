/*
 * fsops.h: file operations beneath the served root (doc/PROTOCOL.md,
 * section 4.1; DESIGN.md "Storage rules").  Every client path is checked
 * with fsops_check_path, then resolved beneath the root descriptor with
 * openat2(2) RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS; operations on a final
 * component open its parent that way and use the *at calls on it.
 *
 * Functions return 0 (or a descriptor) on success and a negative ERR_* code
 * (common/error.h) on failure, ready for an error reply.
 */
#ifndef FTPD_FSOPS_H
#define FTPD_FSOPS_H

#include <sys/stat.h>
#include <sys/types.h>

#include <dirent.h>
#include <stddef.h>

#define FSOPS_PATH_MAX	 4095 /* longest path in bytes (PROTOCOL.md 4.1) */
#define FSOPS_NAME_MAX	 255  /* longest component in bytes */
#define FSOPS_TMP_PREFIX ".ftpd-put."
#define FSOPS_RETRIES	 8 /* openat2 EAGAIN (racing rename), name clashes */

/*
 * fsops_is_tmp_name: 1 if the len bytes at name begin with FSOPS_TMP_PREFIX
 * (a named upload temporary, never shown to or reachable by clients), else 0.
 */
int fsops_is_tmp_name(const char *name, size_t len);

/*
 * fsops_check_path: validate the untrusted path p[0..len) (not NUL
 * terminated) and copy it NUL terminated into out (outlen bytes, at least
 * FSOPS_PATH_MAX + 1).  Returns 0; -ERR_BAD_PATH for an empty or absolute
 * path or one holding a NUL byte; -ERR_NAME_TOO_LONG for more than
 * FSOPS_PATH_MAX bytes or a component over FSOPS_NAME_MAX bytes.  Escapes
 * through ".." or links are found later, by openat2.
 */
__attribute__((warn_unused_result)) int fsops_check_path(const char *p,
    size_t len, char *out, size_t outlen);

/*
 * fsops_open: openat2(rootfd, path, flags | O_CLOEXEC, mode) with
 * RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS, retried on EINTR and EAGAIN.
 * path must have passed fsops_check_path.  Returns the descriptor or a
 * negative ERR_* code (errno kept).
 */
__attribute__((warn_unused_result)) int fsops_open(int rootfd, const char *path,
    int flags, mode_t mode);

/*
 * fsops_open_parent: split path into its folder and last component; open
 * the folder (O_PATH | O_DIRECTORY, beneath rootfd) and copy the last
 * component into name (namelen >= FSOPS_NAME_MAX + 1).  A last component
 * that is empty (trailing '/'), "." or ".." gives -ERR_BAD_PATH.  Returns
 * the folder's descriptor or a negative ERR_* code.
 */
__attribute__((warn_unused_result)) int fsops_open_parent(int rootfd,
    const char *path, char *name, size_t namelen);

/*
 * fsops_stat: lstat(2)-like status of path beneath rootfd (a final
 * symbolic link is not followed).  Returns 0 or a negative ERR_* code.
 */
__attribute__((warn_unused_result)) int fsops_stat(int rootfd, const char *path,
    struct stat *st);

/* fsops_type: "file", "dir", "link" or "other" for st_mode (PROTOCOL 4.4). */
const char *fsops_type(mode_t mode);

/*
 * fsops_open_read: open the regular file path beneath rootfd for reading
 * (without blocking on a FIFO) and fstat it into st.  Returns the
 * descriptor, -ERR_IS_DIR for a folder, -ERR_IO for another non-regular
 * file, or another negative ERR_* code.
 */
__attribute__((warn_unused_result)) int fsops_open_read(int rootfd,
    const char *path, struct stat *st);

/* fsops_delete: remove a file or link (-ERR_IS_DIR for a folder). */
__attribute__((warn_unused_result)) int fsops_delete(int rootfd,
    const char						*path);

/* fsops_mkdir: create one folder with mode & 0777 (umask applies). */
__attribute__((warn_unused_result)) int fsops_mkdir(int rootfd,
    const char *path, mode_t mode);

/* fsops_rmdir: remove an empty folder (-ERR_NOT_EMPTY otherwise). */
__attribute__((warn_unused_result)) int fsops_rmdir(int rootfd,
    const char					       *path);

/* The message of a rename that would move a folder beneath itself. */
#define FSOPS_BENEATH_ITSELF "cannot move a folder beneath itself"

/*
 * fsops_rename: rename from to to, both beneath rootfd.  overwrite = 0
 * refuses an existing target with -ERR_EXISTS (renameat2 RENAME_NOREPLACE).
 * Returns 0 or a negative ERR_* code; *why gets NULL, or a message for the
 * error reply where the code's own would mislead (-ERR_BAD_PATH with
 * FSOPS_BENEATH_ITSELF when from is a folder and to lies beneath it).
 */
__attribute__((warn_unused_result)) int fsops_rename(int rootfd,
    const char *from, const char *to, int overwrite, const char **why);

/*
 * fsops_rename_noreplace: renameat2(fpfd, fname, tpfd, tname,
 * RENAME_NOREPLACE), or a check for the target then renameat where the
 * file system lacks the flag.  Returns 0, -ERR_EXISTS when tname exists,
 * or another negative ERR_* code; *why as for fsops_rename (set only on
 * that error).
 */
__attribute__((warn_unused_result)) int fsops_rename_noreplace(int fpfd,
    const char *fname, int tpfd, const char *tname, const char **why);

/* A folder's entries, read whole and sorted for list. */
struct fsops_dir {
	DIR   *dir;   /* open folder, for fsops_dir_stat */
	char **names; /* sorted bytewise (strcmp), without "." and ".." */
	size_t count;
};

/*
 * fsops_dir_open: read the names of folder path beneath rootfd into d,
 * sorted.  Returns 0 or a negative ERR_* code (d is then empty;
 * fsops_dir_close is safe either way).
 */
__attribute__((warn_unused_result)) int fsops_dir_open(int rootfd,
    const char *path, struct fsops_dir *d);

/*
 * fsops_dir_stat: status of entry i without following links.  Returns 0,
 * 1 when the entry vanished since it was read (skip it), or a negative
 * ERR_* code.
 */
__attribute__((warn_unused_result)) int
fsops_dir_stat(const struct fsops_dir *d, size_t i, struct stat *st);

/* fsops_dir_close: free the names and close the folder. */
void fsops_dir_close(struct fsops_dir *d);

/*
 * A temporary file for an upload (worker/fstmp.c), in the target's folder:
 * unnamed (O_TMPFILE, nothing is left behind even after kill -9) where the
 * file system allows it, else named FSOPS_TMP_PREFIX plus 12 random
 * characters, created O_EXCL | O_NOFOLLOW with mode 0600.  Either way the
 * writer holds an flock (LOCK_EX) on it until commit or discard, which
 * tells a sweep the file is live.
 */
struct fsops_tmp {
	int  fd;       /* open for writing; -1 when none */
	int  named;    /* 1 when name exists in the folder */
	char name[80]; /* the temporary name when named (or a kept
			* part's, worker/partial.h: at most 65 bytes) */
};

/*
 * fsops_tmp_create: create a temporary file in folder parentfd (an O_PATH
 * descriptor from fsops_open_parent).  Returns 0 or a negative ERR_* code.
 */
__attribute__((warn_unused_result)) int fsops_tmp_create(int parentfd,
    struct fsops_tmp					    *t);

/*
 * fsops_tmp_start: start writing the file's data to disk without waiting
 * (sync_file_range SYNC_FILE_RANGE_WRITE), so that the fsyncs of a batch
 * of files find their data on its way and their block allocations in one
 * journal transaction.  Advice only: fsops_tmp_sync decides.
 */
void fsops_tmp_start(const struct fsops_tmp *t);

/*
 * fsops_tmp_sync: fsync(2) the temporary file.  Returns 0 or a negative
 * ERR_* code (io, no_space ...).
 */
__attribute__((warn_unused_result)) int fsops_tmp_sync(
    const struct fsops_tmp *t);

/*
 * fsops_tmp_link: give the (synced) temporary file the name name in
 * parentfd, replacing an existing file when overwrite is 1, else
 * -ERR_EXISTS.  The file is closed on success; on failure call
 * fsops_tmp_discard.  The new name is durable only after
 * fsops_sync_dir(parentfd).  Returns 0 or a negative ERR_* code.
 */
__attribute__((warn_unused_result)) int fsops_tmp_link(int parentfd,
    struct fsops_tmp *t, const char *name, int overwrite);

/*
 * fsops_sync_dir: fsync the folder parentfd (an O_PATH descriptor) so the
 * names linked in it survive a crash.  A folder the worker cannot open for
 * reading is not synced and not an error.  Returns 0 or a negative ERR_*
 * code.
 */
__attribute__((warn_unused_result)) int fsops_sync_dir(int parentfd);

/*
 * fsops_tmp_commit: fsops_tmp_sync, fsops_tmp_link, fsops_sync_dir for
 * one file.  The file is closed once linked; on failure call
 * fsops_tmp_discard.  A failed folder fsync is logged and returned (the
 * name may then be in place, but is not known durable).  Returns 0 or a
 * negative ERR_* code.
 */
__attribute__((warn_unused_result)) int fsops_tmp_commit(int parentfd,
    struct fsops_tmp *t, const char *name, int overwrite);

/* fsops_tmp_discard: close the file and remove its name, if any. */
void fsops_tmp_discard(int parentfd, struct fsops_tmp *t);

/* How a sweep treats the kept parts of broken uploads (worker/partial.h). */
struct fsops_sweep {
	int64_t partial_ttl; /* seconds a part outlives its last write */
	int	usagefd;     /* the served root, where the usage records
			      * are (common/usage.h); -1: no accounting */
};

/*
 * fsops_tmp_sweep (worker/sweep.c): remove from folder parentfd (an O_PATH
 * descriptor) every FSOPS_TMP_PREFIX file whose writer is gone (a live
 * writer holds an flock on its temporary from creation to commit), logging
 * each with where (the folder's path beneath the root, "" for the root); a
 * kept part only when its last write is more than how->partial_ttl seconds
 * old, and then given back to the usage record of the account its name
 * charges (usage_part_owner), when that record exists.  interval_s > 0
 * skips a folder this process swept less than interval_s seconds ago.
 * Returns the files removed; a folder it cannot read is not an error (0).
 */
int fsops_tmp_sweep(int parentfd, const char *where, int interval_s,
    const struct fsops_sweep *how);

/*
 * fsops_tmp_sweep_tree: fsops_tmp_sweep on rootfd and the folders beneath
 * it, breadth first, at most max_dirs folders, never following a link.
 * Returns the files removed.
 */
int fsops_tmp_sweep_tree(int rootfd, size_t max_dirs,
    const struct fsops_sweep *how);

#endif
