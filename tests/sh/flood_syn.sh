#!/bin/sh
# flood_syn.sh - a bounded SYN flood while good mail flows.
#
# synflood (tests/bench/synflood.c) sends raw SYNs from random sources
# all over the IPv4 space (tens of thousands of distinct addresses) from
# the client namespace for a few seconds, while swaks delivers several
# mails from the good client.  With flow_max and cache_max small the
# flow table must fill, evict (counted: flows_evicted) and stay bounded,
# so the gate's memory stays bounded too; and a flood must cost no good
# mail: every message is delivered.
#
# The flood's SYNs skip conntrack (raw table, everything but the test
# clients' /24): the kernel's own table is not what is tested here, and
# half a million half-open entries would be the host's business.
#
# Memory bound, from the config: the table of flow_max flows at 146 B
# each (tests/bench/memory.sh) is under flow_max x 1 KiB, three caches
# of cache_max entries are under 3 x cache_max x 256 B, plus 4 MiB for
# netlink buffers and heap slack, over the RSS before the flood.  A
# table growing with the flood (SYNS flows x 146 B) would blow it.

. "$(dirname "$0")/../lib.sh"
. "$NG_ROOT/tests/netns.sh"
ngt_need_live
FLOOD=$NG_BUILD/bench/synflood
[ -x "$FLOOD" ] || skip "$FLOOD not built (make B=... \$B/bench/synflood)"

FLOW_MAX=4096 CACHE_MAX=4096
SYNS=${NG_FLOOD_SYNS:-300000} SECS=5
NMAIL=4

ngt_init
ngt_topology local
ngt_postfix_start
ngt_rules_install --family 4
ngt_in "$NGT_SRV" iptables -w -t raw -A PREROUTING -p tcp --dport 25 \
    ! -s 198.51.100.0/24 -j CT --notrack || fail "raw notrack rule"
ngt_db_build
ngt_gate_conf "stats_interval = 1s" "flow_max = $FLOW_MAX" \
    "cache_max = $CACHE_MAX" "queue_maxlen = 4096"
sed -i "s/^greet_pause = .*/greet_pause = 1s/" "$NGT_CONF"
ngt_gate_start "$NGT_CONF"

# One mail first: the good client is known (PASS OLD in the flood too),
# and the start-up allocations are done before the baseline.
ngt_mail_ok "$NGT_CLI_A4" "$NGT_SRV_A4" warmup
rss0=$(ngt_gate_rss)
bound=$(( rss0 + FLOW_MAX + 3 * CACHE_MAX / 4 + 4096 ))
echo "RSS before the flood ${rss0} kB; bound ${bound} kB"

MAC=$(ip -n "$NGT_SRV" -br link show eth0 | awk '{ print $3 }')
ngt_in "$NGT_CLI" timeout $((SECS + 5)) "$FLOOD" eth0 "$MAC" "$NGT_SRV_A4" \
    25 "$SYNS" "$SECS" >"$NGT_DIR/flood.out" 2>&1 &
fpid=$!
sleep 0.5

# Good mail during the flood: the known client and new ones.
peak=$rss0 maxflows=0
ok=0 i=1
while [ $i -le $NMAIL ]; do
	case $i in
	1|3) src=$NGT_CLI_A4 ;;
	2) src=$NGT_NEW_A4 ;;
	*) src=$NGT_CLI_A6 ;;
	esac
	dst=$NGT_SRV_A4
	case $src in *:*) dst=$NGT_SRV_A6 ;; esac
	( ngt_mail_ok "$src" "$dst" "flood$i" ) && ok=$((ok + 1))
	r=$(ngt_gate_rss); [ "$r" -gt "$peak" ] && peak=$r
	f=$(ngt_prom flows); [ "$f" -gt "$maxflows" ] && maxflows=$f
	i=$((i + 1))
done
# Sample memory until the flood ends.
while kill -0 $fpid 2>/dev/null; do
	r=$(ngt_gate_rss); [ "$r" -gt "$peak" ] && peak=$r
	f=$(ngt_prom flows); [ "$f" -gt "$maxflows" ] && maxflows=$f
	sleep 0.2
done
wait $fpid || { cat "$NGT_DIR/flood.out"; fail "synflood failed"; }
cat "$NGT_DIR/flood.out"
sent=$(sed -n 's/^sent=//p' "$NGT_DIR/flood.out")
[ "${sent:-0}" -ge 20000 ] || fail "the flood sent only ${sent:-0} SYNs"
kill -0 "$NGT_GATE_PID" || fail "the gate died in the flood"
sleep 1.5	# the gate drains the queue; the prom file catches up
r=$(ngt_gate_rss); [ "$r" -gt "$peak" ] && peak=$r

[ "$ok" -eq "$NMAIL" ] || fail "$((NMAIL - ok)) of $NMAIL good mails lost in the flood"
echo "good mail in the flood: $ok of $NMAIL delivered"
grep -E "PREGREET|PENALTY" "$NGT_GATELOG" &&
    fail "a good client was judged a pre-greeting talker in the flood"

ngt_gate_usr1
grep "statistics:" "$NGT_GATELOG" | tail -n 4
pkts=$(ngt_prom packets_total)
flows=$(ngt_prom flows_total)
evicted=$(ngt_prom flows_evicted_total)
now=$(ngt_prom flows)
echo "engine: packets=$pkts flows=$flows evicted=$evicted flows_now=$now max_seen=$maxflows"
echo "RSS: before ${rss0} kB, peak ${peak} kB (+$((peak - rss0)) kB), bound ${bound} kB"
[ "$flows" -gt $((FLOW_MAX * 4)) ] ||
    fail "only $flows flows reached the gate: the flood did not test the table"
[ "$evicted" -gt 0 ] || fail "flow table full but nothing evicted"
[ "$evicted" -ge $((flows - FLOW_MAX - now)) ] 2>/dev/null ||
    echo "(some flows expired rather than evicted)"
[ "$now" -le "$FLOW_MAX" ] || fail "flows_now $now > flow_max $FLOW_MAX"
[ "$maxflows" -le "$FLOW_MAX" ] || fail "flows seen $maxflows > flow_max $FLOW_MAX"
[ "$peak" -le "$bound" ] || fail "RSS ${peak} kB over the bound ${bound} kB"

# After the flood the gate still judges: a bot is reset.
ngt_bot_reset "$NGT_BOT_A4" "$NGT_SRV_A4" "bot after the flood" 4
lines=$(wc -l <"$NGT_GATELOG")
echo "gate log: $lines lines:" $(awk '{ print $2 }' \
    "$NGT_GATELOG" | sort | uniq -c | sort -rn | head -n 4)
# log_rate (default 1000 a second) keeps the flood out of syslog: the
# log stays far below one line per SYN, says what it left out, and the
# good clients' PASS NEW lines are all there.
supp=$(ngt_prom log_suppressed_total)
echo "log lines suppressed: $supp"
[ "$supp" -gt 0 ] || fail "no log line suppressed in the flood"
grep -q "connection log lines suppressed in the last second (log_rate 1000)" \
    "$NGT_GATELOG" || fail "no suppression summary line"
[ "$lines" -lt $((flows / 4)) ] ||
    fail "$lines log lines for $flows flows: the flood reached the log"
# Every PASS NEW the engine counted has its line.  (Whether the new
# client is judged at all in the flood depends on timing: its half-open
# flow may be evicted first, and then it passes untested, fail open.)
pn=$(grep "statistics: packets=" "$NGT_GATELOG" | tail -n 1 |
    sed -n 's/.* pass_new=\([0-9]*\).*/\1/p')
[ -n "$pn" ] && [ "$pn" -ge 1 ] || fail "no pass_new count in the statistics"
[ "$(grep -c "PASS NEW \[" "$NGT_GATELOG")" -eq "$pn" ] ||
    fail "$pn PASS NEW counted, $(grep -c "PASS NEW \[" "$NGT_GATELOG") logged: one was suppressed"
echo "SYN flood test passed"
exit 0
