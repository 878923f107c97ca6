#!/bin/sh
# rules_check_busy.sh - the rules check survives a dump cut short.
#
# With a large ruleset changed under it, an nf_tables dump ends with
# NLM_F_DUMP_INTR (or the 500 ms receive timeout); the rest of the dump
# used to stay unread on the socket, every later check read those stale
# messages and failed, and the watch went silent for good.  Here: 20,000
# rules in a table of their own, "nft add rule" in a loop for 3 s while
# the gate checks every second, then the gate's rules are flushed: the
# check must have recovered and say RULES LOST.  Bounded: the loop runs
# 3 s, every wait has a limit.
. "$(dirname "$0")/../lib.sh"
. "$NG_ROOT/tests/netns.sh"
ngt_need_live nft

in_gw() { ngt_in "$NGT_GATE_NS" "$@"; }

ngt_init
ngt_topology local
ngt_rules_install --backend iptables-nft --family 4
ngt_db_build
RULES=$NGT_DIR/busy.nft
awk 'BEGIN { print "table inet busy {"; print " chain c {";
    for (i = 0; i < 20000; i++) printf "  tcp dport %d counter accept\n", 1024 + i;
    print " }"; print "}" }' >"$RULES"
in_gw nft -f "$RULES" || fail "loading 20,000 rules"
ngt_gate_conf "rules_check = 1s"
ngt_gate_start "$NGT_CONF"
ngt_expect_gate "rules check: queue 0: found" "first check" 5

# Changes under the dumps, bounded by count and by 3 s.
end=$(( $(date +%s) + 3 )) n=0
while [ "$(date +%s)" -lt $end ] && [ $n -lt 3000 ]; do
	in_gw nft add rule inet busy c tcp dport 9 counter accept
	n=$((n + 1))
done
echo "$n rules added while the gate checked"
grep "rules check:" "$NGT_GATELOG"
sleep 1.5	# a quiet check or two

in_gw iptables-nft -t security -F || fail "flush the gate's rules"
ngt_expect_gate "RULES LOST queue 0: " "the check after the busy spell" 5
grep -c "nf_tables dump" "$NGT_GATELOG" | sed 's/^/dump failures logged: /'
ngt_gate_stop
echo "rules check recovered after a busy spell"
exit 0
