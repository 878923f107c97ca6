/*
 * live_share.c - the shared state (share.c) in the live gate: made from
 * the config at start, remade or retuned on SIGHUP, told of the
 * engine's events, of PASS OLD handshakes and of nfq-gate-ctl's
 * changes, and what it asks back: the nft penalty set to follow a
 * peer's penalty, a state save, a trap penalty.
 *
 * Apart from the loop and the events because none of it decides a
 * packet: the engine's tables stay the only thing a SYN consults, and
 * what comes from Redis goes into them between packets.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "base/addr.h"
#include "base/log.h"
#include "daemon/clock.h"
#include "daemon/ctl.h"
#include "daemon/live_impl.h"
#include "daemon/share.h"
#include "daemon/share_codec.h"
#include "engine/packet.h"

/*
 * host_name - mx_name's default: the host's name, what a name may not
 * hold made '-' ("gate" if nothing is left).
 */
static void
host_name(char *buf, size_t len)
{
	char h[256];
	size_t i, n;

	if (gethostname(h, sizeof(h)) < 0)
		h[0] = '\0';
	h[sizeof(h) - 1] = '\0';
	n = strlen(h);
	if (n > NG_REDIS_NAME_MAX)
		n = NG_REDIS_NAME_MAX;
	for (i = 0; i < n && i + 1 < len; i++)
		buf[i] = ng_redis_name_ok(&h[i], 1) ? h[i] : '-';
	buf[i] = '\0';
	if (!ng_redis_name_ok(buf, strlen(buf)))
		snprintf(buf, len, "gate");
}

/* share_conf - the config's shared-state keys as share.c takes them. */
static int
share_conf(const struct ng_config *c, struct ng_share_conf *sc)
{
	char err[256];

	memset(sc, 0, sizeof(*sc));
	if (ng_redis_url_parse(&sc->url, c->redis_url, err, sizeof(err)) < 0) {
		ng_log(LOG_ERR, "redis_url: %s", err);	/* the parser took it */
		return -1;
	}
	snprintf(sc->prefix, sizeof(sc->prefix), "%s", c->redis_prefix);
	if (c->mx_name[0] != '\0')
		snprintf(sc->name, sizeof(sc->name), "%s", c->mx_name);
	else
		host_name(sc->name, sizeof(sc->name));
	sc->timeout = c->redis_timeout;
	return 0;
}

/* on_penalty - a peer's penalty came or went: the nft set follows. */
static void
on_penalty(void *arg, const struct ng_addr *a, unsigned plen, ng_usec ttl)
{
	struct live *l = arg;

	if (l->nft == NULL || plen != ng_addr_bits(a))
		return;		/* a prefix: the box refuses it, not the set */
	if (ttl > 0)
		(void)ng_nftset_add(l->nft, a, ttl);
	else
		(void)ng_nftset_del(l->nft, a);
}

/* on_changed - the tables changed from outside: saved in due course. */
static void
on_changed(void *arg)
{
	struct live *l = arg;

	l->dirty = 1;
}

/*
 * on_trap_penalise - Redis knew no contact either: the engine boxes the
 * client and says so in a TRAP event, handled like any other.
 */
static void
on_trap_penalise(void *arg, const struct ng_flow_key *hit)
{
	struct live *l = arg;
	struct ng_out o;

	ng_engine_trap_penalise(l->e, hit, ng_clock_now(), &o);
	live_send_releases(l, &o);
	live_handle_events(l, &o);
}

/* make - a new shared state for configuration c; NULL on failure. */
static struct ng_share *
make(struct live *l, const struct ng_config *c)
{
	struct ng_share_hooks h;
	struct ng_share_conf sc;
	struct ng_share *s;
	char where[160];

	if (share_conf(c, &sc) < 0)
		return NULL;
	memset(&h, 0, sizeof(h));
	h.penalty = on_penalty;
	h.changed = on_changed;
	h.trap_penalise = on_trap_penalise;
	h.arg = l;
	if ((s = ng_share_new(l->epfd, l->e, &sc, &h)) == NULL)
		ng_log(LOG_ERR, "shared state: out of memory: local only");
	else
		ng_log(LOG_INFO, "shared state: redis %s, prefix %s, as %s",
		    ng_redis_url_text(&sc.url, where, sizeof(where)),
		    sc.prefix, sc.name);
	return s;
}

/*
 * live_share_settings - what the engine must know of the shared state:
 * trap hits without a local contact wait for its answer.
 */
void
live_share_settings(struct ng_config *c)
{
	c->eng.trap_defer = c->redis_url[0] != '\0';
}

/* live_start_share - the shared state, when redis_url names one. */
void
live_start_share(struct live *l)
{
	if (l->cfg.redis_url[0] != '\0')
		l->share = make(l, &l->cfg);
}

/*
 * tcp_warning - a reload to a redis:// URL when the seccomp filter was
 * made without TCP (no redis_url at start): it will be refused.
 */
static void
tcp_warning(const struct live *l, const struct ng_share_conf *sc)
{
	if (!sc->url.is_unix && !l->tcp_ok)
		ng_log(LOG_WARNING, "reload: redis_url: TCP to Redis needs a "
		    "restart (the seccomp filter was made without it); a "
		    "unix: URL works now");
}

/*
 * live_share_reload - a reload's keys: on, off, a new link, or the new
 * name and timeout only.
 */
void
live_share_reload(struct live *l, const struct ng_config *next)
{
	struct ng_share_conf sc;

	if (next->redis_url[0] == '\0') {
		if (l->share != NULL)
			ng_log(LOG_INFO, "shared state: off (redis_url empty)");
		ng_share_free(l->share);
		l->share = NULL;
		return;
	}
	if (share_conf(next, &sc) < 0)
		return;
	tcp_warning(l, &sc);
	if (l->share == NULL)
		l->share = make(l, next);
	else if (ng_share_reconf(l->share, &sc) < 0)
		ng_log(LOG_WARNING, "reload: redis_url: out of memory: the "
		    "old link kept");
}

/*
 * live_share_event - an engine event for the shared state: out to
 * Redis, or (a pending trap hit) a question to it.
 */
void
live_share_event(struct live *l, const struct ng_event *ev)
{
	char c[NG_EPSTRLEN], s[NG_EPSTRLEN];

	if (ev->type == NG_EV_TRAP && ev->pending) {
		if (l->share != NULL) {
			ng_share_trap_check(l->share, ev, ng_clock_now());
			return;
		}
		ng_log(LOG_INFO, "TRAP %s to %s: not penalised, shared state "
		    "unavailable", ng_addr_format_ep(&ev->client, ev->cport, c,
		    sizeof(c)), ng_addr_format_ep(&ev->server, ev->sport, s,
		    sizeof(s)));
		return;
	}
	if (l->share != NULL)
		ng_share_engine_event(l->share, ev);
}

/*
 * live_share_confirm - the packet in hand confirmed a flow (a PASS OLD
 * handshake, or a released flow's greeting): the client's pass entry
 * out, at most once a minute.
 */
void
live_share_confirm(struct live *l, const struct ng_nfq_pkt *p)
{
	struct ng_pkt k;

	if (l->share == NULL || ng_pkt_parse(&k, p->data, p->caplen,
	    p->wirelen) != NG_PKT_OK)
		return;
	ng_share_confirmed(l->share, ng_settings_is_port(&l->cfg.eng,
	    k.dport) ? &k.src : &k.dst, ng_clock_now());
}

/* live_share_ctl - nfq-gate-ctl changed a table: the peers follow. */
void
live_share_ctl(struct live *l, int table, int added, const struct ng_addr *a,
    int prefix)
{
	unsigned t;

	if (l->share == NULL)
		return;
	t = table == NG_CTL_PASS ? NG_SHARE_PASS : table == NG_CTL_PENALTY ?
	    NG_SHARE_PENALTY : NG_SHARE_GREY;
	ng_share_ctl_change(l->share, t, added, a, prefix, ng_clock_now());
}
