# tests/netns/gate.sh - the gate under test: the firewall rules, the
# country database and the config, starting and stopping the gate,
# waiting for and asserting on log lines, and reading its counters.  Part
# of tests/netns.sh.  The gate runs in $NGT_GATE_NS (the server namespace
# in local mode, the router in gateway mode) and logs to $NGT_GATELOG.
#
# Set-up:
#   ngt_rules_install [ARGS]     tools/nfq-gate-rules install, gate namespace
#   ngt_db_build                 the country database; sets NGT_DB
#   ngt_gate_conf [LINES]        the tests' config (2 s pause, CN dropped);
#                                sets NGT_CONF
#   ngt_conf_nobody              config user = nobody, its files readable
#   ngt_unit_wrap [WRAPPER...]   a $NGT_GATE_WRAP: start it as the unit does
#   ngt_local_gate [LINES]       ngt_init, local topology, Postfix, rules,
#                                database, config: the usual live set-up
#   ngt_state_fault_gate         the state-dir fault tests' set-up; sets SD
# Running it:
#   ngt_gate_start CONF [ARGS]   start it, wait until it is up;
#                                sets NGT_GATE_PID
#   ngt_gate_mountns CMDS LABEL  start it in a mount namespace of its own
#   ngt_gate_stop [S]            SIGTERM, wait for the exit; status in NGT_RC
#   ngt_gate_kill [SIG]          stop it, kill -9 if need be (ngt_cleanup does)
#   ngt_gate_usr1                SIGUSR1, wait for the statistics lines
#   ngt_gate_rss                 its VmRSS in kB
# Logs:
#   ngt_wait_log FILE REGEX [S]  wait up to S s (10) for a line; 1 if none
#   ngt_expect_log FILE REGEX WHAT [S]  the same (5 s), else fail, log shown
#   ngt_expect_gate REGEX WHAT [S]      ngt_expect_log on the gate's log
#   ngt_expect_maillog REGEX WHAT [S]   ngt_expect_log on Postfix's maillog
#   ngt_re ADDR                  an address as a regex fragment, dots literal
#   ngt_gate_events ADDR         its GREYLIST/PASS events for ADDR, "A,B,"
# Counters (the config needs stats_interval):
#   ngt_prom NAME [DIR]          nfq_gate_NAME in DIR/nfq-gate.prom
#                                (DIR: the state_dir)
#   ngt_prom_wait NAME MIN [S]   wait up to S s (5) until it is >= MIN

# The rules of the repo, installed by the repo's own tool, inside the
# gate namespace only.
ngt_rules_install() {	# extra nfq-gate-rules args
	ngt_in "$NGT_GATE_NS" sh "$NG_ROOT/tools/nfq-gate-rules" install \
	    --mode "$NGT_MODE" "$@" || fail "nfq-gate-rules install"
}

# A country database: the full shared whois data when present, else the
# sample that ships with the repo.  Prints nothing; sets NGT_DB.
ngt_db_build() {
	NGT_DB=$NGT_DIR/netblocks.db
	src="$NFQG_SHARED_DATA/geo-whois-asn-country"
	if ls "$src"/*.csv >/dev/null 2>&1; then
		NGT_DB_SRC="$src/*.csv"
		"$GATEDB" build -o "$NGT_DB" "$src"/*.csv \
		    >"$NGT_DIR/db.log" 2>&1
	else
		NGT_DB_SRC="$NG_ROOT/rules/netblocks-sample.csv"
		"$GATEDB" build -o "$NGT_DB" "$NGT_DB_SRC" \
		    >"$NGT_DIR/db.log" 2>&1
	fi || { cat "$NGT_DIR/db.log" >&2; fail "nfq-gate-db build"; }
}

# The gate's config for the tests: short greet pause, CN dropped, state
# in our directory, no privilege drop (there is no nfq-gate user here).
# Extra "key = value" lines as arguments.
ngt_gate_conf() {	# [lines...]
	NGT_CONF=$NGT_DIR/nfq-gate.conf
	mkdir -p "$NGT_DIR/state"
	{
		echo "# written by tests/netns.sh"
		echo "greet_pause = 2s"
		echo "country CN = drop"
		echo "database = $NGT_DB"
		echo "state_dir = $NGT_DIR/state"
		# Our own control socket: the default /run/nfq-gate/ctl.sock
		# is the host's, and gates of parallel runs would share it.
		echo "control_socket = $NGT_DIR/ctl.sock"
		echo "user = root"
		for l; do echo "$l"; done
	} >"$NGT_CONF"
}

# The gate drops root to nobody: its files must be readable then.
ngt_conf_nobody() {
	sed -i 's/^user = root$/user = nobody/' "$NGT_CONF"
	grep -q '^user = nobody$' "$NGT_CONF" || fail "user line not replaced"
	chmod 644 "$NGT_CONF" "$NGT_DB"
}

# How rules/nfq-gate.service starts the gate: never root, user nobody in
# the group postfix, CAP_NET_ADMIN as its only (ambient) capability.  A
# $NGT_GATE_WRAP value; more wrappers may follow.
ngt_unit_wrap() {	# [wrapper...]
	echo "setpriv --reuid=nobody --regid=nogroup --groups=postfix" \
	    "--inh-caps=-all,+net_admin --ambient-caps=-all,+net_admin" \
	    "--bounding-set=-all,+net_admin $*"
}

# The usual live setup: namespaces (local-MTA mode), Postfix, the rules,
# the database and a gate config with these extra lines.
ngt_local_gate() {	# [config lines...]
	ngt_init
	ngt_topology local
	ngt_postfix_start
	ngt_rules_install
	ngt_db_build
	ngt_gate_conf "$@"
}

# The state-dir fault tests' setup: local mode, IPv4 rules, the
# counters every second and a 1 s greet pause.  Sets SD (state_dir).
ngt_state_fault_gate() {
	ngt_topology local
	ngt_postfix_start
	ngt_rules_install --family 4
	ngt_db_build
	ngt_gate_conf "stats_interval = 1s"
	sed -i "s/^greet_pause = .*/greet_pause = 1s/" "$NGT_CONF"
	SD=$NGT_DIR/state
}

# Start the gate in the background in $NGT_GATE_NS; sets NGT_GATE_PID.
ngt_gate_start() {	# conf [extra args]
	conf=$1; shift
	# Not through ngt_in: a function in the background is a subshell,
	# and $! would be the subshell, not the gate.  "ip netns exec"
	# execs the command, so $! is the gate itself (kill -9 must hit it).
	# $NGT_GATE_WRAP (e.g. valgrind and its options) runs in front.
	ip netns exec "$NGT_GATE_NS" $NGT_GATE_WRAP "$GATE" -c "$conf" -q 0 \
	    -f --no-syslog "$@" >>"$NGT_GATELOG" 2>&1 &
	NGT_GATE_PID=$!
	# Bound to the queue when it logs its start line or, failing a line,
	# after a short settle; a dead gate is an error either way.
	n=0
	while [ $n -lt 30 ]; do
		kill -0 "$NGT_GATE_PID" 2>/dev/null ||
		    { cat "$NGT_GATELOG" >&2; fail "nfq-gate exited"; }
		grep -qiE 'start|listen|queue' "$NGT_GATELOG" 2>/dev/null &&
		    break
		n=$((n + 1))
		sleep 0.1
	done
	sleep 0.2
	kill -0 "$NGT_GATE_PID" 2>/dev/null ||
	    { cat "$NGT_GATELOG" >&2; fail "nfq-gate exited"; }
}

# The gate in a private mount namespace of its own (unshare -m), where
# the shell commands $1 run as root first (mounts over state_dir that
# neither the host nor other tests see).  unshare and sh exec, so
# $NGT_GATE_PID is the gate.
ngt_gate_mountns() {	# setup-commands label
	: >"$NGT_GATELOG"
	ip netns exec "$NGT_GATE_NS" unshare -m --propagation private \
	    sh -c "$1 && exec \"\$0\" -c \"\$1\" -q 0 -f --no-syslog" \
	    "$GATE" "$NGT_CONF" >>"$NGT_GATELOG" 2>&1 &
	NGT_GATE_PID=$!
	ngt_wait_log "$NGT_GATELOG" "starting on queue" 5 ||
	    { cat "$NGT_GATELOG" >&2; fail "gate did not start: $2"; }
	kill -0 "$NGT_GATE_PID" || fail "gate died: $2"
}

# SIGTERM, then wait up to S seconds for the exit; its status in $NGT_RC.
ngt_gate_stop() {	# [seconds]
	kill -TERM "$NGT_GATE_PID" || fail "SIGTERM"
	n=0 lim=$(( ${1:-10} * 10 ))
	while kill -0 "$NGT_GATE_PID" 2>/dev/null; do
		n=$((n + 1))
		[ $n -lt $lim ] || { kill -9 "$NGT_GATE_PID";
		    fail "no exit ${1:-10} s after SIGTERM"; }
		sleep 0.1
	done
	wait "$NGT_GATE_PID"
	NGT_RC=$?
	NGT_GATE_PID=
}

# Stop the gate with SIG (TERM), kill -9 after 5 s; nothing if not running.
ngt_gate_kill() {	# [signal]
	[ -n "$NGT_GATE_PID" ] || return 0
	kill -"${1:-TERM}" "$NGT_GATE_PID" 2>/dev/null
	n=0
	while kill -0 "$NGT_GATE_PID" 2>/dev/null; do
		n=$((n + 1))
		[ $n -lt 50 ] || { kill -9 "$NGT_GATE_PID" 2>/dev/null; }
		[ $n -lt 60 ] || break
		sleep 0.1
	done
	wait "$NGT_GATE_PID" 2>/dev/null
	NGT_GATE_PID=
}

# SIGUSR1 to the gate, then wait for its new statistics lines.
ngt_gate_usr1() {
	before=$(grep -c "statistics: queue" "$NGT_GATELOG")
	kill -USR1 "$NGT_GATE_PID" || fail "SIGUSR1"
	n=0
	until [ "$(grep -c "statistics: queue" "$NGT_GATELOG")" -gt "$before" ]; do
		n=$((n + 1))
		[ $n -lt 30 ] || fail "no statistics after SIGUSR1"
		sleep 0.1
	done
}

# The gate's VmRSS in kB.
ngt_gate_rss() {
	awk '/^VmRSS:/ { print $2 }' "/proc/$NGT_GATE_PID/status"
}

# Wait up to S seconds (10) for a line matching REGEX; status 1 if none.
ngt_wait_log() {	# file regex [seconds]
	n=0 lim=$(( ${3:-10} * 10 ))
	until grep -qE "$2" "$1" 2>/dev/null; do
		n=$((n + 1))
		[ $n -lt $lim ] || return 1
		sleep 0.1
	done
}

# Assertions on a log, with the log shown when they fail: a line
# matching REGEX within S seconds (5), else fail with WHAT.
ngt_expect_log() {	# file regex what [seconds]
	ngt_wait_log "$1" "$2" "${4:-5}" && return 0
	echo "--- $1:" >&2
	tail -n 40 "$1" >&2
	fail "$3: no line /$2/ in $(basename "$1")"
}

# ngt_expect_log on the gate's log.
ngt_expect_gate() {	# regex what [seconds]
	ngt_expect_log "$NGT_GATELOG" "$1" "$2" "$3"
}

# ngt_expect_log on the server Postfix's maillog.
ngt_expect_maillog() {	# regex what [seconds]
	ngt_expect_log "$NGT_PF/maillog" "$1" "$2" "$3"
}

# An address as a basic regex fragment: dots literal.
ngt_re() { echo "$1" | sed 's/\./\\./g'; }

# The gate's GREYLIST/PASS events for an address, in order: "A,B,".
ngt_gate_events() {	# addr
	grep -oE "(GREYLIST PASS|GREYLIST|PASS NEW|PASS OLD) \[$(ngt_re "$1")\]" \
	    "$NGT_GATELOG" | sed 's/ \[.*//' | tr '\n' ,
}

# Value of nfq_gate_NAME in DIR/nfq-gate.prom (state_dir; 0 if absent).
ngt_prom() {	# name [dir]
	awk -v m="nfq_gate_$1" '$1 == m { print $2; f = 1 } END { if (!f) print 0 }' \
	    "${2:-$NGT_DIR/state}/nfq-gate.prom" 2>/dev/null
}

# Wait up to S seconds (5) until ngt_prom NAME is >= MIN; status 1 if not.
ngt_prom_wait() {	# name min [seconds]
	n=0 lim=$(( ${3:-5} * 10 ))
	until [ "$(ngt_prom "$1")" -ge "$2" ] 2>/dev/null; do
		n=$((n + 1))
		[ $n -lt $lim ] || return 1
		sleep 0.1
	done
}
