#!/bin/sh
# daemon_reload_keys.sh - the live gate says what a reload cannot change,
# writes the prom file where prom_file says, and exits with the code
# nfq-gate(8) gives for each start failure.
#
#   - a 587 in ports is logged at start as a warning with file and line;
#   - the counters go to prom_file, not to state_dir;
#   - a SIGHUP that changes flow_max, cache_max and policy_socket (and
#     greet_pause, which it may change) logs one warning naming exactly
#     those three and keeps running; one that changes none of them warns
#     of nothing;
#   - an unwritable state_dir or policy socket directory is 73, a config
#     error 78 (which the unit does not restart), a database that cannot
#     be opened 69 (restarted: a fetch may be replacing it), a bad
#     option 64.
. "$(dirname "$0")/../lib.sh"
. "$NG_ROOT/tests/netns.sh"
ngt_need_live

ngt_init
ngt_topology local
ngt_db_build
mkdir -p "$NGT_DIR/textfile"
PROM=$NGT_DIR/textfile/nfq-gate.prom
ngt_gate_conf "stats_interval = 1s" "ports = 25, 587" "prom_file = $PROM"
ngt_gate_start "$NGT_CONF"
ngt_expect_gate "configuration: $NGT_CONF:[0-9]+: ports: 587 is submission" \
    "587 warning"
n=0
until [ -s "$PROM" ]; do
	n=$((n + 1)); [ $n -lt 40 ] || fail "no $PROM"; sleep 0.1
done
grep -q '^nfq_gate_uptime_seconds ' "$PROM" || fail "prom file: $(cat "$PROM")"
[ ! -e "$NGT_DIR/state/nfq-gate.prom" ] || fail "prom file in state_dir too"
ls -a "$NGT_DIR/textfile" | grep -q '^\.nfq-gate\.prom\.' &&
    fail "temporary prom file left: $(ls -a "$NGT_DIR/textfile")"
echo "prom_file: $PROM written"

# A reload with start-only keys changed.
cat >>"$NGT_CONF" <<CONF
flow_max = 1000
cache_max = 500
policy_socket = $NGT_DIR/policy
CONF
sed -i 's/^greet_pause = .*/greet_pause = 1s/' "$NGT_CONF"
kill -HUP "$NGT_GATE_PID"
ngt_expect_gate "reloaded $NGT_CONF" "reload"
ngt_expect_gate "reload: flow_max, cache_max, policy_socket changed: kept the running values, restart the gate to apply" \
    "start-only warning"
[ "$(grep -c 'reload: .* changed' "$NGT_GATELOG")" = 1 ] ||
    fail "more than one warning for one reload"
[ ! -e "$NGT_DIR/policy" ] || fail "a reload made the policy socket"
kill -0 "$NGT_GATE_PID" || fail "gate died on reload"
# A reload that changes nothing start-only says nothing about it.
sed -i '/^flow_max\|^cache_max\|^policy_socket/d' "$NGT_CONF"
kill -HUP "$NGT_GATE_PID"
n=0
until [ "$(grep -c "reloaded $NGT_CONF" "$NGT_GATELOG")" = 2 ]; do
	n=$((n + 1)); [ $n -lt 30 ] || fail "second reload"; sleep 0.1
done
[ "$(grep -c 'reload: .* changed' "$NGT_GATELOG")" = 1 ] ||
    fail "a warning for a reload that changed no start-only key"
echo "reload: one warning naming flow_max, cache_max, policy_socket"
ngt_gate_stop
[ "$NGT_RC" = 0 ] || fail "stop: exit $NGT_RC"

# Exit codes of start failures.
start_rc() {	# want label [config lines]
	want=$1 label=$2; shift 2
	ngt_gate_conf
	for l; do	# replace the test config's line for that key
		sed -i "/^${l%% =*} =/d" "$NGT_CONF"
		echo "$l" >>"$NGT_CONF"
	done
	# Bounded: a gate that starts after all is killed (124).
	ip netns exec "$NGT_GATE_NS" timeout 10 "$GATE" -c "$NGT_CONF" -q 0 \
	    --no-syslog >"$NGT_DIR/rc.log" 2>&1
	rc=$?
	[ "$rc" = "$want" ] ||
	    { cat "$NGT_DIR/rc.log"; fail "$label: exit $rc, want $want"; }
	echo "$label: exit $rc: $(tail -1 "$NGT_DIR/rc.log")"
}
touch "$NGT_DIR/afile"
start_rc 73 "state_dir under a file" "state_dir = $NGT_DIR/afile/state"
start_rc 73 "policy socket in a missing directory" \
    "policy_socket = $NGT_DIR/nodir/policy" "policy_socket_owner = root"
# A database missing for a moment (a fetch replacing it): restarted.
start_rc 69 "database missing" "database = $NGT_DIR/no-such.db"
start_rc 78 "ports = 465" "ports = 465"
grep -q "nfq-gate.conf:[0-9]*: ports: 465 is SMTPS" "$NGT_DIR/rc.log" ||
    fail "465: no file:line"
start_rc 78 "unknown policy_socket_owner" \
    "policy_socket = $NGT_DIR/policy" "policy_socket_owner = no-such-user-ngt"
ip netns exec "$NGT_GATE_NS" timeout 10 "$GATE" -q 0 --bogus >/dev/null 2>&1
rc=$?
[ $rc = 64 ] || fail "bad option: exit $rc, want 64"
echo "bad option: exit 64"
echo "daemon_reload_keys: every check passed"
exit 0
