#!/bin/sh
# rules_lost.sh - the running gate notices when its firewall rules go.
#
# "systemctl reload nftables" runs "flush ruleset", which takes the
# iptables-nft tables and the reset table with it; "iptables -t security
# -F" empties the gate's chain.  Fail-open hides both: mail flows,
# unjudged.  Here, under a running gate (seccomp on, rules_check = 1s):
# the flush is logged once as RULES LOST, counted in the statistics line
# (SIGUSR1) and the prom file (rules_lost_total, rules_missing), a reinstall is
# logged as "rules back"; with only the reset table gone, what the gate
# would reset it drops (a bot's command never reaches Postfix); and with
# rules_lost = exit the gate exits 75 so
# that systemd restarts it and the unit's ExecStartPre puts the rules
# back.  iptables-nft and iptables-legacy.  And when the reset table
# was never there (rules loaded by hand without nfq-gate-reset.nft), with
# rules_check = 0 or with the check on: the gate drops what it would
# reset instead of sending it back through a hook that would accept it.

. "$(dirname "$0")/../lib.sh"
. "$NG_ROOT/tests/netns.sh"
ngt_need_live nft

in_gw() { ngt_in "$NGT_GATE_NS" "$@"; }

count() { grep -c "$1" "$NGT_GATELOG"; }

bot_refused() {	# label - a bot is judged, its command never read
	out=$(ngt_bot "$NGT_BOT_A4" "$NGT_SRV_A4" 3)
	echo "$1: bot: $out"
	ngt_expect_gate "PREGREET [0-9]+ after [0-9.]+ from \[$(ngt_re "$NGT_BOT_A4")\]" \
	    "$1: bot judged"
	sleep 0.5
	grep -E "(pipelining|EHLO).*$(ngt_re "$NGT_BOT_A4")" "$NGT_PF/maillog" &&
	    fail "$1: the bot's command reached Postfix"
	return 0
}

prom() {	# metric -> value
	sed -n "s/^nfq_gate_$1 //p" "$NGT_DIR/state/nfq-gate.prom"
}

one_backend() {	# suffix(-nft|-legacy) what-is-seen what-flushes...
	suf=$1 seen=$2; shift 2
	ngt_init
	ngt_topology local
	ngt_postfix_start
	ngt_rules_install --backend "iptables$suf"
	ngt_db_build
	ngt_gate_conf "rules_check = 1s" "stats_interval = 1s"
	ngt_gate_start "$NGT_CONF"
	ngt_expect_gate "rules check: queue 0: found $seen\$" \
	    "iptables$suf: rules seen at start" 3
	# A good mail while all is well; the gate judged it.
	ngt_mail_ok "$NGT_CLI_A4" "$NGT_SRV_A4" "iptables$suf before"
	ngt_expect_gate "PASS NEW" "iptables$suf before"

	in_gw "$@" || fail "$*"
	ngt_expect_gate "RULES LOST queue 0: .* gone" "iptables$suf: $*" 4
	grep "RULES LOST" "$NGT_GATELOG"
	sleep 2.5
	[ "$(count 'RULES LOST')" = 1 ] ||
	    fail "iptables$suf: RULES LOST logged $(count 'RULES LOST') times"
	kill -USR1 "$NGT_GATE_PID"
	ngt_expect_gate "statistics: .*rules_lost=1 rules_missing=1" \
	    "iptables$suf: statistics line" 3
	[ "$(prom rules_lost_total)" = 1 ] ||
	    fail "iptables$suf: prom rules_lost_total $(prom rules_lost_total)"
	[ "$(prom rules_missing)" = 1 ] ||
	    fail "iptables$suf: prom rules_missing $(prom rules_missing)"
	kill -0 "$NGT_GATE_PID" || fail "rules_lost = log: the gate exited"

	ngt_rules_install --backend "iptables$suf"
	ngt_expect_gate "rules back queue 0" "iptables$suf: reinstall" 4
	# The line above may come from the look that found the first rule
	# back; the count follows at the look after it: ask until it does.
	i=0
	while [ $i -lt 16 ]; do
		kill -USR1 "$NGT_GATE_PID"
		sleep 0.5
		grep -q "statistics: .*rules_lost=1 rules_missing=0" \
		    "$NGT_GATELOG" && break
		i=$((i + 1))
	done
	ngt_expect_gate "statistics: .*rules_lost=1 rules_missing=0" \
	    "iptables$suf: statistics after the reinstall" 1

	# Only the reset table gone: the gate drops what it would reset, so
	# a bot's early command still never reaches Postfix.
	in_gw nft delete table inet nfq_gate || fail "nft delete table"
	ngt_expect_gate "RULES LOST queue 0: reset table inet nfq_gate gone" \
	    "iptables$suf: reset table deleted" 4
	bot_refused "iptables$suf: no reset table"
	ngt_rules_install --backend "iptables$suf"
	ngt_gate_stop

	# rules_lost = exit: a distinct status for systemd to restart on.
	echo "rules_lost = exit" >>"$NGT_CONF"
	: >"$NGT_GATELOG"
	ngt_gate_start "$NGT_CONF"
	ngt_expect_gate "rules check: queue 0: found" "iptables$suf: exit run" 3
	in_gw "$@" || fail "$*"
	n=0
	while kill -0 "$NGT_GATE_PID" 2>/dev/null; do
		n=$((n + 1))
		[ $n -lt 50 ] || fail "iptables$suf: no exit after the flush"
		sleep 0.1
	done
	wait "$NGT_GATE_PID"
	rc=$?
	NGT_GATE_PID=
	echo "iptables$suf: rules_lost = exit: the gate exited $rc"
	[ $rc = 75 ] || fail "iptables$suf: exit status $rc, want 75"
	ngt_expect_gate "rules_lost = exit: exiting \(75\)" "exit line" 1
}

# never_reset rules_check - no reset table from the start: no bot passes
never_reset() {
	ngt_init
	ngt_topology local
	ngt_postfix_start
	ngt_rules_install --backend iptables-nft
	in_gw nft delete table inet nfq_gate || fail "nft delete table"
	ngt_db_build
	ngt_gate_conf "rules_check = $1"
	ngt_gate_start "$NGT_CONF"
	[ "$1" = 0 ] || ngt_expect_gate "rules check: queue 0: found IPv4 queue rule, IPv6 queue rule\$" \
	    "rules_check = $1: no reset table at start" 3
	bot_refused "rules_check = $1, no reset table ever"
	ngt_gate_stop
}

( never_reset 0 ) || exit 1
( never_reset 1s ) || exit 1
( one_backend -nft "IPv4 queue rule, IPv6 queue rule, reset table inet nfq_gate" \
    nft flush ruleset ) || exit 1
command -v iptables-legacy >/dev/null || skip "no iptables-legacy"
# Legacy: the security tables are read with getsockopt; the reset table
# is nft's as always.
( one_backend -legacy "reset table inet nfq_gate, iptables-legacy queue rule, ip6tables-legacy queue rule" \
    sh -c 'iptables-legacy -t security -F && ip6tables-legacy -t security -F'
) || exit 1
echo "all rules-lost checks passed"
exit 0
