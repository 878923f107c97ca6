/*
 * live_reload.c - the configuration and the database, at start and on
 * SIGHUP.
 *
 * Apart because a reload must be all or nothing: the new configuration
 * and database are made whole beside the ones in force and swapped in
 * only when nothing failed; start-up opens the database the same way.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "base/log.h"
#include "daemon/live_impl.h"

/* live_open_db - c's database into *db (NULL: none named); -1 with err. */
int
live_open_db(const struct ng_config *c, struct ng_netdb **db, char *err,
    size_t errlen)
{
	*db = NULL;
	if (c->database[0] == '\0')
		return 0;
	*db = ng_netdb_open(c->database, err, errlen);
	return *db == NULL ? -1 : 0;
}

/*
 * live_new_view - c's owner patterns run over every owner string of db
 * (NULL: none), into v; -1 with err (out of memory).  Built beside the
 * view in force, so a failure keeps the old one.
 */
int
live_new_view(const struct ng_config *c, const struct ng_netdb *db,
    struct ng_netdb_view *v, char *err, size_t errlen)
{
	memset(v, 0, sizeof(*v));
	if (db == NULL)
		return 0;
	return ng_netdb_view_init(v, db, c->owner_re, c->owner_npat, err,
	    errlen);
}

/*
 * live_use_db - the engine's lookups from db and its view v (made by
 * live_new_view, now the live's); NULL: every client "--".
 */
void
live_use_db(struct live *l, struct ng_netdb *db, struct ng_netdb_view *v)
{
	struct ng_geo geo;

	ng_netdb_view_free(&l->view);
	l->view = *v;
	if (db == NULL) {
		ng_engine_set_geo(l->e, NULL);
		return;
	}
	geo.lookup = ng_netdb_where;
	geo.owner_name = ng_netdb_owner_name;
	geo.ctx = &l->view;
	ng_engine_set_geo(l->e, &geo);
}

/*
 * live_log_warnings - the parser's doubts (config.h warnings), one log
 * line each.
 */
void
live_log_warnings(const struct ng_config *c)
{
	const char *w = c->warnings, *nl;

	for (; (nl = strchr(w, '\n')) != NULL; w = nl + 1)
		ng_log(LOG_WARNING, "configuration: %.*s", (int)(nl - w), w);
}

/*
 * live_reload - SIGHUP: build the new config and open the new database
 * completely before touching the ones in force; any failure keeps the old
 * ones.
 */
void
live_reload(struct live *l)
{
	struct ng_config c;
	struct ng_netdb *db;
	struct ng_netdb_view v;
	char err[1024];

	ng_config_defaults(&c);
	/* nfq-gate-ctl status and reload tell the last one's end. */
	l->reload_wall = time(NULL);
	l->reload_failed = 1;
	snprintf(l->reload_err, sizeof(l->reload_err), "out of memory");
	if (ng_config_load(&c, l->conf_path, err, sizeof(err)) < 0 ||
	    live_open_db(&c, &db, err, sizeof(err)) < 0) {
		ng_log(LOG_ERR, "reload failed, old configuration kept: %s",
		    err);
		snprintf(l->reload_err, sizeof(l->reload_err), "%.*s",
		    (int)sizeof(l->reload_err) - 1, err);
		ng_config_free(&c);
		l->st.reload_errors++;
		return;
	}
	if (live_new_view(&c, db, &v, err, sizeof(err)) < 0) {
		ng_log(LOG_ERR, "reload failed, old configuration kept: %s",
		    err);
		snprintf(l->reload_err, sizeof(l->reload_err), "%.*s",
		    (int)sizeof(l->reload_err) - 1, err);
		ng_netdb_close(db);
		ng_config_free(&c);
		l->st.reload_errors++;
		return;
	}
	live_share_settings(&c);
	if (live_dns_reload(l, &c, err, sizeof(err)) < 0 ||
	    live_load_fp(l, &c) < 0) {
		ng_netdb_view_free(&v);
		ng_log(LOG_ERR, "reload failed, old configuration kept: dns: "
		    "%s", err);
		ng_netdb_close(db);
		ng_config_free(&c);
		l->st.reload_errors++;
		return;
	}
	if (ng_engine_set_config(l->e, &c.eng) < 0) {
		ng_netdb_view_free(&v);
		ng_log(LOG_ERR, "reload failed, old configuration kept: "
		    "out of memory");
		ng_netdb_close(db);
		ng_config_free(&c);
		l->st.reload_errors++;
		return;
	}
	live_use_db(l, db, &v);
	live_ct_events_update(l);	/* throttle limits set or gone */
	ng_netdb_close(l->db);
	l->db = db;
	live_log_warnings(&c);
	if (ng_config_restart_keys(&l->cfg, &c, err, sizeof(err)) > 0)
		ng_log(LOG_WARNING, "reload: %s changed: kept the running "
		    "values, restart the gate to apply", err);
	ng_config_keep_restart(&c, &l->cfg);
	live_share_reload(l, &c);
	if (c.queue_maxlen != l->cfg.queue_maxlen &&
	    ng_nfq_set_maxlen(l->q, c.queue_maxlen) < 0)
		ng_log(LOG_WARNING, "reload: queue_maxlen: %s",
		    strerror(errno));
	ng_config_free(&l->cfg);
	l->cfg = c;
	l->st.reloads++;
	l->reload_failed = 0;
	ng_log(LOG_INFO, "reloaded %s%s%s", l->conf_path,
	    db ? ", database " : "", db ? c.database : "");
}
