/*
 * atomic_file.h - the one way a file is replaced (state files, the
 * Prometheus file, the netblock database and its exports) and the one
 * way the daemon opens a file it reads back.
 *
 * Both refuse what a local attacker (or an accident) can plant in a
 * directory the gate writes to: a symbolic link is never followed, a
 * FIFO or device never blocks the caller, anything but a regular file
 * is refused with a message saying what it was.
 */
#ifndef NG_ATOMIC_FILE_H
#define NG_ATOMIC_FILE_H

#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

/*
 * Flags.  Without any, the temporary file is PATH.tmp, removed first
 * and made afresh (O_EXCL, no link followed, mode less the umask), and
 * both the file and its directory are fsynced: what the daemon wants of
 * a state file, which only its one writer thread ever replaces, and
 * where a PATH.tmp left by a crash is cleaned up by the next save.
 *
 * NG_ATOMIC_NOSYNC: no fsync at all.  For the Prometheus file only: it
 * is rewritten every stats_interval (a minute), its loss to a power cut
 * costs one gap in a graph, and two syncs a minute on the writer thread
 * would only queue the state saves behind them.  The rename is still
 * atomic against a reader.
 *
 * NG_ATOMIC_UNIQUE: the temporary file is PATH.tmpXXXXXX (mkstemp) and
 * gets exactly mode.  For the nfq-gate-db commands, two of which (a
 * cron job and an admin) may write one path at once: under one fixed
 * name the second would unlink the first's file and the first rename
 * the second's half-written one into place.
 */
#define NG_ATOMIC_NOSYNC 0x1
#define NG_ATOMIC_UNIQUE 0x2

/*
 * Replace path with buf[0, len) by way of a temporary file in the same
 * directory: made, written, fsynced, renamed over path, the directory
 * fsynced.  At every instant path names the old complete file or the
 * new one.  0, or -1 with errno and "PATH: STEP TMP: ERROR (the old
 * file is kept)" in err (or "PATH: syncing its directory: ERROR" when
 * the rename is done but may not last a power cut).
 */
int ng_atomic_write(const char *path, const void *buf, size_t len,
    mode_t mode, int flags, char *err, size_t errlen);

/*
 * The same for a file written as a stream: fill(fp, arg) writes it
 * through stdio and returns 0, or -1 having said why itself (the
 * temporary file is then removed and err left "").  For the outputs
 * too big to build in memory first (nfq-gate-db export).
 */
int ng_atomic_write_fp(const char *path, mode_t mode, int flags,
    int (*fill)(FILE *fp, void *arg), void *arg, char *err, size_t errlen);

/*
 * Open path read-only without following a link or blocking on a FIFO,
 * and check it is a regular file.  The descriptor, or -1 with errno
 * (ENOENT: no file; ELOOP: a symbolic link; EINVAL: not a regular file)
 * and a message in err.
 */
int ng_open_regular(const char *path, char *err, size_t errlen);

#endif
