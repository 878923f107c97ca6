/*
 * bigmem.c - large zeroed arrays in transparent huge pages (bigmem.h).
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "base/bigmem.h"

#define HUGE_SIZE	((size_t)2 << 20)

/* page_round - len rounded up to whole pages. */
static size_t
page_round(size_t len)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);

	return (len + page - 1) / page * page;
}

/*
 * ng_bigmem_map - zeroed anonymous memory, 2 MB aligned and advised for
 * huge pages when it is that big: map 2 MB more than asked, then give
 * back the unaligned head and the unused tail.
 */
void *
ng_bigmem_map(size_t len)
{
	size_t used, span, head;
	unsigned char *m, *p;

	if (len == 0 || len > SIZE_MAX / 2)
		return errno = ENOMEM, NULL;
	used = page_round(len);
	span = used < HUGE_SIZE ? used : used + HUGE_SIZE;
	m = mmap(NULL, span, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m == MAP_FAILED)
		return NULL;
	if (span == used)
		return m;
	p = (unsigned char *)(((uintptr_t)m + HUGE_SIZE - 1) &
	    ~(uintptr_t)(HUGE_SIZE - 1));
	head = (size_t)(p - m);
	if (head > 0)
		munmap(m, head);
	if (span - head > used)
		munmap(p + used, span - head - used);
	/* Advice only: without huge pages the memory works the same. */
	if (madvise(p, used, MADV_HUGEPAGE) != 0)
		errno = 0;
	return p;
}

/* ng_bigmem_calloc - calloc for small arrays, ng_bigmem_map for big ones. */
void *
ng_bigmem_calloc(size_t n, size_t size)
{
	if (size != 0 && n > SIZE_MAX / 2 / size)
		return errno = ENOMEM, NULL;
	if (n * size < HUGE_SIZE)
		return calloc(n > 0 ? n : 1, size > 0 ? size : 1);
	return ng_bigmem_map(n * size);
}

/* ng_bigmem_free - free or munmap, as ng_bigmem_calloc chose. */
void
ng_bigmem_free(void *p, size_t n, size_t size)
{
	if (p == NULL)
		return;
	if (n * size < HUGE_SIZE)
		free(p);
	else
		munmap(p, n * size);
}
