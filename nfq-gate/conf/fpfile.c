/*
 * fpfile.c - the signature file from disk, parsed by engine/fpdb.c.
 */
#include <stdlib.h>

#include "base/file_read.h"
#include "conf/fpfile.h"

/* ng_fpfile_load - read path whole and parse it. */
struct ng_fpdb *
ng_fpfile_load(const char *path, char *err, size_t errlen)
{
	struct ng_fpdb *db;
	size_t len;
	char *text;

	text = ng_file_read(path, NG_FPFILE_MAX, &len, err, errlen);
	if (text == NULL)
		return NULL;
	db = ng_fpdb_parse(text, len, path, err, errlen);
	free(text);
	return db;
}
