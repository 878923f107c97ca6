# tests/netns/topology.sh - the private internet of the live tests:
# network namespaces, veth links, addresses and routes, and the set-up
# and tear-down around them.  Part of tests/netns.sh, which sources it
# first: the address variables below are used by every other part.
#
# The gate only means something against a real MTA with real TCP stacks,
# so the live tests build a small private internet: a client namespace
# holding the good, bot and Chinese client addresses, a server namespace
# with Postfix on 203.0.113.25 / 2001:db8:25::25, and for gateway mode a
# forwarding namespace in between.  Nothing routes out of it: there is no
# default route and no link to the host.  Names carry our pid so parallel
# runs do not meet, and ngt_cleanup (installed as the EXIT trap by
# ngt_init) removes namespaces, processes and files whatever happens.
#
#   ngt_need_live [CMD...]         skip unless root, gate, swaks, postfix, CMD
#   ngt_init                       names, a fresh $NGT_DIR, traps; call first
#   ngt_topology local|gateway     namespaces, links, addresses, routes
#   ngt_in NS CMD...               run CMD in namespace NS
#   ngt_ns_add NAME                one namespace: no DAD, no rp_filter, lo up
#   ngt_link NS1 IF1 NS2 IF2       a veth pair between two namespaces, both up
#   ngt_addr NS IF ADDR/LEN...     addresses on an interface (IPv6 without DAD)
#   ngt_route NS PREFIX DEV [VIA]  one route, through VIA when given
#   ngt_cleanup                    everything away (the EXIT trap does it)
#
# Variables: NGT_{CLI,BOT,CN,NEW}_A{4,6} (client addresses), NGT_SRV_A{4,6}
# (Postfix's), NGT_DOMAIN; ngt_init sets NGT_CLI, NGT_SRV, NGT_GW (the
# namespace names), NGT_DIR (our files), NGT_PF and NGT_GATELOG;
# ngt_topology sets NGT_MODE and NGT_GATE_NS (where the gate runs).

NGT_CLI_A4=198.51.100.10 NGT_BOT_A4=198.51.100.11 NGT_CN_A4=1.0.1.5
NGT_CLI_A6=2001:db8:1::10 NGT_BOT_A6=2001:db8:1::11 NGT_CN_A6=240e::5
NGT_SRV_A4=203.0.113.25 NGT_SRV_A6=2001:db8:25::25
# A second good client nobody has seen, for the kill -9 test.
NGT_NEW_A4=198.51.100.12 NGT_NEW_A6=2001:db8:1::12
NGT_DOMAIN=test.domain

# What every live test needs; more commands may follow.
ngt_need_live() {	# [command...]
	need_root
	[ -x "$GATE" ] || skip "$GATE not built"
	need_cmd swaks postfix "$@"
}

# Names (tagged with our pid), a fresh $NGT_DIR and the traps; skips
# where network namespaces cannot be made.
ngt_init() {
	NGT_ID=ngt$$
	NGT_CLI=$NGT_ID-cli NGT_SRV=$NGT_ID-srv NGT_GW=$NGT_ID-gw
	NGT_MODE=
	NGT_GATE_NS=$NGT_SRV
	# Each ngt_init (a test may run several set-ups, one per subshell)
	# gets a fresh directory; the last cleanup removes $TMP itself.
	mkdir -p "$TMP" || fail "mkdir $TMP"
	NGT_DIR=$TMP/ngt
	rm -rf "$NGT_DIR"
	mkdir "$NGT_DIR" || fail "mkdir $NGT_DIR"
	NGT_PF=$NGT_DIR/postfix
	NGT_GATELOG=$NGT_DIR/gate.log
	NGT_GATE_PID=
	NGT_TAIL_PID=
	NGT_NETNS_LIST=
	trap 'ngt_cleanup' EXIT
	trap 'exit 130' INT TERM HUP
	# Containers without CAP_SYS_ADMIN cannot do any of this: skip.
	ip netns add "$NGT_ID-probe" 2>/dev/null ||
	    skip "cannot create network namespaces here"
	ip netns del "$NGT_ID-probe"
}

# local: cli --- srv (the gate runs in srv, next to Postfix: INPUT/OUTPUT).
# gateway: cli --- gw --- srv (the gate runs in gw: FORWARD).
ngt_topology() {	# local|gateway
	NGT_MODE=$1
	ngt_ns_add "$NGT_CLI"
	ngt_ns_add "$NGT_SRV"
	cli_addrs="$NGT_CLI_A4/24 $NGT_BOT_A4/24 $NGT_CN_A4/24 $NGT_NEW_A4/24 \
	    $NGT_CLI_A6/64 $NGT_BOT_A6/64 $NGT_CN_A6/64 $NGT_NEW_A6/64"
	case $1 in
	local)
		NGT_GATE_NS=$NGT_SRV
		ngt_link "$NGT_CLI" eth0 "$NGT_SRV" eth0
		ngt_addr "$NGT_CLI" eth0 $cli_addrs
		ngt_addr "$NGT_SRV" eth0 $NGT_SRV_A4/24 $NGT_SRV_A6/64
		ngt_route "$NGT_CLI" 203.0.113.0/24 eth0
		ngt_route "$NGT_CLI" 2001:db8:25::/64 eth0
		ngt_route "$NGT_SRV" 198.51.100.0/24 eth0
		ngt_route "$NGT_SRV" 1.0.1.0/24 eth0
		ngt_route "$NGT_SRV" 2001:db8:1::/64 eth0
		ngt_route "$NGT_SRV" 240e::/64 eth0
		;;
	gateway)
		ngt_ns_add "$NGT_GW"
		NGT_GATE_NS=$NGT_GW
		ngt_link "$NGT_CLI" eth0 "$NGT_GW" eth0
		ngt_link "$NGT_GW" eth1 "$NGT_SRV" eth0
		ngt_addr "$NGT_CLI" eth0 $cli_addrs
		ngt_addr "$NGT_GW" eth0 198.51.100.1/24 2001:db8:1::1/64
		ngt_addr "$NGT_GW" eth1 203.0.113.1/24 2001:db8:25::1/64
		ngt_addr "$NGT_SRV" eth0 $NGT_SRV_A4/24 $NGT_SRV_A6/64
		ngt_route "$NGT_CLI" 203.0.113.0/24 eth0 198.51.100.1
		ngt_route "$NGT_CLI" 2001:db8:25::/64 eth0 2001:db8:1::1
		ngt_route "$NGT_GW" 1.0.1.0/24 eth0
		ngt_route "$NGT_GW" 240e::/64 eth0
		ngt_route "$NGT_SRV" 198.51.100.0/24 eth0 203.0.113.1
		ngt_route "$NGT_SRV" 1.0.1.0/24 eth0 203.0.113.1
		ngt_route "$NGT_SRV" 2001:db8:1::/64 eth0 2001:db8:25::1
		ngt_route "$NGT_SRV" 240e::/64 eth0 2001:db8:25::1
		ngt_in "$NGT_GW" sysctl -qw net.ipv4.ip_forward=1 \
		    net.ipv6.conf.all.forwarding=1
		;;
	*) fail "ngt_topology: mode $1?" ;;
	esac
}

# Run a command in a namespace.
ngt_in() {	# ns cmd...
	ns=$1; shift
	ip netns exec "$ns" "$@"
}

# One namespace: no DAD, no reverse-path filter, loopback up.
ngt_ns_add() {	# name
	ip netns add "$1" || fail "ip netns add $1"
	NGT_NETNS_LIST="$NGT_NETNS_LIST $1"
	# No DAD: addresses are usable at once, no 1-2 s waits.
	ngt_in "$1" sysctl -qw net.ipv6.conf.all.accept_dad=0 \
	    net.ipv6.conf.default.accept_dad=0 \
	    net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0
	ngt_in "$1" ip link set lo up
}

# A veth pair from ns1 to ns2, both ends up.
ngt_link() {	# ns1 ifname1 ns2 ifname2
	ip -n "$1" link add "$2" type veth peer name "$4" netns "$3" ||
	    fail "veth $1:$2 - $3:$4"
	ip -n "$1" link set "$2" up
	ip -n "$3" link set "$4" up
}

# Addresses on an interface; IPv6 ones without DAD.
ngt_addr() {	# ns ifname addr/len...
	ns=$1 ifn=$2; shift 2
	for a; do
		case $a in
		*:*) ip -n "$ns" -6 addr add "$a" dev "$ifn" nodad ;;
		*)   ip -n "$ns" addr add "$a" dev "$ifn" ;;
		esac || fail "address $a on $ns:$ifn"
	done
}

# One route, through a gateway when one is given.
ngt_route() {	# ns prefix dev [via]
	if [ -n "$4" ]; then
		ip -n "$1" route add "$2" via "$4" dev "$3"
	else
		ip -n "$1" route add "$2" dev "$3"
	fi || fail "route $2 in $1"
}

# The EXIT trap: on failure the tails of the gate's and Postfix's logs,
# then gate, Postfix, namespaces and $TMP away; exits with the status.
ngt_cleanup() {
	rc=$?
	trap - EXIT INT TERM HUP
	# A failed test shows both sides of the story in its log.
	if [ "$rc" -ne 0 ] && [ "$rc" -ne 77 ] && [ -n "$NGT_DIR" ]; then
		for f in "$NGT_GATELOG" "$NGT_PF/maillog"; do
			[ -s "$f" ] || continue
			echo "--- last lines of $f:" >&2
			tail -n 25 "$f" >&2
		done
	fi
	[ -n "$NGT_TAIL_PID" ] && kill "$NGT_TAIL_PID" 2>/dev/null
	ngt_gate_kill TERM
	ngt_postfix_stop
	for ns in $NGT_NETNS_LIST; do
		# Any process still in there (a stray smtpd, a bot) goes first.
		for p in $(ip netns pids "$ns" 2>/dev/null); do
			kill -9 "$p" 2>/dev/null
		done
		ip netns del "$ns" 2>/dev/null
	done
	NGT_NETNS_LIST=
	rm -rf "$TMP"
	exit $rc
}
