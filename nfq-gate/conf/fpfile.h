/*
 * fpfile.h - read the SYN signature file (rules/nfq-gate.fp) into the
 * engine's table (engine/fpdb.h): the I/O the engine must not do.
 */
#ifndef NG_FPFILE_H
#define NG_FPFILE_H

#include <stddef.h>

#include "engine/fpdb.h"

/* The file's size limit: thousands of lines, far more than needed. */
#define NG_FPFILE_MAX (1024 * 1024)

/*
 * ng_fpfile_load - path's signatures, or NULL with "path: cannot open:
 * ..." or "path:line: reason" in err.
 */
struct ng_fpdb *ng_fpfile_load(const char *path, char *err, size_t errlen);

#endif
