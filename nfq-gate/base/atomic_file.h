/*
 * atomic_file.h - the one way the gate replaces a file and the one way
 * it opens a file it reads back: state files and the Prometheus file.
 *
 * Both refuse what a local attacker (or an accident) can plant in a
 * directory the gate writes to: a symbolic link is never followed, a
 * FIFO or device never blocks the caller, anything but a regular file
 * is refused with a message saying what it was.
 */
#ifndef NG_ATOMIC_FILE_H
#define NG_ATOMIC_FILE_H

#include <stddef.h>
#include <sys/types.h>

/*
 * Replace path with buf[0, len): PATH.tmp is removed, made afresh
 * (O_EXCL, no link followed), written, fsynced when durable, renamed
 * over path, and the directory fsynced when durable.  At every instant
 * path names the old complete file or the new one.  0, or -1 with errno
 * and "PATH: STEP PATH.tmp: ERROR (the old file is kept)" in err.
 */
int ng_atomic_write(const char *path, const void *buf, size_t len,
    mode_t mode, int durable, char *err, size_t errlen);

/*
 * Open path read-only without following a link or blocking on a FIFO,
 * and check it is a regular file.  The descriptor, or -1 with errno
 * (ENOENT: no file; ELOOP: a symbolic link; EINVAL: not a regular file)
 * and a message in err.
 */
int ng_open_regular(const char *path, char *err, size_t errlen);

#endif
