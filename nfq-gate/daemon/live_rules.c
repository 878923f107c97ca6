/*
 * live_rules.c - the watch on our firewall rules (rulecheck.c): the
 * first look before any packet, the later ones in the writer thread,
 * and what a lost rule means (a counter, or exit under rules_lost = exit).
 *
 * Apart because it is the one job of the loop that crosses into the
 * writer thread and back, and the reset verdict depends on its answer.
 */
#include <string.h>

#include "base/log.h"
#include "daemon/live_impl.h"
#include "daemon/rulecheck.h"

/* rules_run - in the writer thread: one look at the rules */
static int
rules_run(struct ng_job *j)
{
	struct rules_job *r = (struct rules_job *)j;

	r->lost = ng_rulecheck_watch(r->rc);
	r->missing = ng_rulecheck_missing(r->rc);
	r->found = ng_rulecheck_found(r->rc);
	r->nparams = ng_rulecheck_params(r->rc, r->params,
	    NG_RULE_PARAMS_MAX);
	return 0;
}

/* live_rules_result - a finished look, back in the loop */
void
live_rules_result(struct live *l)
{
	if (l->rjob.lost) {
		l->st.rules_lost++;
		if (l->cfg.rules_lost_exit) {
			ng_log(LOG_ERR, "rules_lost = exit: exiting (%d)",
			    EX_RULES);
			l->stop = 3;
		}
	}
	l->st.rules_missing = l->rjob.missing;
	/* A reload may have turned the watch off meanwhile. */
	l->rules_found = l->cfg.rules_check > 0 ? l->rjob.found : 0;
	l->rules_nparams = l->rjob.nparams;
	memcpy(l->rules_params, l->rjob.params, sizeof(l->rules_params));
}

/*
 * live_check_rules - are our firewall rules still there (rulecheck.c)?  The
 * first look is made here, before any packet; the later ones by the
 * writer thread, so that the loop never waits for a dump.
 */
void
live_check_rules(struct live *l, ng_usec now)
{
	/*
	 * A reload may set rules_check = 0; one cannot start the watch.
	 * Unwatched, the reset rule is not relied on (send_verdict drops).
	 */
	if (l->rules == NULL || l->cfg.rules_check == 0)
		l->rules_found = 0;
	if (l->rules == NULL || l->cfg.rules_check == 0 || now < l->next_rules)
		return;
	if (ng_writer_busy(l->w, &l->rjob.job))
		return;		/* the last look is not back yet */
	l->next_rules = now + l->cfg.rules_check;
	if (l->rjob.rc == NULL) {
		l->rjob.rc = l->rules;
		l->rjob.job.run = rules_run;
		rules_run(&l->rjob.job);
		live_rules_result(l);
	} else if (ng_writer_submit(l->w, &l->rjob.job) < 0)
		l->next_rules = now;	/* queue full: at the next turn */
}
