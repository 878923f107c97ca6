#!/bin/sh
# live_trap.sh - the trap MX live, one gate, in front of a real Postfix
# that listens on the real MX address and on the trap address alike.
#
# For each family: a client goes to the trap first (swaks): it is reset
# before any greeting, the gate logs "TRAP ...: penalised", and its next
# SYN to the real MX is refused (PENALTY).  Another client delivers a
# mail through the real MX, then reaches the trap: reset too, "excused,
# contact Ns ago", and its next mail through the real MX goes through
# (PASS OLD).  With hold = handshake, Postfix never accepts a trap
# connection: no "connect from" for the trapped client, one per real
# session for the other, and no half-open request left behind at the
# trap once the server's SYN-ACK retransmit was reset.  Then the same
# with hold = greeting for IPv4, and the counters after SIGUSR1.

. "$(dirname "$0")/../lib.sh"
. "$NG_ROOT/tests/netns.sh"
ngt_need_live

TRAP4=203.0.113.30 TRAP6=2001:db8:25::30
# The IPv6 good client outside the bot's /64 (penalty_prefix boxes a
# /64); two more clients for the hold = greeting round.
GOOD6=2001:db8:2::10
GBOT4=198.51.100.13 GCLI4=198.51.100.14

ngt_init
ngt_topology local
ngt_addr "$NGT_SRV" eth0 "$TRAP4/24" "$TRAP6/64"
ngt_addr "$NGT_CLI" eth0 "$GBOT4/24" "$GCLI4/24" "$GOOD6/64"
ngt_route "$NGT_SRV" 2001:db8:2::/64 eth0
ngt_postfix_start \
    "inet_interfaces = $NGT_SRV_A4, [$NGT_SRV_A6], $TRAP4, [$TRAP6]"
ngt_in "$NGT_SRV" ss -Htln | grep -q "$TRAP4:25" ||
    fail "postfix does not listen on the trap address"
ngt_rules_install
ngt_db_build
ngt_gate_conf "trap_mx = $TRAP4, $TRAP6"
ngt_gate_start "$NGT_CONF"

# connects - Postfix's "connect from" lines for an address.
connects() {	# addr
	grep -cE "smtpd\[[0-9]+\]: connect from [^ ]*\[$(ngt_re "$1")\]" \
	    "$NGT_PF/maillog"
}

# trapped - swaks to the trap must fail without a greeting.
trapped() {	# src trap label
	ngt_swaks "$1" "$2" >"$NGT_DIR/swaks-$3" 2>&1 &&
	    fail "$3: swaks got through the trap: $(cat "$NGT_DIR/swaks-$3")"
	grep -q '^<-  220' "$NGT_DIR/swaks-$3" &&
	    fail "$3: a greeting from the trap: $(cat "$NGT_DIR/swaks-$3")"
	echo "$3: $(grep -E '^\*\*\*' "$NGT_DIR/swaks-$3" | head -1)"
}

# no_halfopen - no request from src left in the trap's SYN queue: the
# server's SYN-ACK retransmit (1 s, then 3 s) was reset.
no_halfopen() {	# src trap label
	n=0
	while ngt_in "$NGT_SRV" ss -Htn state syn-recv |
	    grep -qE "$(ngt_re "$2")]?:25 .*$(ngt_re "$1")"; do
		n=$((n + 1))
		[ $n -lt 80 ] || fail "$3: a half-open request stays at the trap"
		sleep 0.1
	done
}

family() {	# bot good srv trap fam
	bot=$1 good=$2 srv=$3 trap=$4 fam=$5
	reb=$(ngt_re "$bot") reg=$(ngt_re "$good") ret=$(ngt_re "$trap")

	# Straight to the trap: reset, penalised, never seen by Postfix.
	trapped "$bot" "$trap" "bot-trap$fam"
	ngt_expect_gate "TRAP \[$reb\]:[0-9]+ to \[$ret\]:25: penalised" \
	    "bot-trap$fam"
	no_halfopen "$bot" "$trap" "bot-trap$fam"
	# Its next SYN to the real MX: refused at once.
	ngt_swaks "$bot" "$srv" >"$NGT_DIR/swaks-bot-mx$fam" 2>&1 &&
	    fail "bot-mx$fam: delivered after the trap"
	ngt_expect_gate "PENALTY \[$reb\]:[0-9]+" "bot-mx$fam"
	[ "$(connects "$bot")" = 0 ] ||
	    fail "bot$fam: Postfix heard of the trapped client"

	# The real MX first, then the trap: excused, and mail still flows.
	ngt_mail_ok "$good" "$srv" "good-mx$fam"
	ngt_expect_gate "PASS NEW \[$reg\]:[0-9]+" "good-mx$fam"
	trapped "$good" "$trap" "good-trap$fam"
	ngt_expect_gate "TRAP \[$reg\]:[0-9]+ to \[$ret\]:25: excused, contact [0-9]+s ago" \
	    "good-trap$fam"
	no_halfopen "$good" "$trap" "good-trap$fam"
	ngt_mail_ok "$good" "$srv" "good-again$fam"
	ngt_expect_gate "PASS OLD \[$reg\]:[0-9]+" "good-again$fam"
	grep -E "PENALTY \[$reg\]" "$NGT_GATELOG" &&
	    fail "good$fam: the excused client was penalised"
	# Two real sessions, and nothing from the trap.
	[ "$(connects "$good")" = 2 ] ||
	    fail "good$fam: $(connects "$good") connects, want 2"
	return 0
}

family "$NGT_BOT_A4" "$NGT_CLI_A4" "$NGT_SRV_A4" "$TRAP4" 4
family "$NGT_BOT_A6" "$GOOD6" "$NGT_SRV_A6" "$TRAP6" 6
grep 'TRAP' "$NGT_GATELOG"
ngt_gate_usr1
ngt_expect_gate "statistics: trap syns=4 hits=4 penalised=2 excused=2 unsure=0" \
    "trap counters"

# hold = greeting: the trap's ACK is reset all the same.
ngt_gate_stop
sed -i 's/^greet_pause = .*/&\nhold = greeting/' "$NGT_CONF"
grep -q '^hold = greeting$' "$NGT_CONF" || fail "hold line"
ngt_gate_start "$NGT_CONF"
family "$GBOT4" "$GCLI4" "$NGT_SRV_A4" "$TRAP4" 4g
echo "all live trap checks passed"
exit 0
