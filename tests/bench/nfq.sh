#!/bin/sh
# tests/bench/nfq.sh - NFQUEUE throughput under a SYN storm: the gate
# (whole database, a policy with several countries, allow and deny lists,
# the greeting test for everyone else) against nfq_acceptall, a handler
# that accepts everything, on the same queue with the same settings and
# the same storm, alternately, best of two rounds each.
#
# The storm (synflood) comes from a client namespace as raw frames from
# all over the IPv4 space; the server namespace has the repo's rules
# (tools/nfq-gate-rules).  Conntrack is switched off for the storm's
# SYNs (raw table): a million half-open entries would fill the kernel's
# table and measure conntrack, not the handlers; nothing in the storm
# needs a connmark.  Each handler reports the packets it handled.
#
# NG_BENCH_SYNS        SYNs per storm (default 2,000,000)
# NG_BENCH_STORM_SECS  seconds per storm at most (default 6)

. "$(dirname "$0")/bench.sh"

SYNS=${NG_BENCH_SYNS:-2000000}
SECS=${NG_BENCH_STORM_SECS:-6}
W="NFQUEUE SYN storm: packets handled/s, gate vs accept-all handler"
GOAL="≥ 0.9"

[ "$(id -u)" = 0 ] || { na "$W" "needs root for namespaces" "$GOAL"; exit 0; }
have "$BENCH/synflood" && have "$BENCH/nfq_acceptall" ||
    { na "$W" "synflood/nfq_acceptall not built" "$GOAL"; exit 0; }
have_live || { na "$W" "live gate (nfq-gate -q) not built yet" "$GOAL"; exit 0; }
. "$NG_ROOT/tests/netns.sh"
ngt_init
fail() { na "$W" "$*" "$GOAL"; exit 0; }	# netns.sh failures become n/a

ngt_topology local
ngt_rules_install --family 4
ngt_in "$NGT_SRV" iptables -t raw -A PREROUTING -p tcp --dport 25 \
    -j CT --notrack || fail "raw notrack rule"
MAC=$(ip -n "$NGT_SRV" -br link show eth0 | awk '{ print $3 }')
NGT_DB=$(bench_db) || fail "database build failed"
ngt_gate_conf "country RU KP = drop" "country IR SY = reject" \
    "country BR IN = greylist" "country US CA DE FR GB JP = test" \
    "default_action = test" "greet_pause = 6s" \
    "allow = 192.0.2.0/24 198.51.100.0/24 2001:db8:1::/48" \
    "deny = 45.0.0.0/8 185.0.0.0/10" "stats_interval = 1h"

storm() {
	ngt_in "$NGT_CLI" "$BENCH/synflood" eth0 "$MAC" "$NGT_SRV_A4" 25 \
	    "$SYNS" "$SECS" "$1" >"$TMP/storm" || fail "synflood failed"
	cat "$TMP/storm" >&2
	sleep 1		# let the queue drain
}

# Each sets RATE, packets handled per second of storm.
run_gate() {	# seed
	: >"$NGT_GATELOG"
	ngt_gate_start "$NGT_CONF" -f --no-syslog
	gpid=$(gate_pid) || fail "the gate is not running"
	p0=$(gate_packets "$gpid") || fail "no statistics from the gate on SIGUSR1"
	storm "$1"
	p1=$(gate_packets "$gpid") || fail "no statistics from the gate on SIGUSR1"
	grep 'statistics:' "$NGT_GATELOG" | tail -n 3 >&2
	gate_stop "$gpid"
	RATE=$(calc "($p1 - $p0) / $(kv secs <"$TMP/storm")" "%.0f")
}

run_acceptall() {	# seed
	ip netns exec "$NGT_SRV" "$BENCH/nfq_acceptall" 0 $((SECS + 30)) \
	    65536 256 $((64 << 20)) >"$TMP/aa" 2>&1 &
	apid=$!
	sleep 0.3
	storm "$1"
	kill -TERM "$apid"
	wait "$apid"
	cat "$TMP/aa" >&2
	RATE=$(calc "$(kv verdicts <"$TMP/aa") / $(kv secs <"$TMP/storm")" "%.0f")
}

gbest= abest= offered=
for seed in 1 2; do
	run_gate $seed
	g=$RATE gbest=$(max "$gbest" "$RATE")
	offered=$(kv pps <"$TMP/storm")
	run_acceptall $seed
	abest=$(max "$abest" "$RATE")
	say "round $seed: gate $g/s, accept-all $RATE/s"
done
r=$(ratio "$gbest" "$abest")
row "$W ($(human "$SYNS") SYNs or ${SECS} s per storm, sent at ~$(human "$offered")/s, $(bench_db_name) db)" \
    "$(human "$gbest")/s" "$(human "$abest")/s" "$r" "$(goal_ge "$r" 0.9 "$GOAL")"
