#!/bin/sh
# tests/bench/hold.sh - clients held at scale: N polite clients
# (holdclients, one source address each) connect to greetd within the
# greet pause, so the gate holds all their handshake ACKs (hold =
# handshake, the default) or all their greetings (hold = greeting) at
# once, one run each.  Every
# client must get its greeting, and none sooner than the pause (a sooner
# one means the gate failed open).  The baseline is the same clients and
# server with no gate.  The gate's RSS is taken while everything is held,
# against the same gate idle just after start.
#
# NG_BENCH_HOLD        clients (default 50,000)
# NG_BENCH_HOLD_PAUSE  greet pause in seconds (default 20: long enough
#                      for every client to connect before the first
#                      greeting goes out)

. "$(dirname "$0")/bench.sh"

N=${NG_BENCH_HOLD:-50000}
PAUSE=${NG_BENCH_HOLD_PAUSE:-20}
W="clients held at once, no loss, no fail-open (clients greeted)"
W2="gate RSS holding them vs the gate idle"
GOAL="50,000"

[ "$(id -u)" = 0 ] || { na "$W" "needs root for namespaces" "$GOAL"; exit 0; }
have "$BENCH/holdclients" && have "$BENCH/greetd" ||
    { na "$W" "holdclients/greetd not built" "$GOAL"; exit 0; }
have_live || { na "$W" "live gate (nfq-gate -q) not built yet" "$GOAL"; exit 0; }
. "$NG_ROOT/tests/netns.sh"
ngt_init
fail() { na "$W" "$*" "$GOAL"; exit 0; }

# Clients come from 198.18.0.0/15 (RFC 2544 benchmark space, in no
# country): the client namespace treats the block as local (AnyIP) and
# the server routes it back through the client's address, so 50,000
# sources cost no configuration and no neighbour entries.
ngt_topology local
ngt_in "$NGT_CLI" ip route add local 198.18.0.0/15 dev lo || fail "AnyIP route"
ngt_route "$NGT_SRV" 198.18.0.0/15 eth0 "$NGT_CLI_A4"
ngt_in "$NGT_SRV" sysctl -qw net.core.somaxconn=65535 \
    net.ipv4.tcp_max_syn_backlog=65535
ngt_in "$NGT_SRV" "$BENCH/greetd" "$NGT_SRV_A4" 25 $((PAUSE * 3 + 120)) \
    >"$TMP/greetd" 2>&1 &
sleep 0.3

clients() {	# first-address pause -> key=value in $TMP/hc
	ngt_in "$NGT_CLI" "$BENCH/holdclients" "$NGT_SRV_A4" 25 "$1" "$N" \
	    "$2" $((PAUSE + 60)) >"$TMP/hc" || fail "holdclients failed"
	cat "$TMP/hc" >&2
}

# Baseline: no rules, no gate.
clients 198.18.0.1 0
base=$(kv ok <"$TMP/hc")

ngt_rules_install --family 4
db=$(bench_db) || fail "database build failed"
q=$((N + N / 2 + 1024))

# One run with this hold, clients from FIRST on, the gate's state fresh.
held_run() {	# handshake|greeting first-address
	rm -rf "$TMP/state"
	: >"$NGT_GATELOG"
	gate_conf "$db" "hold = $1" "greet_pause = ${PAUSE}s" \
	    "greet_pause_stress = ${PAUSE}s" \
	    "flow_max = $((N * 2))" "cache_max = $((N * 2))" \
	    "queue_maxlen = $q" "flow_halfopen_timeout = $((PAUSE + 30))s" \
	    "stats_interval = 1h"
	ngt_gate_start "$NGT_CONF" -f --no-syslog
	gpid=$(gate_pid) || fail "the gate is not running"
	idle=$(rss_kb "$gpid")

	# Sources none of which is in the (fresh) pass cache; the gate's
	# RSS is sampled once everyone is connected and waiting.
	ngt_in "$NGT_CLI" "$BENCH/holdclients" "$NGT_SRV_A4" 25 "$2" "$N" \
	    "$PAUSE" $((PAUSE + 60)) >"$TMP/hc" &
	hpid=$!
	sleep $((PAUSE * 3 / 4))
	held=$(rss_kb "$gpid")
	kill -USR1 "$gpid"
	wait "$hpid" || fail "holdclients failed"
	sed "s/^/hold = $1: /" "$TMP/hc" >&2
	grep 'statistics:' "$NGT_GATELOG" >&2
	held_now=$(sed -n 's/.*statistics: packets=.* held_now=\([0-9]*\).*/\1/p' \
	    "$NGT_GATELOG" | tail -n 1)
	hwm=$(awk '/^VmHWM:/ { print $2 }' "/proc/$gpid/status")
	gate_stop "$gpid"

	ok=$(kv ok <"$TMP/hc") early=$(kv early <"$TMP/hc")
	lost=$(kv lost <"$TMP/hc") peak=$(kv peak_waiting <"$TMP/hc")
	verdict=$( [ "$ok" -ge 50000 ] && [ "$early" = 0 ] &&
	    [ "$lost" = 0 ] && echo "✓" || echo "✗")
	row "$W, hold = $1: $(human "$N") clients, pause ${PAUSE}s: early $early, lost $lost, peak waiting at once $(human "$peak"), gate held_now ${held_now:-?}" \
	    "$ok" "$base (no gate)" "$(ratio "$ok" "$base")" "$GOAL $verdict"
	row "$W2, hold = $1 ($(human "$peak") waiting; peak RSS $(calc "$hwm / 1024" "%.1f") MB)" \
	    "$(calc "$held / 1024" "%.1f") MB" "$(calc "$idle / 1024" "%.1f") MB" \
	    "$(ratio "$held" "$idle")" "—"
}

# The default first; the greeting hold again on the baseline's sources
# (the gate never saw them).
held_run handshake 198.19.0.1
held_run greeting 198.18.0.1
