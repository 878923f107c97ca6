/*
 * replay.c - nfq-gate -r FILE: what would the gate have done with this
 * capture?
 *
 * The frames of a pcap or pcapng file are stripped to their IP header
 * and fed to the same engine the live gate runs, in file order, with the
 * capture timestamps as the engine's clock.  Greetings the engine holds
 * are released by driving its timers in that virtual time before each
 * packet.  The output is the daemon's log lines (or JSON Lines, one per
 * flow decision with --json), and a summary on stderr.
 *
 * The greet pause defaults to 0 here: a capture taken without a gate
 * already shows when the greeting went out, and holding it again would
 * call real MTAs that answered the greeting they saw pre-greeting
 * talkers.  --greet-pause SEC asks what a longer pause would have done.
 */
#include <errno.h>
#include <getopt.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/duration.h"
#include "conf/config.h"
#include "conf/fpfile.h"
#include "engine/engine.h"
#include "engine/event_format.h"
#include "replay/replay.h"
#include "base/hashkey.h"
#include "replay/linktype.h"
#include "replay/synmap.h"
#include "replay/reader.h"
#include "netdb/netdb.h"
#include "engine/packet.h"

#define EX_USAGE	64
#define EX_CONFIG	78

struct replay {
	const char *file;	/* as given; "-" is stdin */
	const char *name;	/* for messages */
	const char *conf;
	const char *db;
	int json, verbose;
	ng_usec pause;
	struct ng_engine *e;
	struct ng_netdb *ndb;
	struct ng_netdb_view view;
	struct ng_fpdb *fpdb;	/* "fingerprints", or NULL */
	struct ng_synmap *fps;	/* each flow's SYN fingerprint */
	pcap_t *pc;
	int dlt;
	struct ng_reader *rd;	/* reads pc from setup() to run()'s end */
	uint64_t frames, link_status[NG_LINK_STATUS_MAX];
	ng_usec last;		/* latest timestamp seen */
	ng_usec ticked;		/* tick() has done all work due by then */
	int have_ticked;
	struct ng_out out;
	char line[NG_EVENT_LINE_MAX];
};

/* usage - the synopsis, on stderr. */
static void
usage(void)
{
	fprintf(stderr, "usage: nfq-gate -r FILE|- [-c CONF] [--json] "
	    "[--db DB] [--greet-pause SEC] [-v]\n");
}

/*
 * parse_pause - --greet-pause: a duration in the config's grammar
 * ("6", "0.5", "2s", "250ms"), at most an hour.
 */
static int
parse_pause(const char *s, ng_usec *out)
{
	ng_usec v;

	if (ng_parse_duration(s, &v) < 0 || v > NG_SEC(3600))
		return -1;
	*out = v;
	return 0;
}

/* parse_args - the command line into r.  0, or -1 for usage(). */
static int
parse_args(struct replay *r, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "read", required_argument, NULL, 'r' },
		{ "config", required_argument, NULL, 'c' },
		{ "json", no_argument, NULL, 'j' },
		{ "db", required_argument, NULL, 'd' },
		{ "greet-pause", required_argument, NULL, 'p' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	int ch;

	optind = 0;		/* glibc: start afresh (tests call us twice) */
	opterr = 1;
	while ((ch = getopt_long(argc, argv, "r:c:vh", longopts, NULL)) != -1) {
		switch (ch) {
		case 'r': r->file = optarg; break;
		case 'c': r->conf = optarg; break;
		case 'j': r->json = 1; break;
		case 'd': r->db = optarg; break;
		case 'v': r->verbose = 1; break;
		case 'p':
			if (parse_pause(optarg, &r->pause) < 0) {
				fprintf(stderr, "nfq-gate: bad --greet-pause "
				    "\"%s\" (seconds, at most 3600)\n", optarg);
				return -1;
			}
			break;
		default:
			return -1;
		}
	}
	if (optind != argc || r->file == NULL)
		return -1;
	r->name = strcmp(r->file, "-") == 0 ? "stdin" : r->file;
	return 0;
}

/*
 * load_config - the config, with the replay's greet pause, the country
 * data and a hash key.  0, or an exit status.
 */
static int
load_config(struct replay *r, struct ng_config *cfg)
{
	char err[512];
	const char *db;

	if (r->conf != NULL && ng_config_load(cfg, r->conf, err,
	    sizeof(err)) < 0) {
		fprintf(stderr, "nfq-gate: %s\n", err);
		return EX_CONFIG;
	}
	if (cfg->warnings[0] != '\0')	/* "file:line: ..." lines */
		fprintf(stderr, "nfq-gate: warning: %s", cfg->warnings);
	cfg->eng.greet_pause = r->pause;
	cfg->eng.greet_pause_stress = r->pause;
	db = r->db != NULL ? r->db : cfg->database[0] ? cfg->database : NULL;
	if (db != NULL) {
		r->ndb = ng_netdb_open(db, err, sizeof(err));
		if (r->ndb == NULL && r->db != NULL) {
			fprintf(stderr, "nfq-gate: %s\n", err);
			return 1;
		}
		if (r->ndb == NULL)
			fprintf(stderr, "nfq-gate: warning: %s; replaying "
			    "without country data\n", err);
	}
	if (cfg->fingerprints[0] != '\0') {
		r->fpdb = ng_fpfile_load(cfg->fingerprints, err, sizeof(err));
		if (r->fpdb == NULL) {
			fprintf(stderr, "nfq-gate: %s\n", err);
			return EX_CONFIG;
		}
	}
	/* Verdicts never depend on the key: it only spreads the tables. */
	if (ng_hash_key_draw(cfg->eng.hash_key) < 0) {
		fprintf(stderr, "nfq-gate: getrandom: %s\n", strerror(errno));
		return 1;
	}
	return 0;
}

/* new_engine - the engine for the replay.  0, or an exit status. */
static int
new_engine(struct replay *r, const struct ng_config *cfg)
{
	const struct ng_settings *eng = &cfg->eng;
	struct ng_geo geo;
	char err[256];

	r->e = ng_engine_new(eng);
	if (r->e == NULL) {
		fprintf(stderr, "nfq-gate: out of memory\n");
		return 1;
	}
	/* The capture shows what reached the client: see early.c. */
	ng_engine_set_capture(r->e, 1);
	if (r->fpdb != NULL) {
		r->fps = ng_synmap_new();
		if (r->fps == NULL) {
			fprintf(stderr, "nfq-gate: out of memory\n");
			return 1;
		}
		ng_engine_set_fpdb(r->e, r->fpdb);
	}
	if (r->ndb != NULL) {
		/* The owner rules' patterns, run over every owner once. */
		if (ng_netdb_view_init(&r->view, r->ndb, cfg->owner_re,
		    cfg->owner_npat, err, sizeof(err)) < 0) {
			fprintf(stderr, "nfq-gate: %s\n", err);
			return 1;
		}
		geo.lookup = ng_netdb_where;
		geo.owner_name = ng_netdb_owner_name;
		geo.ctx = &r->view;
		ng_engine_set_geo(r->e, &geo);
	}
	return 0;
}

/*
 * open_capture - open the pcap or pcapng file (or stdin) and check its
 * link type.  0, or an exit status.
 */
static int
open_capture(struct replay *r)
{
	char err[PCAP_ERRBUF_SIZE];
	const char *lname;

	err[0] = '\0';
	r->pc = pcap_open_offline(r->file, err);
	if (r->pc == NULL) {
		/* libpcap's message often names the file already */
		if (strncmp(err, r->file, strlen(r->file)) == 0)
			fprintf(stderr, "nfq-gate: %s\n", err);
		else
			fprintf(stderr, "nfq-gate: %s: %s\n", r->name, err);
		return 1;
	}
	r->dlt = pcap_datalink(r->pc);
	if (!ng_link_supported(r->dlt)) {
		lname = pcap_datalink_val_to_name(r->dlt);
		fprintf(stderr, "nfq-gate: %s: unsupported link type %d (%s)\n",
		    r->name, r->dlt, lname != NULL ? lname : "unknown");
		return 1;
	}
	return 0;
}

/*
 * setup - the config, the capture, then the engine: the reader is
 * already at work while the engine sets up its tables.  0, or an exit
 * status.
 */
static int
setup(struct replay *r)
{
	struct ng_config cfg;
	int status;

	ng_config_defaults(&cfg);
	status = load_config(r, &cfg);
	if (status == 0)
		status = open_capture(r);
	if (status == 0 && (r->rd = ng_reader_start(r->pc, r->dlt)) == NULL) {
		fprintf(stderr, "nfq-gate: out of memory\n");
		status = 1;
	}
	if (status == 0)
		status = new_engine(r, &cfg);
	ng_config_free(&cfg);
	return status;
}

/*
 * with_synfp - ev, with its flow's SYN fingerprint (the JSON's fp_sig)
 * when the engine gave it at the SYN and not again at the decision.
 */
static const struct ng_event *
with_synfp(struct replay *r, const struct ng_event *ev)
{
	static struct ng_event copy;

	if (ev->synfp != NULL) {
		ng_synmap_put(r->fps, ev);
		return ev;
	}
	if (ev->fp == NULL || ev->decision == NG_DEC_NONE)
		return ev;
	copy = *ev;
	copy.synfp = ng_synmap_get(r->fps, ev);
	return &copy;
}

/*
 * emit - print the events the engine just handed back: log lines, or JSON
 * Lines (decisions only) with --json.
 */
static void
emit(struct replay *r)
{
	const struct ng_event *ev;
	unsigned i;

	for (i = 0; i < r->out.nev; i++) {
		ev = &r->out.ev[i];
		if (r->fps != NULL)
			ev = with_synfp(r, ev);
		if (r->json) {
			if (ev->decision == NG_DEC_NONE)
				continue;
			ng_event_format_json(ev, r->line, sizeof(r->line));
		} else {
			if (ev->type == NG_EV_CONNECT && !r->verbose)
				continue;
			ng_event_format_line(ev, r->line, sizeof(r->line));
		}
		fputs(r->line, stdout);
		putchar('\n');
	}
}

/*
 * tick - release what the greet pause would have released by now.  Packets
 * often share a timestamp; once a tick at that time has finished, another
 * one has nothing to do.
 */
static void
tick(struct replay *r, ng_usec now)
{
	int more;

	if (r->have_ticked && now == r->ticked)
		return;
	r->have_ticked = 1;
	r->ticked = now;
	do {
		more = ng_engine_tick(r->e, now, &r->out);
		emit(r);
	} while (more);
}

/* feed - one captured frame into the engine, at its capture time. */
static void
feed(struct replay *r, const struct ng_frame *f, uint32_t id)
{
	r->frames++;
	if (f->when > r->last)
		r->last = f->when;
	tick(r, f->when);
	r->link_status[f->status]++;
	if (f->status != NG_LINK_IP)
		return;
	ng_engine_packet(r->e, f->ip, f->caplen, f->wirelen, id, f->when,
	    &r->out);
	emit(r);
}

/*
 * summary - the "summary:" lines on stderr: counts of packets, verdicts,
 * and what was not judged and why.
 */
static void
summary(const struct replay *r)
{
	const struct ng_stats *st = ng_engine_stats(r->e);
	uint64_t bad = 0, bad_link;
	char line[256];
	int i;

	for (i = 0; i < NG_PKT_STATUS_MAX; i++)
		bad += st->malformed[i];
	bad_link = r->link_status[NG_LINK_SHORT] +
	    r->link_status[NG_LINK_TOO_MANY_TAGS];
	fprintf(stderr, "summary: file=%s packets=%llu ip=%llu flows=%llu\n",
	    r->name, (unsigned long long)r->frames,
	    (unsigned long long)st->packets, (unsigned long long)st->flows);
	fprintf(stderr, "summary: verdicts pass=%llu pregreet=%llu drop=%llu "
	    "reject=%llu greylist=%llu log=%llu trap=%llu\n",
	    (unsigned long long)st->decisions[NG_DEC_PASS],
	    (unsigned long long)st->decisions[NG_DEC_PREGREET],
	    (unsigned long long)st->decisions[NG_DEC_DROP],
	    (unsigned long long)st->decisions[NG_DEC_REJECT],
	    (unsigned long long)st->decisions[NG_DEC_GREYLIST],
	    (unsigned long long)st->decisions[NG_DEC_LOG],
	    (unsigned long long)st->decisions[NG_DEC_TRAP]);
	fprintf(stderr, "summary: malformed=%llu truncated=%llu "
	    "bad_ip_version=%llu bad_ip_header=%llu bad_tcp_header=%llu "
	    "short_link_header=%llu too_many_vlan_tags=%llu\n",
	    (unsigned long long)(bad + bad_link),
	    (unsigned long long)st->malformed[NG_PKT_TRUNCATED],
	    (unsigned long long)st->malformed[NG_PKT_BAD_VERSION],
	    (unsigned long long)st->malformed[NG_PKT_BAD_IPHDR],
	    (unsigned long long)st->malformed[NG_PKT_BAD_TCPHDR],
	    (unsigned long long)r->link_status[NG_LINK_SHORT],
	    (unsigned long long)r->link_status[NG_LINK_TOO_MANY_TAGS]);
	fprintf(stderr, "summary: %s\n",
	    ng_unverified_format(line, sizeof(line), st));
	fprintf(stderr, "summary: not_tcp_or_other_port=%llu not_ip=%llu "
	    "fragments=%llu midstream=%llu\n",
	    (unsigned long long)st->not_tcp,
	    (unsigned long long)r->link_status[NG_LINK_NOT_IP],
	    (unsigned long long)st->fragments,
	    (unsigned long long)st->midstream);
	fprintf(stderr, "summary: tables flows_evicted=%llu greylist_full=%llu\n",
	    (unsigned long long)st->flows_evicted,
	    (unsigned long long)st->greylist_full);
	fprintf(stderr, "summary: trap syns=%llu hits=%llu penalised=%llu "
	    "excused=%llu unsure=%llu\n", (unsigned long long)st->trap_syns,
	    (unsigned long long)st->trap_hits,
	    (unsigned long long)st->trap_penalised,
	    (unsigned long long)st->trap_excused,
	    (unsigned long long)st->trap_unsure);
	fprintf(stderr, "summary: throttle syn=%llu handshake=%llu "
	    "counted=%llu ended=%llu full=%llu aged=%llu\n",
	    (unsigned long long)st->throttle_syn,
	    (unsigned long long)st->throttle_handshake,
	    (unsigned long long)st->throttle_counted,
	    (unsigned long long)st->throttle_ended,
	    (unsigned long long)st->throttle_full,
	    (unsigned long long)st->throttle_aged);
}

/*
 * run - every frame of the capture, then the timers past the last one.  0,
 * or 1 after a read or write error.
 */
static int
run(struct replay *r)
{
	char err[PCAP_ERRBUF_SIZE];
	struct ng_frames fr;
	uint32_t id = 0;
	unsigned i;
	int rc, status = 0;

	while (ng_reader_next(r->rd, &fr))
		for (i = 0; i < fr.n; i++)
			feed(r, &fr.f[i], ++id);
	rc = ng_reader_end(r->rd, err, sizeof(err));
	r->rd = NULL;
	if (rc == PCAP_ERROR) {
		fflush(stdout);
		fprintf(stderr, "nfq-gate: %s: %s\n", r->name, err);
		status = 1;
	}
	/* Whatever is still held would have gone out after the pause. */
	tick(r, r->last + r->pause + NG_SEC(1));
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "nfq-gate: stdout: write error\n");
		status = 1;
	}
	summary(r);
	return status;
}

/* ng_replay_main - nfq-gate -r: the exit status. */
int
ng_replay_main(int argc, char **argv)
{
	static char obuf[1 << 16];
	static int buffered;
	struct replay *r;
	int status;

	r = calloc(1, sizeof(*r));
	if (r == NULL) {
		fprintf(stderr, "nfq-gate: out of memory\n");
		return 1;
	}
	if (parse_args(r, argc, argv) < 0) {
		usage();
		free(r);
		return EX_USAGE;
	}
	if (!buffered++)	/* only before the first output */
		setvbuf(stdout, obuf, _IOFBF, sizeof(obuf));
	status = setup(r);
	if (status == 0)
		status = run(r);
	if (r->rd != NULL)	/* setup failed after the reader started */
		(void)ng_reader_end(r->rd, NULL, 0);
	if (r->pc != NULL)
		pcap_close(r->pc);
	ng_engine_free(r->e);
	ng_fpdb_free(r->fpdb);
	ng_synmap_free(r->fps);
	ng_netdb_view_free(&r->view);
	if (r->ndb != NULL)
		ng_netdb_close(r->ndb);
	free(r);
	fflush(stdout);
	return status;
}
