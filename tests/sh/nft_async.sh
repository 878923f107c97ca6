#!/bin/sh
# nft_async.sh - nft penalty updates are asynchronous and matched by
# sequence number, against the real kernel.
#
# The gate's nft_penalty_set names an IPv4 set that exists and an IPv6
# set that does not.  A v4 bot goes into its set; a v6 bot's add is
# refused by the kernel (an error ack, logged and counted); then a good
# v6 client's mail goes through untouched and a second v4 bot still
# lands in the set, so the error ack shifted nothing.  Lost and late
# acks and timeouts, which the kernel cannot be made to produce on
# demand, are in tests/unit/test_nftset.c.

. "$(dirname "$0")/../lib.sh"
. "$NG_ROOT/tests/netns.sh"
ngt_need_live nft

# The topology's good client and bot share 2001:db8:1::/64, and the good
# client must still send after the bot is boxed: box single addresses.
ngt_local_gate "nft_penalty_set = inet ngt pen4 pen6" "penalty_prefix = 32 128"
ngt_in "$NGT_GATE_NS" nft add table inet ngt ||
    skip "nft cannot make a table here"
ngt_in "$NGT_GATE_NS" nft add set inet ngt pen4 \
    '{ type ipv4_addr; flags timeout; }' || fail "nft add set"
ngt_gate_start "$NGT_CONF"

in_set() {	# addr: is it in pen4, with a timeout?
	ngt_in "$NGT_GATE_NS" nft list set inet ngt pen4 | grep -q "$1 timeout"
}
wait_set() {	# addr what
	n=0
	until in_set "$1"; do
		n=$((n + 1))
		[ $n -lt 30 ] || { ngt_in "$NGT_GATE_NS" nft list set inet \
		    ngt pen4; cat "$NGT_GATELOG"; fail "$2: not in pen4"; }
		sleep 0.1
	done
}

ngt_bot_reset "$NGT_BOT_A4" "$NGT_SRV_A4" bot4
wait_set "$NGT_BOT_A4" bot4

ngt_bot_reset "$NGT_BOT_A6" "$NGT_SRV_A6" bot6
ngt_expect_gate "nft penalty set: $NGT_BOT_A6: set pen6: No such file" \
    "bot6: the error ack is not logged"

ngt_mail_ok "$NGT_CLI_A6" "$NGT_SRV_A6" good6
ngt_bot_reset "$NGT_NEW_A4" "$NGT_SRV_A4" bot4-again
wait_set "$NGT_NEW_A4" bot4-again
in_set "$NGT_CLI_A4" && fail "a client that never talked is in the set"

ngt_gate_usr1
grep "statistics: state_saves=" "$NGT_GATELOG" | tail -n 1 |
    grep -q "nft_adds=2 nft_errors=1 nft_timeouts=0 nft_dropped=0" ||
    { grep statistics: "$NGT_GATELOG"; fail "nft counters"; }
kill -0 "$NGT_GATE_PID" || fail "gate died"
ngt_gate_stop
echo "nft async test passed"
exit 0
