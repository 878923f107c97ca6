/*
 * bigmem.h - large zeroed arrays in transparent huge pages.
 *
 * The flow table, its connections, the caches and the netblock database
 * are arrays of megabytes that each packet touches at scattered places.
 * With 4 kB pages most of those touches miss the TLB as well, and under
 * a hypervisor a page walk costs about twice as much; every first touch
 * is a page fault.  Arrays of 2 MB or more are therefore mapped on a
 * 2 MB boundary and asked for huge pages (Debian's THP setting is
 * "madvise"); where THP is off the advice is ignored and nothing else
 * changes.  Memory is still only backed when first touched, 2 MB at a
 * time.
 */
#ifndef NG_BIGMEM_H
#define NG_BIGMEM_H

#include <stddef.h>

/*
 * len bytes of zeroed private anonymous memory, page-granular, on a
 * 2 MB boundary and advised for huge pages when len is 2 MB or more.
 * Give it back with munmap(p, len).  NULL with errno set.
 */
void *ng_bigmem_map(size_t len);

/*
 * n zeroed elements of size bytes: from calloc below 2 MB, else from
 * ng_bigmem_map.  NULL with errno set (ENOMEM on overflow).
 */
void *ng_bigmem_calloc(size_t n, size_t size);

/* Give back what ng_bigmem_calloc(n, size) returned; NULL is fine. */
void ng_bigmem_free(void *p, size_t n, size_t size);

#endif
