#!/bin/sh
# rules_firewall.sh - the gate's rules respect the firewall they join.
#
# The admin's own filter rules, the kinds a mail host really has, are put
# in first: "ESTABLISHED,RELATED -j ACCEPT" at the top, a fail2ban chain
# (f2b-postfix, jumped to from the top, REJECT for a banned host), a
# ufw-style user chain (DROP a denied host), a plain "-A ... -s X -j
# DROP" appended, and last an ACCEPT for port 25 (whose verdict the gate's
# queue must not replace, nor hide behind).  Then
# nfq-gate-rules install.  With the gate running and with it stopped,
# each refused host stays refused (Postfix never sees it, nor the gate),
# while a good client still gets PASS NEW after the pause and a bot is
# still reset: the ESTABLISHED rule hides nothing from the gate.  In
# local mode a connection from the host to its own address (loopback) is
# never judged.  Local and gateway mode, both families, iptables-nft and
# iptables-legacy.

. "$(dirname "$0")/../lib.sh"
. "$NG_ROOT/tests/netns.sh"
ngt_need_live

DROP_A4=198.51.100.66 UFW_A4=198.51.100.67 F2B_A4=198.51.100.68
DROP_A6=2001:db8:1::66 UFW_A6=2001:db8:1::67 F2B_A6=2001:db8:1::68

# The admin's rules, in the chain the mail goes through.
admin_rules() {	# iptables-command chain drop ufw f2b icmp-type
	ipt=$1 c=$2
	x() { ngt_in "$NGT_GATE_NS" "$ipt" -w "$@" || fail "$ipt $*"; }
	x -I "$c" 1 -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT
	x -N ufw-user-input
	x -A "$c" -j ufw-user-input
	x -A ufw-user-input -s "$4" -j DROP
	x -N f2b-postfix
	x -A f2b-postfix -j RETURN
	x -I "$c" 1 -p tcp -m multiport --dports 25 -j f2b-postfix
	x -I f2b-postfix 1 -s "$5" -j REJECT --reject-with "$6"
	x -A "$c" -s "$3" -p tcp --dport 25 -j DROP
	x -A "$c" -p tcp --dport 25 -j ACCEPT
}

# A refused host: no handshake, and neither Postfix nor the gate saw it.
refused() {	# src dst label
	out=$(ngt_in "$NGT_CLI" python3 "$NG_ROOT/tests/helpers/bot.py" \
	    --source "$1" --connect-timeout 0.7 --wait 1 "$2" 25)
	echo "$3: $out"
	case $out in
	connect=timeout*|connect=refused*|connect=error*) ;;
	*) fail "$3: $1 got through the admin's ban: $out" ;;
	esac
	grep -E "connect from [^ ]*\[$(ngt_re "$1")\]" "$NGT_PF/maillog" &&
	    fail "$3: Postfix saw $1"
	grep -F "[$1]" "$NGT_GATELOG" && fail "$3: the gate judged $1"
	return 0
}

bans() {	# fam dst label
	if [ "$1" = 4 ]; then set -- "$DROP_A4 $UFW_A4 $F2B_A4" "$2" "$3"
	else set -- "$DROP_A6 $UFW_A6 $F2B_A6" "$2" "$3"; fi
	pids=
	for a in $1; do
		refused "$a" "$2" "$3 ban $a" &
		pids="$pids $!"
	done
	# Each refused() fails on its own; collect their status.
	r=0
	for j in $pids; do wait "$j" || r=1; done
	[ $r = 0 ] || fail "$3: a ban did not hold"
}

fam_addrs() {	# 4|6: good bot new srv
	if [ "$1" = 4 ]; then
		good=$NGT_CLI_A4 bot=$NGT_BOT_A4 new=$NGT_NEW_A4 srv=$NGT_SRV_A4
	else
		good=$NGT_CLI_A6 bot=$NGT_BOT_A6 new=$NGT_NEW_A6 srv=$NGT_SRV_A6
	fi
}

# With the gate running: PASS NEW after the pause, the bot reset, every
# ban holds, and (local mode) the host talking to itself is not judged.
running() {	# fam mode
	fam=$1
	fam_addrs $fam
	ngt_mail_ok "$good" "$srv" "$tag good$fam"
	[ "$MS" -ge 1900 ] || fail "$tag good$fam: ${MS} ms, not held"
	ngt_expect_gate "PASS NEW \[$(ngt_re "$good")\]:" "$tag good$fam"
	ngt_bot_reset "$bot" "$srv" "$tag bot$fam" 3
	ngt_expect_gate "PREGREET [0-9]+ after [0-9.]+ from \[$(ngt_re "$bot")\]" \
	    "$tag bot$fam"
	bans $fam "$srv" "$tag gate running"
	[ "$2" = local ] || return 0
	# The host talking to itself: loopback, never judged.
	out=$(ngt_in "$NGT_SRV" python3 "$NG_ROOT/tests/helpers/bot.py" \
	    --source "$srv" --payload "" --wait 0.5 "$srv" 25)
	echo "$tag self$fam: $out"
	case $out in *greeting=yes*) ;;
	*) fail "$tag self$fam: no greeting at once: $out" ;;
	esac
	# (its address is in every CONNECT line as "to")
	sed 's/ to \[[^]]*\]:25$//' "$NGT_GATELOG" | grep -F "[$srv]:" &&
	    fail "$tag self$fam: the gate judged the host itself"
	return 0
}

# With the gate stopped: the bans still hold, mail flows (bypass).
stopped() {	# fam
	fam_addrs $1
	bans $1 "$srv" "$tag gate stopped"
	ngt_mail_ok "$new" "$srv" "$tag no-gate$1"
}

one_setup() {	# mode suffix(-nft|-legacy)
	ngt_init
	ngt_topology "$1"
	ngt_addr "$NGT_CLI" eth0 $DROP_A4/24 $UFW_A4/24 $F2B_A4/24 \
	    $DROP_A6/64 $UFW_A6/64 $F2B_A6/64
	ngt_postfix_start
	if [ "$1" = local ]; then c=INPUT; else c=FORWARD; fi
	admin_rules "iptables$2" $c $DROP_A4 $UFW_A4 $F2B_A4 \
	    icmp-port-unreachable
	admin_rules "ip6tables$2" $c $DROP_A6 $UFW_A6 $F2B_A6 \
	    icmp6-port-unreachable
	ngt_rules_install --backend "iptables$2"
	ngt_db_build
	ngt_gate_conf
	ngt_gate_start "$NGT_CONF"
	tag="$1 iptables$2"
	# The two families at once (each fails on its own; both awaited).
	running 4 "$1" & p4=$!
	running 6 "$1" & p6=$!
	wait $p4 || fail "$tag: IPv4 checks"
	wait $p6 || fail "$tag: IPv6 checks"
	ngt_gate_stop
	stopped 4 & p4=$!
	stopped 6 & p6=$!
	wait $p4 || fail "$tag: IPv4 checks, gate stopped"
	wait $p6 || fail "$tag: IPv6 checks, gate stopped"
	return 0
}

for suf in -nft -legacy; do
	command -v iptables$suf >/dev/null || { echo "no iptables$suf"; continue; }
	( one_setup local $suf ) || exit 1
	( one_setup gateway $suf ) || exit 1
done
echo "all firewall checks passed"
exit 0
