/*
 * account.h: what an account may do inside a session (doc/PROTOCOL.md
 * 4.4): its home as the session's root, the permission each request
 * needs, and its quota, kept beside the data (common/usage.h) so that
 * sessions of one account in different workers share it.  A session of
 * the shared-secret method has no account: everything is allowed and
 * nothing is counted.  Internal to worker/.  Functions return 0 or a
 * negative ERR_* code ready for an error reply.
 */
#ifndef FTPD_ACCOUNT_H
#define FTPD_ACCOUNT_H

#include <stdint.h>

#include "common/schema.h"
#include "common/users.h"
#include "worker/session.h"

/*
 * account_enter: make e (NULL with anonymous set: the drop box,
 * cfg->anonymous_dir) the session's account: open its home beneath the
 * served root (creating missing folders) and make it s->rootfd.  Returns
 * 0 or a negative ERR_* code (the login then fails with code 19).
 */
int account_enter(struct session *s, const struct users_entry *e,
    int anonymous);

/* account_leave: close the home; s->rootfd is the served root again. */
void account_leave(struct session *s);

/*
 * account_allow: 0 when the session may run request q, else
 * -ERR_PERMISSION (list, read, write, delete or mkdir/rename missing;
 * the drop box may only put).
 */
int account_allow(const struct session *s, const struct schema_req *q);

/* account_may_overwrite: 0 for the drop box (a taken name is refused). */
int account_may_overwrite(const struct session *s);

/*
 * account_put_reserve: before any data of a put of size bytes to name in
 * the folder parentfd (replacing it when overwrite): hold the space in the
 * account's usage.  Returns 0, or -ERR_NO_SPACE when the quota (bytes or
 * files) would be passed.  account_put_end: the put is over; when it was
 * not committed the space held is given back.
 */
int  account_put_reserve(struct session *s, int parentfd, const char *name,
     uint64_t size, int overwrite);
void account_put_end(struct session *s, int committed);

/*
 * account_part: the kept part of a broken upload (worker/partial.h),
 * bytes long, starts (charge 1) or stops (charge 0) being charged to the
 * session's account: (bytes, 1 file) added to or taken from its usage,
 * without a quota check (the bytes exist).  Nothing for a session without
 * an account, or for bytes 0.  Failures are logged.
 */
void account_part(struct session *s, uint64_t bytes, int charge);

/*
 * account_why: the message of error r of a put: "quota exceeded" when
 * account_put_reserve refused it, else NULL (the code's own).
 */
const char *account_why(const struct session *s, int r);

/*
 * account_delete: fsops_delete of path beneath s->rootfd, and the file's
 * bytes given back to the account's usage.  Returns as fsops_delete.
 */
int account_delete(struct session *s, const char *path);

#endif
