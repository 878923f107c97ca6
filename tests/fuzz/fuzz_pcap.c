/*
 * fuzz_pcap.c - the replay path under libFuzzer: a whole capture file
 * (pcap or pcapng, any link type in its header) read by libpcap from
 * memory, each frame stripped by the link decoder and fed to the engine,
 * and every event formatted as a log line and as JSON.
 *
 * Captures are what an admin downloads from anywhere and replays, so the
 * link decoder and the formatters see hostile bytes just as the engine
 * does.  A small flow table and a short greet pause make holds, releases
 * and evictions happen within a few frames.
 */
#include <pcap/pcap.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "engine/engine.h"
#include "engine/event_format.h"
#include "replay/linktype.h"

#define MAX_FRAMES 4096

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
format_all(const struct ng_out *out)
{
	char line[NG_EVENT_LINE_MAX];
	unsigned i;

	for (i = 0; i < out->nev; i++) {
		ng_event_format_line(&out->ev[i], line, sizeof(line));
		ng_event_format_json(&out->ev[i], line, sizeof(line));
	}
}

static void
replay(pcap_t *pc, struct ng_engine *e)
{
	static struct ng_out out;
	struct pcap_pkthdr *h;
	const u_char *frame;
	int dlt = pcap_datalink(pc), n = 0, more;
	ng_usec now = 0;
	size_t off;

	while (n++ < MAX_FRAMES && pcap_next_ex(pc, &h, &frame) == 1) {
		now = h->ts.tv_sec < 0 ? 0 : (ng_usec)h->ts.tv_sec *
		    NG_USEC_PER_SEC + (ng_usec)h->ts.tv_usec;
		do {
			more = ng_engine_tick(e, now, &out);
			format_all(&out);
		} while (more);
		if (ng_link_ip_offset(dlt, frame, h->caplen, &off) !=
		    NG_LINK_IP)
			continue;
		ng_engine_packet(e, frame + off, h->caplen - off,
		    h->len > off ? h->len - off : 0, (uint32_t)n, now, &out);
		format_all(&out);
	}
	do {
		more = ng_engine_tick(e, now + NG_SEC(2), &out);
		format_all(&out);
	} while (more);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[PCAP_ERRBUF_SIZE];
	struct ng_settings cfg;
	struct ng_engine *e;
	pcap_t *pc;
	FILE *fp;

	if (size == 0)
		return 0;
	fp = fmemopen((void *)(uintptr_t)data, size, "rb");
	if (fp == NULL)
		return 0;
	pc = pcap_fopen_offline(fp, err);
	if (pc == NULL) {
		fclose(fp);
		return 0;
	}
	ng_settings_defaults(&cfg);
	cfg.flow_max = 8;
	cfg.cache_max = 8;
	cfg.greet_pause = NG_SEC(1) / 10;
	e = ng_engine_new(&cfg);
	ng_settings_free(&cfg);
	if (e != NULL) {
		replay(pc, e);
		ng_engine_free(e);
	}
	pcap_close(pc);		/* closes fp too */
	return 0;
}
