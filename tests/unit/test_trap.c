/*
 * test_trap.c - the trap MX end to end on hand-built packets: a real
 * client at the trap without a contact is penalised, with one excused;
 * forged SYNs and ACKs make nothing; a flooded contacts table fails
 * open; trap_defer leaves the hit pending for the shared state; IPv4
 * and IPv6, both holds, monitor mode, precedence, the log lines.
 */
#include <string.h>

#include "engine/cache.h"
#include "engine/engine.h"
#include "engine/event_format.h"
#include "outev.h"
#include "pktbuild.h"
#include "test.h"

#define MS(x) ((ng_usec)(x) * 1000)

/* One family's addresses: a client, a bot, the real MX and the trap. */
struct fam {
	const char *cli, *bot, *mx, *trap;
	const char *trap_cidr;
};

static const struct fam v4 = {
	"198.51.100.10", "198.51.100.11", "203.0.113.25", "203.0.113.30",
	"203.0.113.30"
};
static const struct fam v6 = {
	"2001:db8:1::10", "2001:db8:1::11", "2001:db8:25::25",
	"2001:db8:25::30", "2001:db8:25::30/128"
};

static struct ng_out out;

/* trap_outcome - the TRAP event's outcome, or 99 with no TRAP event. */
static unsigned
trap_outcome(void)
{
	const struct ng_event *ev = out_event(&out, NG_EV_TRAP);

	return ev != NULL ? ev->trap : 99;
}
static char line[NG_EVENT_LINE_MAX];

/* How the engine is made: hold, and what each test changes. */
static uint8_t hold_mode;
static unsigned contacts_max;
static int defer, monitor;

/* reset_knobs - the defaults for the next engine. */
static void
reset_knobs(uint8_t hold)
{
	hold_mode = hold;
	contacts_max = 100;
	defer = 0;
	monitor = 0;
}

/* engine - trap_mx both families' trap addresses, window 10 minutes. */
static struct ng_engine *
engine(void)
{
	struct ng_settings c;
	struct ng_engine *e;

	ng_settings_defaults(&c);
	c.hold = hold_mode;
	c.greet_pause = NG_SEC(6);
	c.contacts_max = contacts_max;
	c.trap_defer = defer;
	c.monitor = (uint8_t)monitor;
	ng_cidr_list_add_str(&c.trap_mx, v4.trap_cidr);
	ng_cidr_list_add_str(&c.trap_mx, v6.trap_cidr);
	ng_cidr_list_add_str(&c.allow, "192.0.2.0/24");
	e = ng_engine_new(&c);
	ng_settings_free(&c);
	return e;
}

/* cpkt - a client segment from cli:port to srv:25. */
static void
cpkt(struct ng_engine *e, const char *cli, uint16_t port, const char *srv,
    uint8_t fl, uint32_t seq, uint32_t ack, const char *data, uint32_t id,
    ng_usec now)
{
	struct tpkt t = tcp_pkt(cli, port, srv, 25, fl, seq, ack, data);

	ng_engine_packet(e, t.b, t.len, t.len, id, now, &out);
}

/* spkt - a server segment from srv:25 to cli:port. */
static void
spkt(struct ng_engine *e, const char *cli, uint16_t port, const char *srv,
    uint8_t fl, uint32_t seq, uint32_t ack, const char *data, uint32_t id,
    ng_usec now)
{
	struct tpkt t = tcp_pkt(srv, 25, cli, port, fl, seq, ack, data);

	ng_engine_packet(e, t.b, t.len, t.len, id, now, &out);
}

/* syn_synack - SYN (client ISN 1000) and the SYN-ACK (server ISN 5000). */
static void
syn_synack(struct ng_engine *e, const char *cli, uint16_t port,
    const char *srv, ng_usec t)
{
	cpkt(e, cli, port, srv, NG_TH_SYN, 1000, 0, NULL, 1, t);
	spkt(e, cli, port, srv, NG_TH_SYN | NG_TH_ACK, 5000, 1001, NULL, 2, t);
}

/* handshake - the whole handshake; out is the ACK's. */
static void
handshake(struct ng_engine *e, const char *cli, uint16_t port,
    const char *srv, ng_usec t)
{
	syn_synack(e, cli, port, srv, t);
	cpkt(e, cli, port, srv, NG_TH_ACK, 1001, 5001, NULL, 3, t + MS(1));
}

/* trap_line - the TRAP event's log line ("" without one). */
static const char *
trap_line(void)
{
	const struct ng_event *ev = out_event(&out, NG_EV_TRAP);

	line[0] = '\0';
	if (ev != NULL)
		ng_event_format_line(ev, line, sizeof(line));
	return line;
}

/* boxed - the penalty box's count for a, 0 without an entry. */
static unsigned
boxed(struct ng_engine *e, const char *a, ng_usec now)
{
	struct ng_cache_entry *pc = ng_cache_find(ng_engine_penalty_box(e),
	    addr(a), now);

	return pc != NULL ? pc->count : 0;
}

/* each - scenario fn for both families under both holds. */
static void
each(void (*fn)(const struct fam *, uint8_t))
{
	fn(&v4, NG_HOLD_HANDSHAKE);
	fn(&v4, NG_HOLD_GREETING);
	fn(&v6, NG_HOLD_HANDSHAKE);
	fn(&v6, NG_HOLD_GREETING);
}

/*
 * penalised - a client straight to the trap: its SYN goes to the
 * server, its believed ACK is reset (never held) with a TRAP line,
 * the server's SYN-ACK retransmit is reset (its half-open request
 * goes), the address is boxed and its next SYN to the real MX refused.
 */
static void
penalised(const struct fam *f, uint8_t hold)
{
	struct ng_engine *e;
	const struct ng_stats *st;
	const struct ng_event *ev;
	char want[256];
	ng_usec t0 = NG_SEC(1000);

	reset_knobs(hold);
	e = engine();
	st = ng_engine_stats(e);
	cpkt(e, f->bot, 40001, f->trap, NG_TH_SYN, 1000, 0, NULL, 1, t0);
	CHECK_EQ(out.v.action, NG_ACCEPT);
	CHECK_EQ(out.v.test, 1);
	CHECK(out_event(&out, NG_EV_CONNECT) != NULL);
	CHECK_STR(out_event(&out, NG_EV_CONNECT)->reason, "trap");
	CHECK_EQ(st->trap_syns, 1);
	spkt(e, f->bot, 40001, f->trap, NG_TH_SYN | NG_TH_ACK, 5000, 1001,
	    NULL, 2, t0);
	CHECK_EQ(out.v.action, NG_ACCEPT);
	CHECK_EQ(out.nev, 0);
	cpkt(e, f->bot, 40001, f->trap, NG_TH_ACK, 1001, 5001, NULL, 3,
	    t0 + MS(40));
	CHECK_EQ(out.v.action, NG_RESET);
	CHECK_EQ(out.nrel, 0);
	CHECK_EQ(st->held_now, 0);
	ev = out_event(&out, NG_EV_TRAP);
	CHECK(ev != NULL);
	if (ev != NULL) {
		CHECK_EQ(ev->decision, NG_DEC_TRAP);
		CHECK_EQ(ev->trap, NG_TRAP_PENALISED);
		CHECK_EQ(ev->pending, 0);
		CHECK_EQ(ev->after, MS(40));
	}
	snprintf(want, sizeof(want), "TRAP [%s]:40001 to [%s]:25: penalised",
	    f->bot, f->trap);
	CHECK_STR(trap_line(), want);
	CHECK_EQ(st->trap_hits, 1);
	CHECK_EQ(st->trap_penalised, 1);
	CHECK_EQ(boxed(e, f->bot, t0 + NG_SEC(1)), 1);
	CHECK_EQ(ng_engine_next_timer(e), NG_NEVER);
	/* The server's SYN-ACK retransmit: the request is reset. */
	spkt(e, f->bot, 40001, f->trap, NG_TH_SYN | NG_TH_ACK, 5000, 1001,
	    NULL, 4, t0 + NG_SEC(1));
	CHECK_EQ(out.v.action, NG_RESET);
	/* The bot then at the real MX: the penalty box. */
	cpkt(e, f->bot, 40002, f->mx, NG_TH_SYN, 77, 0, NULL, 5,
	    t0 + NG_SEC(2));
	CHECK(out_event(&out, NG_EV_PENALTY) != NULL);
	CHECK_EQ(out.v.action, NG_RESET);
	ng_engine_free(e);
}

/* test_penalised - both families, both holds. */
static void
test_penalised(void)
{
	each(penalised);
}

/*
 * excused - a client that tried the real MX 12 s before is reset at the
 * trap too, but not boxed; the line gives the contact's age.  Its next
 * trap hit, past trap_window without a contact, is penalised.
 */
static void
excused(const struct fam *f, uint8_t hold)
{
	struct ng_engine *e;
	const struct ng_stats *st;
	const struct ng_event *ev;
	char want[256];
	ng_usec t0 = NG_SEC(1000);

	reset_knobs(hold);
	e = engine();
	st = ng_engine_stats(e);
	cpkt(e, f->cli, 40001, f->mx, NG_TH_SYN, 1000, 0, NULL, 1, t0);
	CHECK(out_event(&out, NG_EV_CONNECT) != NULL);
	CHECK_EQ(st->trap_syns, 0);
	CHECK_EQ(ng_cache_count(ng_engine_contacts(e)), 1);
	handshake(e, f->cli, 40002, f->trap, t0 + NG_SEC(12));
	CHECK_EQ(out.v.action, NG_RESET);
	ev = out_event(&out, NG_EV_TRAP);
	CHECK(ev != NULL);
	if (ev != NULL) {
		CHECK_EQ(ev->trap, NG_TRAP_EXCUSED);
		CHECK_EQ(ev->contact_age, NG_SEC(12) + MS(1));
	}
	snprintf(want, sizeof(want), "TRAP [%s]:40002 to [%s]:25: excused, "
	    "contact 12s ago", f->cli, f->trap);
	CHECK_STR(trap_line(), want);
	CHECK_EQ(st->trap_excused, 1);
	CHECK_EQ(st->trap_penalised, 0);
	CHECK_EQ(boxed(e, f->cli, t0 + NG_SEC(13)), 0);
	/* The trap's SYN is no contact: past the window, penalised. */
	handshake(e, f->cli, 40003, f->trap, t0 + NG_SEC(601));
	CHECK_EQ(trap_outcome(),
	    NG_TRAP_PENALISED);
	CHECK_EQ(boxed(e, f->cli, t0 + NG_SEC(602)), 1);
	ng_engine_free(e);
}

/* test_excused - both families, both holds. */
static void
test_excused(void)
{
	each(excused);
}

/*
 * forged_syn - a SYN to the trap forged from a good address: the
 * server's SYN-ACK goes to the real host, which resets it (HANGUP) or
 * stays quiet; the spoofer's guessed ACKs are dropped and counted.
 * Nobody is penalised, nothing is a hit.
 */
static void
forged_syn(const struct fam *f, uint8_t hold)
{
	struct ng_engine *e;
	const struct ng_stats *st;
	ng_usec t0 = NG_SEC(1000);

	reset_knobs(hold);
	e = engine();
	st = ng_engine_stats(e);
	/* The real host resets the SYN-ACK it never asked for. */
	syn_synack(e, f->cli, 40001, f->trap, t0);
	cpkt(e, f->cli, 40001, f->trap, NG_TH_RST, 1001, 0, NULL, 3,
	    t0 + MS(1));
	CHECK(out_event(&out, NG_EV_HANGUP) != NULL);
	CHECK(out_event(&out, NG_EV_TRAP) == NULL);
	/* A firewalled host stays quiet; the spoofer guesses ACKs. */
	syn_synack(e, f->cli, 40002, f->trap, t0 + NG_SEC(1));
	cpkt(e, f->cli, 40002, f->trap, NG_TH_ACK, 1001, 12345, NULL, 4,
	    t0 + NG_SEC(1) + MS(1));
	CHECK_EQ(out.v.action, NG_DROP);
	CHECK_EQ(out.nev, 0);
	cpkt(e, f->cli, 40002, f->trap, NG_TH_ACK | NG_TH_PSH, 1001, 5002,
	    "EHLO x\r\n", 5, t0 + NG_SEC(1) + MS(2));
	CHECK_EQ(out.v.action, NG_DROP);
	CHECK_EQ(out.nev, 0);
	cpkt(e, f->cli, 40002, f->trap, NG_TH_ACK, 71001, 5001, NULL, 6,
	    t0 + NG_SEC(1) + MS(3));
	CHECK_EQ(out.v.action, NG_DROP);
	/* And an ACK before any SYN-ACK. */
	cpkt(e, f->cli, 40003, f->trap, NG_TH_SYN, 1000, 0, NULL, 7,
	    t0 + NG_SEC(2));
	cpkt(e, f->cli, 40003, f->trap, NG_TH_ACK, 1001, 5001, NULL, 8,
	    t0 + NG_SEC(2));
	CHECK_EQ(out.v.action, NG_DROP);
	CHECK_EQ(out.nev, 0);
	CHECK_EQ(st->trap_syns, 3);
	CHECK_EQ(st->trap_hits, 0);
	CHECK_EQ(st->unverified[NG_UV_ACK], 2);
	CHECK_EQ(st->unverified[NG_UV_SEQ], 1);
	CHECK_EQ(st->unverified[NG_UV_HANDSHAKE], 1);
	CHECK_EQ(ng_cache_count(ng_engine_penalty_box(e)), 0);
	ng_engine_free(e);
}

/* test_forged - forged SYNs and ACKs, both families, both holds. */
static void
test_forged(void)
{
	each(forged_syn);
}

/* flood_ip - the i-th forged source of a family. */
static const char *
flood_ip(const struct fam *f, unsigned i)
{
	static char b[64];

	if (f == &v4)
		snprintf(b, sizeof(b), "10.9.%u.%u", i / 250, i % 250 + 1);
	else
		snprintf(b, sizeof(b), "2001:db8:f:%x::1", i + 1);
	return b;
}

/*
 * flooded - forged SYNs to the real MX push live contacts out of a
 * table of 4: for trap_window after the last loss a hit without a
 * contact is not penalised (its contact may have been one of them);
 * after that, it is.
 */
static void
flooded(const struct fam *f, uint8_t hold)
{
	struct ng_engine *e;
	const struct ng_stats *st;
	char want[256];
	ng_usec t0 = NG_SEC(1000);
	unsigned i;

	reset_knobs(hold);
	contacts_max = 4;
	e = engine();
	st = ng_engine_stats(e);
	for (i = 0; i < 10; i++)
		cpkt(e, flood_ip(f, i), 1000 + (uint16_t)i, f->mx, NG_TH_SYN,
		    i, 0, NULL, 1, t0 + MS(i));
	CHECK_EQ(ng_cache_count(ng_engine_contacts(e)), 4);
	CHECK_EQ(ng_cache_evictions(ng_engine_contacts(e)), 6);
	handshake(e, f->bot, 40001, f->trap, t0 + NG_SEC(300));
	CHECK_EQ(out.v.action, NG_RESET);
	snprintf(want, sizeof(want), "TRAP [%s]:40001 to [%s]:25: not "
	    "penalised, contacts table flooded", f->bot, f->trap);
	CHECK_STR(trap_line(), want);
	CHECK_EQ(st->trap_unsure, 1);
	CHECK_EQ(boxed(e, f->bot, t0 + NG_SEC(301)), 0);
	/* The last loss was at t0 + 9 ms: the window ends 600 s later. */
	handshake(e, f->bot, 40002, f->trap, t0 + NG_SEC(600) + MS(8));
	CHECK_EQ(trap_outcome(),
	    NG_TRAP_UNSURE);
	handshake(e, f->bot, 40003, f->trap, t0 + NG_SEC(601));
	CHECK_EQ(trap_outcome(),
	    NG_TRAP_PENALISED);
	CHECK_EQ(boxed(e, f->bot, t0 + NG_SEC(602)), 1);
	CHECK_EQ(st->trap_unsure, 2);
	CHECK_EQ(st->trap_penalised, 1);
	ng_engine_free(e);
}

/* test_flooded - both families, both holds. */
static void
test_flooded(void)
{
	each(flooded);
}

/*
 * deferred - trap_defer: a hit without a contact is reset and pending,
 * nobody boxed; a contact still excuses at once.  The daemon's later
 * ng_engine_trap_penalise() boxes the client and says so.
 */
static void
deferred(const struct fam *f, uint8_t hold)
{
	struct ng_engine *e;
	const struct ng_stats *st;
	const struct ng_event *ev;
	struct ng_flow_key hit;
	char want[256];
	ng_usec t0 = NG_SEC(1000);

	reset_knobs(hold);
	defer = 1;
	e = engine();
	st = ng_engine_stats(e);
	handshake(e, f->bot, 40001, f->trap, t0);
	CHECK_EQ(out.v.action, NG_RESET);
	ev = out_event(&out, NG_EV_TRAP);
	CHECK(ev != NULL);
	if (ev != NULL) {
		CHECK_EQ(ev->trap, NG_TRAP_PENDING);
		CHECK_EQ(ev->pending, 1);
	}
	snprintf(want, sizeof(want), "TRAP [%s]:40001 to [%s]:25: pending, "
	    "asking the shared state", f->bot, f->trap);
	CHECK_STR(trap_line(), want);
	CHECK_EQ(boxed(e, f->bot, t0 + MS(2)), 0);
	CHECK_EQ(st->trap_penalised, 0);
	/* A local contact excuses without asking. */
	cpkt(e, f->cli, 40002, f->mx, NG_TH_SYN, 1, 0, NULL, 1, t0);
	handshake(e, f->cli, 40003, f->trap, t0 + NG_SEC(1));
	CHECK_EQ(trap_outcome(),
	    NG_TRAP_EXCUSED);
	/* The shared state knew no contact either. */
	memset(&hit, 0, sizeof(hit));
	hit.caddr = *addr(f->bot);
	hit.saddr = *addr(f->trap);
	hit.cport = 40001;
	hit.sport = 25;
	ng_engine_trap_penalise(e, &hit, t0 + NG_SEC(1), &out);
	CHECK_EQ(out.nev, 1);
	CHECK_EQ(out.nrel, 0);
	ev = out_event(&out, NG_EV_TRAP);
	CHECK(ev != NULL);
	if (ev != NULL) {
		CHECK_EQ(ev->trap, NG_TRAP_PENALISED);
		CHECK_EQ(ev->pending, 0);
		CHECK_EQ(ev->decision, NG_DEC_NONE);
	}
	snprintf(want, sizeof(want), "TRAP [%s]:40001 to [%s]:25: penalised",
	    f->bot, f->trap);
	CHECK_STR(trap_line(), want);
	CHECK_EQ(st->trap_penalised, 1);
	CHECK_EQ(st->trap_hits, 2);
	CHECK_EQ(boxed(e, f->bot, t0 + NG_SEC(2)), 1);
	cpkt(e, f->bot, 40004, f->mx, NG_TH_SYN, 1, 0, NULL, 1,
	    t0 + NG_SEC(3));
	CHECK(out_event(&out, NG_EV_PENALTY) != NULL);
	ng_engine_free(e);
}

/* test_deferred - both families, both holds. */
static void
test_deferred(void)
{
	each(deferred);
}

/*
 * test_existing_rules - a trap flow still runs the greeting test's
 * rules before its handshake: payload on the ACK is a PREGREET, a FIN
 * on it a HANGUP, and neither is a hit.
 */
static void
test_existing_rules(void)
{
	struct ng_engine *e;
	const struct ng_stats *st;
	ng_usec t0 = NG_SEC(1000);

	reset_knobs(NG_HOLD_HANDSHAKE);
	e = engine();
	st = ng_engine_stats(e);
	syn_synack(e, v4.bot, 40001, v4.trap, t0);
	cpkt(e, v4.bot, 40001, v4.trap, NG_TH_ACK | NG_TH_PSH, 1001, 5001,
	    "EHLO bot\r\n", 3, t0);
	CHECK(out_event(&out, NG_EV_PREGREET) != NULL);
	CHECK(out_event(&out, NG_EV_TRAP) == NULL);
	CHECK_EQ(out.v.action, NG_RESET);
	CHECK_EQ(boxed(e, v4.bot, t0), 1);
	syn_synack(e, v4.cli, 40002, v4.trap, t0);
	cpkt(e, v4.cli, 40002, v4.trap, NG_TH_ACK | NG_TH_FIN, 1001, 5001,
	    NULL, 3, t0);
	CHECK(out_event(&out, NG_EV_HANGUP) != NULL);
	CHECK(out_event(&out, NG_EV_TRAP) == NULL);
	CHECK_EQ(st->trap_hits, 0);
	ng_engine_free(e);
}

/*
 * test_precedence - allow-listed clients are never judged at the trap,
 * boxed ones are refused at the SYN; a client in the pass cache is
 * still judged (and not excused by its pass); a trap address also in
 * nolisting is reset at the SYN.
 */
static void
test_precedence(void)
{
	struct ng_settings c;
	struct ng_engine *e;
	ng_usec t0 = NG_SEC(1000);

	reset_knobs(NG_HOLD_GREETING);
	e = engine();
	cpkt(e, "192.0.2.7", 40001, v4.trap, NG_TH_SYN, 1, 0, NULL, 1, t0);
	CHECK(out_event(&out, NG_EV_ALLOWLISTED) != NULL);
	CHECK_EQ(ng_engine_stats(e)->trap_syns, 0);
	handshake(e, v4.bot, 40002, v4.trap, t0);
	cpkt(e, v4.bot, 40003, v4.trap, NG_TH_SYN, 1, 0, NULL, 1, t0 + 1);
	CHECK(out_event(&out, NG_EV_PENALTY) != NULL);
	/* A pass, then straight to the trap. */
	handshake(e, v4.cli, 40004, v4.mx, t0);
	spkt(e, v4.cli, 40004, v4.mx, NG_TH_ACK | NG_TH_PSH, 5001, 1001,
	    "220 hi\r\n", 4, t0 + MS(2));
	ng_engine_tick(e, t0 + NG_SEC(6), &out);
	cpkt(e, v4.cli, 40004, v4.mx, NG_TH_ACK, 1001, 5009, NULL, 5,
	    t0 + NG_SEC(6));
	CHECK(out_event(&out, NG_EV_PASS_NEW) != NULL);
	cpkt(e, v4.cli, 40005, v4.trap, NG_TH_SYN, 1000, 0, NULL, 1,
	    t0 + NG_SEC(700));
	CHECK(out_event(&out, NG_EV_CONNECT) != NULL);
	CHECK(out_event(&out, NG_EV_PASS_OLD) == NULL);
	spkt(e, v4.cli, 40005, v4.trap, NG_TH_SYN | NG_TH_ACK, 5000, 1001,
	    NULL, 2, t0 + NG_SEC(700));
	cpkt(e, v4.cli, 40005, v4.trap, NG_TH_ACK, 1001, 5001, NULL, 3,
	    t0 + NG_SEC(700));
	CHECK_EQ(trap_outcome(),
	    NG_TRAP_PENALISED);
	ng_engine_free(e);
	/* nolisting first. */
	ng_settings_defaults(&c);
	ng_cidr_list_add_str(&c.trap_mx, v4.trap);
	ng_cidr_list_add_str(&c.nolisting, v4.trap);
	e = ng_engine_new(&c);
	ng_settings_free(&c);
	cpkt(e, v4.bot, 40006, v4.trap, NG_TH_SYN, 1, 0, NULL, 1, t0);
	CHECK(out_event(&out, NG_EV_NOLISTING) != NULL);
	CHECK_EQ(out.v.action, NG_RESET);
	ng_engine_free(e);
}

/*
 * test_monitor - mode = monitor: the hit is logged MONITOR TRAP and
 * boxed (as a PREGREET is), the handshake goes on.
 */
static void
test_monitor(void)
{
	struct ng_engine *e;
	ng_usec t0 = NG_SEC(1000);

	reset_knobs(NG_HOLD_HANDSHAKE);
	monitor = 1;
	e = engine();
	handshake(e, v4.bot, 40001, v4.trap, t0);
	CHECK_EQ(out.v.action, NG_ACCEPT);
	CHECK_EQ(out.v.offload, 1);
	CHECK_STR(trap_line(), "MONITOR TRAP [198.51.100.11]:40001 to "
	    "[203.0.113.30]:25: penalised");
	CHECK_EQ(boxed(e, v4.bot, t0 + NG_SEC(1)), 1);
	spkt(e, v4.bot, 40001, v4.trap, NG_TH_ACK | NG_TH_PSH, 5001, 1001,
	    "220 trap\r\n", 4, t0 + MS(2));
	CHECK_EQ(out.v.action, NG_ACCEPT);
	ng_engine_free(e);
}

/*
 * test_capture - a replay sees the hit at the handshake ACK too, and
 * the greeting the trap MTA sent after it changes nothing.
 */
static void
test_capture(void)
{
	struct ng_engine *e;
	ng_usec t0 = NG_SEC(1000);

	reset_knobs(NG_HOLD_HANDSHAKE);
	e = engine();
	ng_engine_set_capture(e, 1);
	handshake(e, v6.bot, 40001, v6.trap, t0);
	CHECK_EQ(trap_outcome(),
	    NG_TRAP_PENALISED);
	spkt(e, v6.bot, 40001, v6.trap, NG_TH_ACK | NG_TH_PSH, 5001, 1001,
	    "220 trap\r\n", 4, t0 + MS(2));
	CHECK_EQ(out.nev, 0);
	CHECK_EQ(ng_engine_stats(e)->trap_hits, 1);
	ng_engine_free(e);
}

/*
 * test_json - the hit in the replay's JSON: verdict "trap", the outcome
 * as the reason, the contact's age when excused.
 */
static void
test_json(void)
{
	struct ng_engine *e;
	char j[NG_EVENT_LINE_MAX];
	ng_usec t0 = NG_SEC(1000);

	reset_knobs(NG_HOLD_GREETING);
	e = engine();
	cpkt(e, v4.cli, 40001, v4.mx, NG_TH_SYN, 1, 0, NULL, 1, t0);
	handshake(e, v4.cli, 40002, v4.trap, t0 + NG_SEC(3));
	ng_event_format_json(out_event(&out, NG_EV_TRAP), j, sizeof(j));
	CHECK_STR(j, "{\"client\":\"198.51.100.10:40002\",\"server\":"
	    "\"203.0.113.30:25\",\"verdict\":\"trap\",\"country\":null,"
	    "\"reason\":\"excused\",\"after\":0.001000,\"bytes\":0,"
	    "\"first\":null,\"asn\":null,\"owner\":null,\"rule\":null,"
	    "\"contact_age\":3.001000}");
	handshake(e, v4.bot, 40003, v4.trap, t0 + NG_SEC(4));
	ng_event_format_json(out_event(&out, NG_EV_TRAP), j, sizeof(j));
	CHECK(strstr(j, "\"verdict\":\"trap\",\"country\":null,"
	    "\"reason\":\"penalised\"") != NULL);
	CHECK(strstr(j, "contact_age") == NULL);
	CHECK_STR(ng_event_type_name(NG_EV_TRAP), "TRAP");
	CHECK_STR(ng_decision_name(NG_DEC_TRAP), "trap");
	ng_engine_free(e);
}

/*
 * test_off - trap_mx empty: nothing is a trap, no contact is kept; a
 * reload that sets it starts both.
 */
static void
test_off(void)
{
	struct ng_settings c;
	struct ng_engine *e;
	ng_usec t0 = NG_SEC(1000);

	ng_settings_defaults(&c);
	e = ng_engine_new(&c);
	cpkt(e, v4.cli, 40001, v4.mx, NG_TH_SYN, 1, 0, NULL, 1, t0);
	handshake(e, v4.bot, 40002, v4.trap, t0);
	CHECK_EQ(out.v.action, NG_HOLD);	/* the greeting test */
	CHECK_EQ(ng_cache_count(ng_engine_contacts(e)), 0);
	CHECK_EQ(ng_engine_stats(e)->trap_syns, 0);
	ng_cidr_list_add_str(&c.trap_mx, v4.trap);
	CHECK_EQ(ng_engine_set_config(e, &c), 0);
	ng_settings_free(&c);
	cpkt(e, v4.cli, 40003, v4.mx, NG_TH_SYN, 1, 0, NULL, 1, t0 + 1);
	CHECK_EQ(ng_cache_count(ng_engine_contacts(e)), 1);
	handshake(e, v4.cli, 40004, v4.trap, t0 + 2);
	CHECK_EQ(trap_outcome(),
	    NG_TRAP_EXCUSED);
	ng_engine_free(e);
}

/* main - every test. */
int
main(void)
{
	RUN(test_penalised);
	RUN(test_excused);
	RUN(test_forged);
	RUN(test_flooded);
	RUN(test_deferred);
	RUN(test_existing_rules);
	RUN(test_precedence);
	RUN(test_monitor);
	RUN(test_capture);
	RUN(test_json);
	RUN(test_off);
	return test_done();
}
