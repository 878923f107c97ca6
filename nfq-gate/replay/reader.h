/*
 * reader.h - the capture's frames, read ahead of the engine.
 *
 * Reading a pcap file costs about as much per packet as judging it, so
 * on a machine with a second CPU a thread reads, timestamps and strips
 * the link header of the next frames while the replay's own thread runs
 * the engine on the frames before them.  Frames come back in file order,
 * in batches; with one CPU (or no thread to be had) the same batches are
 * filled in line, just before they are used.
 */
#ifndef NG_READER_H
#define NG_READER_H

#include <pcap/pcap.h>
#include <stddef.h>
#include <stdint.h>

#include "base/timeval.h"

struct ng_frame {
	ng_usec when;		/* capture time; before 1970 reads as 0 */
	const uint8_t *ip;	/* the IP datagram (status NG_LINK_IP) */
	uint32_t caplen;	/* of it, captured */
	uint32_t wirelen;	/* of it, on the wire */
	uint8_t status;		/* enum ng_link_status */
};

struct ng_frames {
	const struct ng_frame *f;
	unsigned n;		/* at least 1 */
};

struct ng_reader;

/*
 * Start reading pc, of link type dlt, which the reader then owns until
 * ng_reader_end().  NULL when out of memory.
 */
struct ng_reader *ng_reader_start(pcap_t *pc, int dlt);

/*
 * The next frames in file order, valid until the next call.  0 when the
 * file is done: then ng_reader_end() says why.
 */
int ng_reader_next(struct ng_reader *rd, struct ng_frames *out);

/*
 * Stop (if not done) and free the reader: pcap_next_ex()'s last result,
 * so PCAP_ERROR after a read error, which err then names (libpcap's
 * words, or "out of memory").
 */
int ng_reader_end(struct ng_reader *rd, char *err, size_t errlen);

#endif
