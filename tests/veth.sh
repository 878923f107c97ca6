# tests/veth.sh - two bare namespaces joined by one veth pair, for the
# daemon tests that lay out their own addresses and firewall (daemon_smoke,
# live_asn); the Postfix-backed live tests use tests/netns.sh instead.
# Sourced after tests/lib.sh.
#
#   veth_pair PREFIX   namespaces $CLI and $SRV, links $ID-a (client) and
#                      $ID-b (server) up, inc/ins run a command in each;
#                      at exit $GPID (the gate) and $SPID (a server) are
#                      killed and everything is removed.

veth_cleanup() {
	[ -n "$GPID" ] && kill -9 "$GPID" 2>/dev/null
	[ -n "$SPID" ] && kill "$SPID" 2>/dev/null
	ip netns del "$CLI" 2>/dev/null
	ip netns del "$SRV" 2>/dev/null
	rm -rf "$TMP"
}

inc() { ip netns exec "$CLI" "$@"; }
ins() { ip netns exec "$SRV" "$@"; }

veth_pair() {	# prefix
	ID=$1$$
	CLI=$ID-c SRV=$ID-s
	GPID= SPID=
	trap veth_cleanup EXIT
	trap 'exit 130' INT TERM HUP
	ip netns add "$CLI" 2>/dev/null ||
	    skip "cannot create network namespaces"
	ip netns add "$SRV" || fail "netns add"
	ip link add "$ID-a" netns "$CLI" type veth peer name "$ID-b" \
	    netns "$SRV" || fail "veth"
	inc ip link set lo up; ins ip link set lo up
	inc ip link set "$ID-a" up; ins ip link set "$ID-b" up
}
