/*
 * bytes.h - big-endian fields of wire formats (IP, TCP, DNS, link
 * headers), read from a byte pointer the caller has bounds-checked.
 */
#ifndef NG_BYTES_H
#define NG_BYTES_H

#include <stdint.h>

/* ng_get16 - a big-endian 16-bit field. */
static inline uint16_t
ng_get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* ng_get32 - a big-endian 32-bit field. */
static inline uint32_t
ng_get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

#endif
