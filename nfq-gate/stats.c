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
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "addr.h"
#include "log.h"
#include "stats.h"

static const char *sv_names[NG_SV_MAX] = {
	"accept", "offload", "drop", "reset", "hold"
};

void
ng_stats_verdict(struct ng_live_stats *s, enum ng_stat_verdict v)
{
	if ((unsigned)v < NG_SV_MAX)
		s->verdicts[v]++;
}

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

void
ng_stats_event(struct ng_live_stats *s, const struct ng_event *ev)
{
	struct ng_cc_count *c;

	if (ev->decision == NG_DEC_NONE || ev->decision >= NG_STATS_DEC_MAX)
		return;
	if ((c = cc_slot(s, ev->cc)) != NULL)
		c->dec[ev->decision]++;
}

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
	ng_log(LOG_INFO, "statistics: state_saves=%llu state_save_errors=%llu "
	    "reloads=%llu reload_errors=%llu policy_queries=%llu",
	    (unsigned long long)s->state_saves,
	    (unsigned long long)s->state_save_errors,
	    (unsigned long long)s->reloads,
	    (unsigned long long)s->reload_errors,
	    (unsigned long long)s->policy_queries);
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
		for (d = 1; d < NG_STATS_DEC_MAX; d++)
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

static void
metric(FILE *fp, const char *name, const char *type, const char *help)
{
	fprintf(fp, "# HELP nfq_gate_%s %s\n# TYPE nfq_gate_%s %s\n", name,
	    help, name, type);
}

static void
one(FILE *fp, const char *name, const char *type, const char *help,
    uint64_t val)
{
	metric(fp, name, type, help);
	fprintf(fp, "nfq_gate_%s %llu\n", name, (unsigned long long)val);
}

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
	one(fp, "held_packets", "gauge", "Greeting packets held now.",
	    e->held_now);
	one(fp, "flows_evicted_total", "counter", "Flows evicted, table full.",
	    e->flows_evicted);
	one(fp, "greylist_full_total", "counter", "New senders given the "
	    "greeting test: greylist full of live first tries.",
	    e->greylist_full);
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
}

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
		for (d = 1; d < NG_STATS_DEC_MAX; d++)
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
	one(fp, "nft_penalty_adds_total", "counter",
	    "Addresses added to the nft penalty set.", s->nft_adds);
	one(fp, "policy_queries_total", "counter",
	    "Policy service requests answered from the tables.",
	    s->policy_queries);
	one(fp, "log_suppressed_total", "counter",
	    "Connection log lines left out over log_rate.",
	    s->log_suppressed);
	one(fp, "uptime_seconds", "gauge", "Seconds since start.",
	    v->uptime_sec);
}

int
ng_stats_write_prom(const struct ng_stats_view *v, const char *path)
{
	const char *slash = strrchr(path, '/');
	char tmp[1024];
	FILE *fp;
	int fd, bad;

	/* Beside the file, so the rename is atomic; hidden from *.prom. */
	if (slash == NULL)
		snprintf(tmp, sizeof(tmp), ".%s.%ld", path, (long)getpid());
	else
		snprintf(tmp, sizeof(tmp), "%.*s/.%s.%ld", (int)(slash - path),
		    path, slash + 1, (long)getpid());
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0 || (fp = fdopen(fd, "w")) == NULL) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	ng_stats_prom(v, fp);
	bad = ferror(fp);
	if (fclose(fp) != 0 || bad || rename(tmp, path) < 0) {
		unlink(tmp);
		return -1;
	}
	return 0;
}
