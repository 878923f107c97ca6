#!/bin/sh
# rules_reset.sh - the reset rule does what the gate relies on, with no
# gate at all: a port-25 packet carrying mark_reset (0x200) is answered
# with a TCP reset to its sender.  On the server's greeting that must
# reset the MTA's own socket (Postfix logs "lost connection after CONNECT"
# and commands=0/0 at once, not after its timeout); on a client's packet
# it must reset the client.  The mark is set here by a mangle rule, as
# the gate sets it on the packet it re-injects with NF_REPEAT.  Local-MTA
# mode (REJECT in OUTPUT and INPUT) and gateway mode (FORWARD), both
# families, against a real Postfix.

. "$(dirname "$0")/../lib.sh"
need_root
. "$NG_ROOT/tests/netns.sh"
command -v postfix >/dev/null || skip "postfix not installed"

mark() {	# chain match...: set the reset mark in mangle, both families
	ch=$1; shift
	for ipt in iptables ip6tables; do
		ngt_in "$NGT_GATE_NS" $ipt -w -t mangle -A "$ch" -p tcp "$@" \
		    -j MARK --set-xmark 0x200/0x200 || fail "$ipt mangle"
	done
}

unmark() {
	for ipt in iptables ip6tables; do
		ngt_in "$NGT_GATE_NS" $ipt -w -t mangle -F
	done
}

one_mode() {	# local|gateway
	ngt_init
	ngt_topology "$1"
	ngt_postfix_start
	ngt_rules_install
	if [ "$1" = local ]; then in=INPUT out=OUTPUT; else in=FORWARD out=FORWARD; fi

	# The greeting (the server's first data, PSH) carries the mark: the
	# MTA is reset; the client, which only waits, hears nothing.
	mark "$out" --sport 25 --tcp-flags PSH PSH
	for pair in "$NGT_CLI_A4 $NGT_SRV_A4" "$NGT_CLI_A6 $NGT_SRV_A6"; do
		set -- $pair
		t0=$(ngt_ms)
		out=$(ngt_in "$NGT_CLI" python3 "$NG_ROOT/tests/helpers/bot.py" \
		    --payload "" --wait 1 --source "$1" "$2" 25)
		echo "$NGT_MODE greeting reset, client $1: $out"
		case $out in *greeting=yes*) fail "$1 got the greeting" ;; esac
		ngt_expect_maillog \
		    "lost connection after CONNECT from [^ ]*\[$(ngt_re "$1")\]" \
		    "$NGT_MODE: MTA reset for $1" 3
		ngt_expect_maillog \
		    "disconnect from [^ ]*\[$(ngt_re "$1")\] commands=0/0" \
		    "$NGT_MODE: commands=0/0 for $1" 3
		# Well before smtpd_timeout (20 s): the reset, not a timeout.
		[ $(( $(ngt_ms) - t0 )) -lt 8000 ] || fail "reset too slow"
	done
	unmark

	# The client's first data carries the mark: the client is reset.
	mark "$in" --dport 25 --tcp-flags PSH PSH
	for pair in "$NGT_BOT_A4 $NGT_SRV_A4" "$NGT_BOT_A6 $NGT_SRV_A6"; do
		set -- $pair
		out=$(ngt_in "$NGT_CLI" python3 "$NG_ROOT/tests/helpers/bot.py" \
		    --wait 3 --source "$1" "$2" 25)
		echo "$NGT_MODE client reset, client $1: $out"
		case $out in *result=reset*) ;;
		*) fail "$NGT_MODE: client $1 not reset: $out" ;; esac
	done
	grep -E "improper command pipelining" "$NGT_PF/maillog" &&
	    fail "$NGT_MODE: Postfix received a rejected packet"
	return 0
}

( one_mode local ) || exit 1
( one_mode gateway ) || exit 1
exit 0
