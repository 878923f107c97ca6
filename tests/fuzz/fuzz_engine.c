/*
 * fuzz_engine.c - the packet parser and the engine under libFuzzer.
 *
 * The input is a sequence of records: a 2-byte length, a 1-byte time
 * step in 10 ms units, then that many bytes of IP datagram.  Sequences
 * matter more than single packets: the engine keeps state across them,
 * and a crafted order (RST before SYN-ACK, a retransmit after release)
 * is where a state machine breaks.  A tiny flow table and short pause
 * make eviction and release happen within a few records.  The first
 * byte also picks greylisting, capture (replay) mode, where ACKs of
 * held bytes count, and what is held (the handshake ACK, with a release
 * window of 0, 1 or 2, or the greeting): each changes the paths through
 * early.c and the release in engine.c.  The last byte's bit 0 makes
 * half of each family's addresses a trap MX (trap.c; bit 2: the upper
 * half) with a contacts table of 8, its bit 1 defers the trap's hits,
 * which are then penalised as the daemon would after asking the shared
 * state; its bit 3 sets throttle limits (concurrency 1, 2 a second, a
 * table of 4) and bit 4 makes the default a pass, whose flows are then
 * kept to their handshake to be counted.  Its bit 5 turns the one score
 * on (score.h: thresholds reject 3, greylist 2, allowlist -1, a fake DNS
 * answer from the client address's last byte) and bit 6 tells the
 * engine at once that a tested client's answers are in (a cached
 * answer: the early pass, ng_engine_score_ready).  (The first byte is the first record's length too; a byte
 * after the last record is not read as one.)
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "engine/engine.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* trap_conf - the trap MX on half of each family's addresses. */
static void
trap_conf(struct ng_settings *cfg, uint8_t sel)
{
	if (!(sel & 1))
		return;
	ng_cidr_list_add_str(&cfg->trap_mx, sel & 4 ? "128.0.0.0/1" :
	    "0.0.0.0/1");
	ng_cidr_list_add_str(&cfg->trap_mx, sel & 4 ? "8000::/1" : "::/1");
	cfg->contacts_max = 8;
	cfg->trap_window = NG_SEC(1);
	cfg->trap_defer = (sel & 2) != 0;
}

/* throttle_conf - tight limits and a tiny table (throttle.c). */
static void
throttle_conf(struct ng_settings *cfg, uint8_t sel)
{
	if (!(sel & 8))
		return;
	cfg->throttle[NG_THR_GENERAL].concurrency = 1;
	cfg->throttle[NG_THR_GENERAL].rate = 2;
	cfg->throttle[NG_THR_GENERAL].per = NG_SEC(1);
	cfg->throttle_max = 4;
	if (sel & 16)
		cfg->default_action = NG_ACT_PASS;
}

/* fake_dns - a DNS answer from a's last byte: -2 .. 3. */
static void
fake_dns(const void *ctx, const struct ng_addr *a, ng_usec now,
    struct ng_score_dns *d)
{
	(void)ctx;
	(void)now;
	memset(d, 0, sizeof(*d));
	d->asked = 1;
	d->complete = (a->b[15] & 8) != 0;
	d->dnsbl = a->b[15] % 4;
	d->dnswl = -(int)(a->b[15] / 4 % 3);
	d->rdns_fact = "none";
}

/* score_conf - the one score with a fake DNS (bit 5). */
static void
score_conf(struct ng_settings *cfg, uint8_t sel)
{
	if (!(sel & 32))
		return;
	cfg->score.dns = 1;
	cfg->score.reject = 3;
	cfg->score.greylist = 2;
	cfg->score.allow = -1;
}

/* score_ready - the daemon's early pass for each tested SYN (bit 6). */
static void
score_ready(struct ng_engine *e, const struct ng_out *o, ng_usec now)
{
	static struct ng_out later;
	struct ng_flow_key k;
	unsigned i;

	for (i = 0; i < o->nev; i++) {
		if (!o->ev[i].dns)
			continue;
		memset(&k, 0, sizeof(k));
		k.caddr = o->ev[i].client;
		k.saddr = o->ev[i].server;
		k.cport = o->ev[i].cport;
		k.sport = o->ev[i].sport;
		ng_engine_score_ready(e, &k, now, &later);
	}
}

/* penalise_pending - what the daemon does when the shared state knows
 * no contact for a pending trap hit. */
static void
penalise_pending(struct ng_engine *e, const struct ng_out *o, ng_usec now)
{
	static struct ng_out later;
	struct ng_flow_key hit;
	unsigned i;

	for (i = 0; i < o->nev; i++) {
		if (!o->ev[i].pending)
			continue;
		memset(&hit, 0, sizeof(hit));
		hit.caddr = o->ev[i].client;
		hit.saddr = o->ev[i].server;
		hit.cport = o->ev[i].cport;
		hit.sport = o->ev[i].sport;
		ng_engine_trap_penalise(e, &hit, now, &later);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct ng_out out;
	struct ng_settings cfg;
	struct ng_engine *e;
	ng_usec now = NG_SEC(1000);
	uint32_t id = 0;
	size_t off = 0;

	ng_settings_defaults(&cfg);
	cfg.flow_max = 8;
	cfg.cache_max = 8;
	cfg.greet_pause = NG_SEC(1) / 10;
	cfg.default_action = (size > 0 && data[0] & 1) ? NG_ACT_GREYLIST :
	    NG_ACT_TEST;
	cfg.hold = (size > 0 && data[0] & 4) ? NG_HOLD_GREETING :
	    NG_HOLD_HANDSHAKE;
	cfg.release_window = size > 0 ? (unsigned)(data[0] >> 3) % 3 : 0;
	trap_conf(&cfg, size > 0 ? data[size - 1] : 0);
	throttle_conf(&cfg, size > 0 ? data[size - 1] : 0);
	score_conf(&cfg, size > 0 ? data[size - 1] : 0);
	e = ng_engine_new(&cfg);
	ng_settings_free(&cfg);
	if (e == NULL)
		return 0;
	{
		static const struct ng_score_src src = { fake_dns, NULL };

		ng_engine_set_score_src(e, &src);
	}
	ng_engine_set_capture(e, size > 0 && (data[0] & 2));
	while (off + 3 <= size) {
		size_t len = (size_t)data[off] << 8 | data[off + 1];

		now += (ng_usec)data[off + 2] * 10000;
		off += 3;
		if (len > size - off)
			len = size - off;
		while (ng_engine_tick(e, now, &out))
			;
		ng_engine_packet(e, data + off, len, len + (len & 3), ++id,
		    now, &out);
		penalise_pending(e, &out, now);
		if (size > 0 && (data[size - 1] & 64))
			score_ready(e, &out, now);
		off += len;
	}
	ng_engine_release_all(e, &out);
	ng_engine_free(e);
	return 0;
}
