#!/bin/sh
# tests/bench/nfq.sh - NFQUEUE under a SYN storm (issue 15): the gate
# (whole database, a policy with several countries, allow and deny lists,
# the greeting test for everyone else) against nfq_acceptall, a handler
# that accepts everything, on the same queue with the same settings and
# the same storm, alternately, three rounds each.  Two rows:
#
#   CPU per queued packet: the handler's user + system time (from /proc)
#     over the saturated window, over the packets it handled meanwhile;
#     the lowest of three rounds each.  The ratio is accept-all's over
#     ours, so higher is better and 1.0 means the gate costs no more
#     than accepting.
#   saturated drain rate: packets handled per second over the same
#     window, counted only when the kernel's queue stayed backed up
#     (waiting packets at both ends of the window), so it is the rate the
#     handler empties a full queue at, not the rate the storm offered;
#     the best of the saturated rounds.  Ratio ours / accept-all.
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
# NG_BENCH_PERF        a directory: perf record (cpu-clock, call graphs)
#                      of each handler over each window, for profiling

. "$(dirname "$0")/bench.sh"

SYNS=${NG_BENCH_SYNS:-2000000}
SECS=${NG_BENCH_STORM_SECS:-6}
[ "$SECS" -ge 3 ] || SECS=3
WC="NFQUEUE SYN storm: CPU per queued packet (µs, user + system, saturated, lowest of 3), gate vs accept-all; ratio accept-all / gate, higher is better"
GC="≥ 0.95"
WD="NFQUEUE SYN storm: saturated drain rate (SYN/s, queue backed up, best of 3), gate vs accept-all; ratio gate / accept-all"
GD="≥ 0.95"
SAT=1000	# packets waiting in the kernel's queue: still backed up

nas() {	# reason: both rows n/a
	na "$WC" "$1" "$GC"
	na "$WD" "$1" "$GD"
}
[ "$(id -u)" = 0 ] || { nas "needs root for namespaces"; exit 0; }
have "$BENCH/synflood" && have "$BENCH/nfq_acceptall" ||
    { nas "synflood/nfq_acceptall not built"; exit 0; }
have_live || { nas "live gate (nfq-gate -q) not built yet"; exit 0; }
. "$NG_ROOT/tests/netns.sh"
ngt_init
fail() { nas "$*"; exit 0; }	# netns.sh failures become n/a

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

# Packets waiting in the server's queue 0 (nothing bound: 0).
qwait() {
	ip netns exec "$NGT_SRV" awk '$1 == 0 { w = $3 } END { print w + 0 }' \
	    /proc/net/netfilter/nfnetlink_queue 2>/dev/null || echo 0
}

# A storm, sampled while the handler is saturated: the handler's count
# 1 s into the storm and 1 s before its end, over the time between, and
# the CPU time it used meanwhile.  The queue's backlog, drained after the
# storm, is not counted.  $1 is the handler's count function, $2 the
# storm's seed, $3 its pid.  Sets RATE, CPU (µs per packet) and SATD (1:
# the queue was backed up at both ends of the window).
storm() {	# count-fn seed pid
	ip netns exec "$NGT_CLI" "$BENCH/synflood" eth0 "$MAC" "$NGT_SRV_A4" \
	    25 "$SYNS" "$SECS" "$2" >"$TMP/storm" &
	spid=$!
	sleep 1
	t1=$(now)
	k1=$(cpu_ticks "$3") || fail "no CPU time of the handler"
	c1=$($1) || fail "no count from the handler"
	w1=$(qwait)
	if [ -n "$NG_BENCH_PERF" ]; then
		perf record -q -g -e cpu-clock -p "$3" \
		    -o "$NG_BENCH_PERF/$1.$2.data" -- sleep $((SECS - 2)) \
		    >/dev/null 2>&1
	else
		sleep $((SECS - 2))
	fi
	t2=$(now)
	k2=$(cpu_ticks "$3") || fail "no CPU time of the handler"
	c2=$($1) || fail "no count from the handler"
	w2=$(qwait)
	wait "$spid" || fail "synflood failed"
	cat "$TMP/storm" >&2
	RATE=$(calc "($c2 - $c1) / ($t2 - $t1)" "%.0f")
	CPU=$(calc "($k2 - $k1) * 1000000 / $(getconf CLK_TCK) / ($c2 - $c1 + ($c2 == $c1))" "%.3f")
	SATD=0
	[ "$w1" -ge "$SAT" ] && [ "$w2" -ge "$SAT" ] && SATD=1
	say "window: queue waiting $w1 then $w2 (saturated: $SATD)"
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

gbest= abest= gcpu= acpu= offered=
for seed in 1 2 3; do
	run_gate $seed
	g=$RATE gs=$SATD gc=$CPU gcpu=$(min "$gcpu" "$CPU")
	[ "$SATD" = 1 ] && gbest=$(max "$gbest" "$RATE")
	offered=$(kv pps <"$TMP/storm")
	run_acceptall $seed
	acpu=$(min "$acpu" "$CPU")
	[ "$SATD" = 1 ] && abest=$(max "$abest" "$RATE")
	say "round $seed (offered ~$offered/s): gate $g/s (saturated $gs)" \
	    "$gc µs/packet, accept-all $RATE/s (saturated $SATD) $CPU µs/packet"
done
what="($(human "$SYNS") SYNs or ${SECS} s per storm, $(bench_db_name) db)"
r=$(ratio "$acpu" "$gcpu")
row "$WC $what" "$gcpu µs" "$acpu µs" "$r" "$(goal_ge "$r" 0.95 "$GC")"
if [ -n "$gbest" ] && [ -n "$abest" ]; then
	r=$(ratio "$gbest" "$abest")
	row "$WD $what" "$(human "$gbest")/s" "$(human "$abest")/s" "$r" \
	    "$(goal_ge "$r" 0.95 "$GD")"
else
	na "$WD $what" "the storm never kept the queue backed up for both" "$GD"
fi
