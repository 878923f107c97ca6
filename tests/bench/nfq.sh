#!/bin/sh
# tests/bench/nfq.sh - NFQUEUE throughput under a SYN storm: the gate
# (whole database, a policy with several countries, allow and deny lists,
# the greeting test for everyone else) against nfq_acceptall, a handler
# that accepts everything, on the same queue with the same settings and
# the same storm, alternately, best of three rounds each.
#
# The storm (synflood) comes from a client namespace as raw frames from
# all over the IPv4 space; the server namespace has the repo's rules
# (tools/nfq-gate-rules).  Conntrack is switched off for the storm's
# SYNs (raw table): a million half-open entries would fill the kernel's
# table and measure conntrack, not the handlers; nothing in the storm
# needs a connmark.  Each handler reports the packets it handled.
#
# NG_BENCH_SYNS        SYNs per storm (default 2,000,000)
# NG_BENCH_STORM_SECS  seconds per storm at most (default 6, at least 3)

. "$(dirname "$0")/bench.sh"

SYNS=${NG_BENCH_SYNS:-2000000}
SECS=${NG_BENCH_STORM_SECS:-6}
[ "$SECS" -ge 3 ] || SECS=3
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
db=$(bench_db) || fail "database build failed"
gate_conf "$db" "country CN RU KP = drop" "country IR SY = reject" \
    "country BR IN = greylist" "country US CA DE FR GB JP = test" \
    "default_action = test" "greet_pause = 6s" \
    "allow = 192.0.2.0/24 198.51.100.0/24 2001:db8:1::/48" \
    "deny = 45.0.0.0/8 185.0.0.0/10" "stats_interval = 1h"

# The CPU time (user + system, in clock ticks) process $1 has used.
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat" 2>/dev/null; }

# A storm, sampled while the handler is saturated: the handler's count
# 1 s into the storm and 1 s before its end, over the time between, and
# the CPU time it used meanwhile.  The queue's backlog, drained after the
# storm, is not counted.  $1 is the handler's count function, $2 the
# storm's seed, $3 its pid.  Sets RATE and CPU (µs per packet).
storm() {	# count-fn seed pid
	ip netns exec "$NGT_CLI" "$BENCH/synflood" eth0 "$MAC" "$NGT_SRV_A4" \
	    25 "$SYNS" "$SECS" "$2" >"$TMP/storm" &
	spid=$!
	sleep 1
	t1=$(now)
	k1=$(cpu_ticks "$3") || fail "no CPU time of the handler"
	c1=$($1) || fail "no count from the handler"
	sleep $((SECS - 2))
	t2=$(now)
	k2=$(cpu_ticks "$3") || fail "no CPU time of the handler"
	c2=$($1) || fail "no count from the handler"
	wait "$spid" || fail "synflood failed"
	cat "$TMP/storm" >&2
	RATE=$(calc "($c2 - $c1) / ($t2 - $t1)" "%.0f")
	CPU=$(calc "($k2 - $k1) * 1000000 / $(getconf CLK_TCK) / ($c2 - $c1 + ($c2 == $c1))" "%.3f")
	sleep 1		# let the queue drain
}

gate_count() { gate_packets "$gpid"; }
acceptall_count() {
	n0=$(grep -c verdicts= "$TMP/aa")
	kill -USR1 "$apid" || return 1
	i=0
	while [ "$(grep -c verdicts= "$TMP/aa")" -le "$n0" ]; do
		i=$((i + 1))
		[ $i -lt 50 ] || return 1
		sleep 0.1
	done
	kv verdicts <"$TMP/aa"
}

run_gate() {	# seed
	: >"$NGT_GATELOG"
	ngt_gate_start "$NGT_CONF" -f --no-syslog
	gpid=$(gate_pid) || fail "the gate is not running"
	storm gate_count "$1" "$gpid"
	grep 'statistics:' "$NGT_GATELOG" | tail -n 3 >&2
	gate_stop "$gpid"
}

run_acceptall() {	# seed
	ip netns exec "$NGT_SRV" "$BENCH/nfq_acceptall" 0 $((SECS + 30)) \
	    65536 256 $((64 << 20)) >"$TMP/aa" 2>&1 &
	apid=$!
	sleep 0.3
	storm acceptall_count "$1" "$apid"
	kill -TERM "$apid"
	wait "$apid"
	cat "$TMP/aa" >&2
}

gbest= abest= offered= gcpu= acpu=
for seed in 1 2 3; do
	run_gate $seed
	g=$RATE gbest=$(max "$gbest" "$RATE") gc=$CPU gcpu=$(min "$gcpu" "$CPU")
	offered=$(kv pps <"$TMP/storm")
	run_acceptall $seed
	abest=$(max "$abest" "$RATE") acpu=$(min "$acpu" "$CPU")
	say "round $seed: gate $g/s $gc µs/packet, accept-all $RATE/s $CPU µs/packet"
done
r=$(ratio "$gbest" "$abest")
row "$W ($(human "$SYNS") SYNs or ${SECS} s per storm, offered ~$(human "$offered")/s, $(bench_db_name) db)" \
    "$(human "$gbest")/s" "$(human "$abest")/s" "$r" "$(goal_ge "$r" 0.9 "$GOAL")"
# The right quantity (issue 15): CPU time per queued packet while
# saturated, the lowest of three rounds each; the ratio is accept-all's
# over ours, so 1.0 means the gate costs no more than accepting.
r=$(ratio "$acpu" "$gcpu")
row "CPU per queued packet (user + system, saturated), accept-all / gate" \
    "$gcpu µs" "$acpu µs" "$r" "$(goal_ge "$r" 0.95)"
