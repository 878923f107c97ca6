#!/bin/sh
# live_bypass.sh - with the rules installed and no gate running, mail
# still flows: the NFQUEUE rule's --queue-bypass is the fail-open path.
# Real Postfix in a namespace, swaks from another, both address families,
# both local-MTA (INPUT/OUTPUT) and gateway (FORWARD) modes.

. "$(dirname "$0")/../lib.sh"
need_root
. "$NG_ROOT/tests/netns.sh"
command -v swaks >/dev/null || skip "swaks not installed"

queued() {	# NFQUEUE rule's packet count in the gate namespace
	ngt_in "$NGT_GATE_NS" "$1" -w -t security -v -x -n -L NFQ_GATE |
	    awk '$3 == "NFQUEUE" { print $1 }'
}

one_mode() {	# local|gateway
	ngt_init
	ngt_topology "$1"
	ngt_postfix_start
	ngt_rules_install
	ngt_swaks "$NGT_CLI_A4" "$NGT_SRV_A4" >"$TMP/swaks4" 2>&1 ||
	    { cat "$TMP/swaks4" >&2; fail "$1: IPv4 mail refused with no gate"; }
	ngt_swaks "$NGT_CLI_A6" "$NGT_SRV_A6" >"$TMP/swaks6" 2>&1 ||
	    { cat "$TMP/swaks6" >&2; fail "$1: IPv6 mail refused with no gate"; }
	# Both mails, not the first of them: the second's line may still be
	# on its way to the log when the first is there.
	i=0
	while n=$(grep -c 'status=sent (delivered to mailbox)' \
	    "$NGT_PF/maillog"); [ "$n" -lt 2 ] && [ $i -lt 100 ]; do
		sleep 0.1; i=$((i + 1))
	done
	[ "$n" -eq 2 ] || { cat "$NGT_PF/maillog" >&2;
	    fail "$1: $n deliveries, want 2"; }
	# The packets really met the queue rule (and were bypassed), not
	# some earlier accept.
	q4=$(queued iptables) q6=$(queued ip6tables)
	echo "$1: delivered 2 mails with no gate; queue-bypassed packets:" \
	    "IPv4 $q4, IPv6 $q6"
	[ "${q4:-0}" -ge 10 ] || fail "$1: only ${q4:-0} IPv4 packets queued"
	[ "${q6:-0}" -ge 10 ] || fail "$1: only ${q6:-0} IPv6 packets queued"
}

# Each mode in a subshell of its own: its EXIT trap tears it down.
( one_mode local ) || exit 1
( one_mode gateway ) || exit 1
exit 0
