/*
 * file_read.h - the one way a whole file is read into memory: the
 * config and its allow/deny files, the state files.
 *
 * Every such file is small next to memory and parsed as one image, so
 * a reload can check all of it before anything changes.  The size limit
 * is the caller's, so a file gone wild (or a /dev/zero named by
 * mistake) costs an error, not the memory of the machine.
 */
#ifndef NG_FILE_READ_H
#define NG_FILE_READ_H

#include <stddef.h>

/*
 * The whole of path in a malloc'd buffer, NUL-terminated (the NUL not
 * counted in *len), at most max bytes (max below SIZE_MAX / 2).  NULL
 * with errno and a message naming the file in err: "PATH: cannot open:
 * ERROR" or "PATH: cannot read: ERROR" (EFBIG when longer than max).
 */
char *ng_file_read(const char *path, size_t max, size_t *len, char *err,
    size_t errlen);

/*
 * The same from an open descriptor (read from where it stands to the
 * end, left open), for a caller that opened it with care of its own
 * (ng_open_regular); name is for the message.
 */
char *ng_file_read_fd(int fd, const char *name, size_t max, size_t *len,
    char *err, size_t errlen);

#endif
