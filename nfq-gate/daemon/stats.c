/*
 * stats.c - counters of the live daemon, logged on SIGUSR1 and written
 * as a Prometheus text file.
 *
 * Counted here: the verdicts we sent (accept, offload, drop, reset,
 * hold) and the held ids released later, flow decisions per country,
 * and the kernel's own queue counters read from
 * /proc/net/netfilter/nfnetlink_queue (packets waiting, queue_dropped:
 * dropped because the queue was full and fail-open was off,
 * user_dropped: our socket could not take them).  With fail-open the
 * kernel accepts such packets without counting them; we count them
 * ourselves as holes in the packet id sequence (socket full) and as
 * the times our held+queued count reached queue_maxlen (queue full).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/addr.h"
#include "base/atomic_file.h"
#include "base/log.h"
#include "daemon/stats.h"

static const char *sv_names[NG_SV_MAX] = {
	"accept", "offload", "drop", "reset", "hold"
};

/* ng_stats_verdict - count one packet's verdict. */
void
ng_stats_verdict(struct ng_live_stats *s, enum ng_stat_verdict v)
{
	if ((unsigned)v < NG_SV_MAX)
		s->verdicts[v]++;
}

/* cc_slot - the per-country counter slot for cc; NULL when all are taken. */
static struct ng_cc_count *
cc_slot(struct ng_live_stats *s, uint16_t cc)
{
	unsigned i;

	for (i = 0; i < s->ncc; i++)
		if (s->cc[i].cc == cc)
			return &s->cc[i];
	if (s->ncc == NG_STATS_CC_MAX)
		return NULL;
	s->cc[s->ncc].cc = cc;
	return &s->cc[s->ncc++];
}

/* ng_stats_event - count one log event by decision and country. */
void
ng_stats_event(struct ng_live_stats *s, const struct ng_event *ev)
{
	struct ng_cc_count *c;

	if (ev->decision == NG_DEC_NONE || ev->decision >= NG_DEC_MAX)
		return;
	if ((c = cc_slot(s, ev->cc)) != NULL)
		c->dec[ev->decision]++;
}

/* malformed_total - packets dropped as malformed, every status together. */
static uint64_t
malformed_total(const struct ng_stats *e)
{
	uint64_t n = 0;
	unsigned i;

	for (i = 0; i < sizeof(e->malformed) / sizeof(e->malformed[0]); i++)
		n += e->malformed[i];
	return n;
}

/* log_unverified - segments not believed (spoofed?) and packets dropped
 * unparsed: one line, the total and each reason. */
static void
log_unverified(const struct ng_stats *e)
{
	char line[256];

	ng_log(LOG_INFO, "statistics: %s malformed=%llu fragments=%llu "
	    "midstream=%llu", ng_unverified_format(line, sizeof(line), e),
	    (unsigned long long)malformed_total(e),
	    (unsigned long long)e->fragments, (unsigned long long)e->midstream);
}

/* log_trap - the trap MX's counters: one line. */
static void
log_trap(const struct ng_stats *e)
{
	ng_log(LOG_INFO, "statistics: trap syns=%llu hits=%llu "
	    "penalised=%llu excused=%llu unsure=%llu",
	    (unsigned long long)e->trap_syns,
	    (unsigned long long)e->trap_hits,
	    (unsigned long long)e->trap_penalised,
	    (unsigned long long)e->trap_excused,
	    (unsigned long long)e->trap_unsure);
}

/* log_throttle - the throttle's counters: one line. */
static void
log_throttle(const struct ng_stats *e, const struct ng_live_stats *s)
{
	ng_log(LOG_INFO, "statistics: throttle syn=%llu handshake=%llu "
	    "counted=%llu ended=%llu full=%llu aged=%llu ct_ends=%llu "
	    "ct_enobufs=%llu",
	    (unsigned long long)e->throttle_syn,
	    (unsigned long long)e->throttle_handshake,
	    (unsigned long long)e->throttle_counted,
	    (unsigned long long)e->throttle_ended,
	    (unsigned long long)e->throttle_full,
	    (unsigned long long)e->throttle_aged,
	    (unsigned long long)s->ct_ends,
	    (unsigned long long)s->ct_enobufs);
}

/* log_redis - the shared state's counters: one line. */
static void
log_redis(const struct ng_share_counts *r)
{
	ng_log(LOG_INFO, "statistics: redis up=%d sent=%llu received=%llu "
	    "dropped=%llu errors=%llu reconnects=%llu", r->up,
	    (unsigned long long)r->sent, (unsigned long long)r->received,
	    (unsigned long long)r->dropped, (unsigned long long)r->errors,
	    (unsigned long long)r->reconnects);
}

/* ng_stats_log - the SIGUSR1 and periodic statistics lines. */
void
ng_stats_log(const struct ng_stats_view *v)
{
	const struct ng_live_stats *s = v->live;
	char cc[3], line[512];
	size_t n = 0;
	unsigned i, d;
	uint64_t tot;
	int w;

	ng_log(LOG_INFO, "statistics: uptime %llus verdicts accept=%llu "
	    "offload=%llu drop=%llu reset=%llu hold=%llu released=%llu",
	    (unsigned long long)v->uptime_sec,
	    (unsigned long long)s->verdicts[NG_SV_ACCEPT],
	    (unsigned long long)s->verdicts[NG_SV_OFFLOAD],
	    (unsigned long long)s->verdicts[NG_SV_DROP],
	    (unsigned long long)s->verdicts[NG_SV_RESET],
	    (unsigned long long)s->verdicts[NG_SV_HOLD],
	    (unsigned long long)s->releases);
	if (v->eng != NULL)
		ng_log(LOG_INFO, "statistics: packets=%llu flows=%llu "
		    "flows_now=%llu held_now=%llu evicted=%llu pass_new=%llu "
		    "pass_old=%llu pregreet=%llu penalty=%llu greylist_full=%llu",
		    (unsigned long long)v->eng->packets,
		    (unsigned long long)v->eng->flows,
		    (unsigned long long)v->eng->flows_now,
		    (unsigned long long)v->eng->held_now,
		    (unsigned long long)v->eng->flows_evicted,
		    (unsigned long long)v->eng->events[NG_EV_PASS_NEW],
		    (unsigned long long)v->eng->events[NG_EV_PASS_OLD],
		    (unsigned long long)v->eng->events[NG_EV_PREGREET],
		    (unsigned long long)v->eng->events[NG_EV_PENALTY],
		    (unsigned long long)v->eng->greylist_full);
	if (v->eng != NULL)
		ng_log(LOG_INFO, "statistics: release window released_now=%llu "
		    "waits=%llu timeouts=%llu",
		    (unsigned long long)v->eng->released_now,
		    (unsigned long long)v->eng->window_waits,
		    (unsigned long long)v->eng->release_timeouts);
	ng_log(LOG_INFO, "statistics: tables pass_evicted=%llu "
	    "penalty_evicted=%llu greylist_evicted=%llu greylist_refused=%llu "
	    "contacts_evicted=%llu",
	    (unsigned long long)v->pass_evicted,
	    (unsigned long long)v->penalty_evicted,
	    (unsigned long long)v->grey_evicted,
	    (unsigned long long)v->grey_refused,
	    (unsigned long long)v->contacts_evicted);
	if (v->eng != NULL)
		log_trap(v->eng);
	if (v->eng != NULL)
		log_throttle(v->eng, s);
	if (v->eng != NULL)
		log_unverified(v->eng);
	if (v->redis != NULL)
		log_redis(v->redis);
	ng_log(LOG_INFO, "statistics: state_saves=%llu state_save_errors=%llu "
	    "nft_adds=%llu nft_errors=%llu nft_timeouts=%llu "
	    "nft_dropped=%llu "
	    "reloads=%llu reload_errors=%llu policy_queries=%llu "
	    "rules_lost=%llu rules_missing=%d",
	    (unsigned long long)s->state_saves,
	    (unsigned long long)s->state_save_errors,
	    (unsigned long long)s->nft_adds,
	    (unsigned long long)s->nft_errors,
	    (unsigned long long)s->nft_timeouts,
	    (unsigned long long)s->nft_dropped,
	    (unsigned long long)s->reloads,
	    (unsigned long long)s->reload_errors,
	    (unsigned long long)s->policy_queries,
	    (unsigned long long)s->rules_lost, s->rules_missing != 0);
	if (v->nfq != NULL)
		ng_log(LOG_INFO, "statistics: queue %u: enobufs=%llu "
		    "id_gaps=%llu netlink_errors=%llu queue_full=%llu "
		    "stress=%d kernel_waiting=%llu kernel_dropped=%llu "
		    "kernel_user_dropped=%llu", v->queue,
		    (unsigned long long)v->nfq->enobufs,
		    (unsigned long long)v->nfq->id_gaps,
		    (unsigned long long)v->nfq->nl_errors,
		    (unsigned long long)s->queue_full, v->stress,
		    (unsigned long long)(v->ks ? v->ks->queue_total : 0),
		    (unsigned long long)(v->ks ? v->ks->queue_dropped : 0),
		    (unsigned long long)(v->ks ? v->ks->user_dropped : 0));
	for (i = 0; i < s->ncc; i++) {
		tot = 0;
		for (d = 1; d < NG_DEC_MAX; d++)
			tot += s->cc[i].dec[d];
		w = snprintf(line + n, sizeof(line) - n, " %s=%llu",
		    ng_cc_str(s->cc[i].cc, cc), (unsigned long long)tot);
		if (w < 0 || (size_t)w >= sizeof(line) - n)
			break;
		n += (size_t)w;
	}
	if (n > 0)
		ng_log(LOG_INFO, "statistics: decisions by country:%s", line);
}

/* metric - a Prometheus metric's HELP and TYPE lines. */
static void
metric(FILE *fp, const char *name, const char *type, const char *help)
{
	fprintf(fp, "# HELP nfq_gate_%s %s\n# TYPE nfq_gate_%s %s\n", name,
	    help, name, type);
}

/* one - a metric with its one value. */
static void
one(FILE *fp, const char *name, const char *type, const char *help,
    uint64_t val)
{
	metric(fp, name, type, help);
	fprintf(fp, "nfq_gate_%s %llu\n", name, (unsigned long long)val);
}

/* prom_trap - the trap MX's counters in Prometheus text form. */
static void
prom_trap(const struct ng_stats *e, FILE *fp)
{
	one(fp, "trap_syns_total", "counter", "SYNs to a trap_mx address.",
	    e->trap_syns);
	one(fp, "trap_hits_total", "counter", "Believed handshakes at a "
	    "trap_mx address, reset.", e->trap_hits);
	one(fp, "trap_penalised_total", "counter", "Trap hits penalised: "
	    "no recent contact with a real MX.", e->trap_penalised);
	one(fp, "trap_excused_total", "counter", "Trap hits excused by a "
	    "recent contact with a real MX.", e->trap_excused);
	one(fp, "trap_unsure_total", "counter", "Trap hits not penalised: "
	    "the contacts table lost live entries within trap_window.",
	    e->trap_unsure);
}

/* prom_throttle - the throttle's counters in Prometheus text form. */
static void
prom_throttle(const struct ng_stats *e, const struct ng_live_stats *s,
    FILE *fp)
{
	metric(fp, "throttle_resets_total", "counter", "Clients reset over "
	    "their connection limits, at the SYN or at the handshake.");
	fprintf(fp, "nfq_gate_throttle_resets_total{at=\"syn\"} %llu\n",
	    (unsigned long long)e->throttle_syn);
	fprintf(fp, "nfq_gate_throttle_resets_total{at=\"handshake\"} "
	    "%llu\n", (unsigned long long)e->throttle_handshake);
	one(fp, "throttle_counted_total", "counter", "Believed connections "
	    "counted by the throttle.", e->throttle_counted);
	one(fp, "throttle_ended_total", "counter", "Counted connections "
	    "whose end was seen (FIN, RST or conntrack).", e->throttle_ended);
	one(fp, "throttle_full_total", "counter", "Connections not counted: "
	    "the throttle table was full (fail open).", e->throttle_full);
	one(fp, "throttle_aged_total", "counter", "Counted connections that "
	    "stopped counting by age (end never seen).", e->throttle_aged);
	one(fp, "conntrack_ends_total", "counter", "Conntrack DESTROY events "
	    "of connections to a judged port.", s->ct_ends);
	one(fp, "conntrack_enobufs_total", "counter", "Conntrack event "
	    "socket overruns (events lost).", s->ct_enobufs);
}

/* prom_engine - the engine's counters in Prometheus text form. */
static void
prom_engine(const struct ng_stats_view *v, FILE *fp)
{
	unsigned i;
	char name[32], *p;
	static const struct ng_stats zero;
	const struct ng_stats *e = v->eng != NULL ? v->eng : &zero;

	one(fp, "packets_total", "counter", "Packets seen by the engine.",
	    e->packets);
	one(fp, "flows_total", "counter", "Flows created.", e->flows);
	one(fp, "flows", "gauge", "Flows tracked now.", e->flows_now);
	one(fp, "held_packets", "gauge", "Packets held now (handshake ACKs "
	    "or greetings).", e->held_now);
	one(fp, "released_waiting", "gauge", "Passed clients whose ACK went "
	    "to the MTA, greeting not seen yet.", e->released_now);
	one(fp, "window_waits_total", "counter", "Passed clients that "
	    "waited for the release window.", e->window_waits);
	one(fp, "release_timeouts_total", "counter", "Released clients "
	    "whose greeting was not seen within 30 s.", e->release_timeouts);
	one(fp, "flows_evicted_total", "counter", "Flows evicted, table full.",
	    e->flows_evicted);
	one(fp, "greylist_full_total", "counter", "New senders given the "
	    "greeting test: greylist full of live first tries.",
	    e->greylist_full);
	one(fp, "pass_evicted_total", "counter", "Live pass cache entries "
	    "evicted for new ones.", v->pass_evicted);
	one(fp, "penalty_evicted_total", "counter", "Live penalty box "
	    "entries evicted for new ones.", v->penalty_evicted);
	one(fp, "greylist_evicted_total", "counter", "Live greylist entries "
	    "evicted for new ones.", v->grey_evicted);
	one(fp, "greylist_refused_total", "counter", "New greylist entries "
	    "refused: full of live ones.", v->grey_refused);
	one(fp, "contacts_evicted_total", "counter", "Live trap MX contacts "
	    "evicted for new ones.", v->contacts_evicted);
	prom_trap(e, fp);
	prom_throttle(e, v->live, fp);
	if (v->eng == NULL)
		return;
	metric(fp, "events_total", "counter", "Log events by type.");
	for (i = 0; i < NG_EV_TYPE_MAX; i++) {
		snprintf(name, sizeof(name), "%s", ng_event_type_name(
		    (uint8_t)i));
		for (p = name; *p; p++)
			*p = *p == ' ' ? '_' : (char)(*p | 0x20);
		fprintf(fp, "nfq_gate_events_total{event=\"%s\"} %llu\n",
		    name, (unsigned long long)v->eng->events[i]);
	}
	metric(fp, "unverified_total", "counter",
	    "Client segments not believed (no real peer sent them), by reason.");
	for (i = 0; i < NG_UV_MAX; i++)
		fprintf(fp, "nfq_gate_unverified_total{reason=\"%s\"} %llu\n",
		    ng_unverified_name(i),
		    (unsigned long long)v->eng->unverified[i]);
	one(fp, "unverified_dropped_total", "counter",
	    "Of those, dropped (RST and FIN are left to the kernel).",
	    v->eng->unverified_dropped);
	one(fp, "malformed_total", "counter",
	    "Packets dropped because they could not be parsed.",
	    malformed_total(v->eng));
	one(fp, "fragments_total", "counter", "IP fragments dropped.",
	    v->eng->fragments);
}

/* prom_redis - the shared state's counters in Prometheus text form. */
static void
prom_redis(const struct ng_share_counts *r, FILE *fp)
{
	one(fp, "redis_up", "gauge", "1 while the link to the shared state's "
	    "Redis is up.", (uint64_t)r->up);
	one(fp, "redis_sent_total", "counter", "Commands sent to Redis.",
	    r->sent);
	one(fp, "redis_received_total", "counter", "Replies and updates "
	    "received from Redis.", r->received);
	one(fp, "redis_dropped_total", "counter", "Writes to Redis dropped: "
	    "too many waiting, or past 2000 a second of those a forged SYN "
	    "can cause (the entries live on locally).", r->dropped);
	one(fp, "redis_errors_total", "counter", "Redis link failures, error "
	    "replies and bad data.", r->errors);
	one(fp, "redis_reconnects_total", "counter", "Times the link to Redis "
	    "came back.", r->reconnects);
}

/* prom_dns - the DNS lists' resolver counters (daemon/dns.h). */
static void
prom_dns(const struct ng_stats_view *v, FILE *fp)
{
	const struct ng_dns_counters *c = v->dns;

	one(fp, "dns_clients_total", "counter", "Tested clients whose DNS "
	    "lookups were started (forged SYNs too: cached, bounded).",
	    c->clients);
	one(fp, "dns_queries_total", "counter", "DNS queries sent (cache "
	    "misses).", c->queries);
	one(fp, "dns_cache_hits_total", "counter", "DNS lookups the cache "
	    "answered.", c->cache_hits);
	one(fp, "dns_answers_total", "counter", "DNS replies with records.",
	    c->answers);
	one(fp, "dns_negative_total", "counter", "DNS replies NXDOMAIN or "
	    "no data.", c->negative);
	one(fp, "dns_timeouts_total", "counter", "DNS queries timed out.",
	    c->timeouts);
	one(fp, "dns_errors_total", "counter", "DNS failures: SERVFAIL, "
	    "REFUSED, socket errors.", c->errors);
	one(fp, "dns_garbage_total", "counter", "DNS replies that did not "
	    "parse.", c->garbage);
	one(fp, "dns_truncated_total", "counter", "DNS replies with the TC "
	    "bit.", c->truncated);
	one(fp, "dns_dropped_total", "counter", "DNS lookups not asked: the "
	    "cache full of pending ones.", c->dropped);
	one(fp, "dns_unanswered_total", "counter", "Scores made with DNS "
	    "lookups still unanswered (counted as no answer).",
	    c->unanswered);
	one(fp, "dns_cache_entries", "gauge", "DNS cache entries now.",
	    (uint64_t)v->dns_cache);
}

/* ng_stats_prom - every counter in Prometheus text form. */
void
ng_stats_prom(const struct ng_stats_view *v, FILE *fp)
{
	const struct ng_live_stats *s = v->live;
	unsigned i, d;
	char cc[3];

	metric(fp, "verdicts_total", "counter", "Verdicts sent, by kind.");
	for (i = 0; i < NG_SV_MAX; i++)
		fprintf(fp, "nfq_gate_verdicts_total{verdict=\"%s\"} %llu\n",
		    sv_names[i], (unsigned long long)s->verdicts[i]);
	one(fp, "released_total", "counter", "Held packets released.",
	    s->releases);
	metric(fp, "decisions_total", "counter",
	    "Flow decisions by client country.");
	for (i = 0; i < s->ncc; i++)
		for (d = 1; d < NG_DEC_MAX; d++)
			if (s->cc[i].dec[d] != 0)
				fprintf(fp, "nfq_gate_decisions_total{"
				    "country=\"%s\",decision=\"%s\"} %llu\n",
				    ng_cc_str(s->cc[i].cc, cc),
				    ng_decision_name((uint8_t)d),
				    (unsigned long long)s->cc[i].dec[d]);
	prom_engine(v, fp);
	one(fp, "queue_full_total", "counter",
	    "Times held plus queued packets reached queue_maxlen.",
	    s->queue_full);
	one(fp, "stress", "gauge", "1 while the short greet pause is in force.",
	    (uint64_t)v->stress);
	one(fp, "stress_total", "counter", "Times stress mode began.",
	    s->stress_on);
	if (v->nfq != NULL) {
		one(fp, "enobufs_total", "counter",
		    "Netlink receive overruns.", v->nfq->enobufs);
		one(fp, "failopen_socket_total", "counter",
		    "Packet ids skipped: the kernel could not queue them to "
		    "us and let them through.", v->nfq->id_gaps);
		one(fp, "netlink_errors_total", "counter",
		    "Error replies from the kernel.", v->nfq->nl_errors);
	}
	if (v->ks != NULL) {
		one(fp, "kernel_queue_waiting", "gauge",
		    "Packets waiting for a verdict in the kernel.",
		    v->ks->queue_total);
		one(fp, "kernel_queue_dropped_total", "counter",
		    "Kernel queue_dropped.", v->ks->queue_dropped);
		one(fp, "kernel_user_dropped_total", "counter",
		    "Kernel queue_user_dropped.", v->ks->user_dropped);
	}
	one(fp, "reloads_total", "counter", "Successful SIGHUP reloads.",
	    s->reloads);
	one(fp, "reload_errors_total", "counter", "Failed reloads.",
	    s->reload_errors);
	one(fp, "state_saves_total", "counter", "State files written.",
	    s->state_saves);
	one(fp, "state_save_errors_total", "counter",
	    "State file write failures.", s->state_save_errors);
	one(fp, "reset_loops_total", "counter",
	    "Packets queued again with the reset mark (REJECT rule missing).",
	    s->reset_loops);
	one(fp, "rules_lost_total", "counter",
	    "Times the firewall rules that feed the gate were found gone.",
	    s->rules_lost);
	one(fp, "rules_missing", "gauge",
	    "1 while rules seen earlier are gone (connections unjudged).",
	    s->rules_missing != 0);
	one(fp, "nft_penalty_adds_total", "counter",
	    "Addresses added to the nft penalty set.", s->nft_adds);
	one(fp, "nft_penalty_errors_total", "counter",
	    "Addresses the kernel refused to add to the nft penalty set.",
	    s->nft_errors);
	one(fp, "nft_penalty_timeouts_total", "counter",
	    "Addresses whose nft add was not acknowledged in time.",
	    s->nft_timeouts);
	one(fp, "nft_penalty_dropped_total", "counter",
	    "Addresses not sent to nft because its queue was full.",
	    s->nft_dropped);
	one(fp, "policy_queries_total", "counter",
	    "Policy service requests answered from the tables.",
	    s->policy_queries);
	one(fp, "log_suppressed_total", "counter",
	    "Connection log lines left out over log_rate.",
	    s->log_suppressed);
	if (v->redis != NULL)
		prom_redis(v->redis, fp);
	if (v->dns != NULL)
		prom_dns(v, fp);
	one(fp, "uptime_seconds", "gauge", "Seconds since start.",
	    v->uptime_sec);
}

/*
 * ng_stats_prom_text - the Prometheus text (node_exporter's textfile
 * collector) in memory, for the writer thread to write.
 */
char *
ng_stats_prom_text(const struct ng_stats_view *v, size_t *len)
{
	char *buf = NULL;
	FILE *fp;
	int bad;

	/* Memory only: the loop formats, the writer thread writes. */
	if ((fp = open_memstream(&buf, len)) == NULL)
		return NULL;
	ng_stats_prom(v, fp);
	bad = ferror(fp);
	if (fclose(fp) != 0 || bad) {
		free(buf);
		return NULL;
	}
	return buf;
}

/*
 * ng_stats_prom_save - replace the Prometheus file.  Not synced
 * (NG_ATOMIC_NOSYNC, see atomic_file.h): it is rewritten every
 * stats_interval, so a copy lost to a crash costs one gap in a graph.
 */
int
ng_stats_prom_save(const char *path, const char *text, size_t len,
    char *err, size_t errlen)
{
	return ng_atomic_write(path, text, len, 0644, NG_ATOMIC_NOSYNC, err,
	    errlen);
}
