#!/bin/sh
# rules_install.sh - nfq-gate-rules install/remove/status are idempotent,
# leave other rules alone, and switch modes cleanly; for both backends.
# Everything runs inside a namespace made for the test, never on the
# host's firewall.

. "$(dirname "$0")/../lib.sh"
need_root
command -v iptables >/dev/null || skip "iptables not installed"

T="$NG_ROOT/tools/nfq-gate-rules"
# Once for iptables-nft, then once for iptables-legacy (the script runs
# itself again): "iptables" below means that backend's command.
SUF=${NG_RULES_SUF--nft}
command -v iptables$SUF >/dev/null || skip "iptables$SUF not installed"
echo "backend iptables$SUF"
NS=ngt$$-ri
ip netns add "$NS" || fail "ip netns add $NS"
trap 'ip netns del "$NS" 2>/dev/null; rm -rf "$TMP"' EXIT
in_ns() {
	c=$1; shift
	case $c in iptables|ip6tables) c=$c$SUF ;; esac
	ip netns exec "$NS" "$c" "$@"
}
rules() {	# command [args]: with this run's backend unless nft
	c=$1; shift
	case " $* " in
	*" --backend nft "*) in_ns sh "$T" "$c" "$@" ;;
	*) in_ns sh "$T" "$c" --backend "iptables$SUF" "$@" ;;
	esac
}

count() {	# iptables-cmd pattern -> number of matching -S lines
	in_ns "$1" -t security -S | grep -c -- "$2"
}

expect() {	# what got want
	[ "$2" = "$3" ] || fail "$1: got $2, want $3"
}

# Someone else's rules, which must survive everything we do.
for ipt in iptables ip6tables; do
	in_ns $ipt -A INPUT -m conntrack --ctstate ESTABLISHED,RELATED \
	    -j ACCEPT || fail "$ipt: user rule"
	in_ns $ipt -A INPUT -p tcp --dport 22 -j ACCEPT
	in_ns $ipt -A FORWARD -p tcp --dport 80 -j ACCEPT
done
in_ns iptables -S >"$TMP/before4"
in_ns ip6tables -S >"$TMP/before6"

rules status >/dev/null; expect "status before install" $? 3
rules remove || fail "remove when absent"

# Install twice: one copy.
rules install || fail "install"
rules install || fail "second install"
for ipt in iptables ip6tables; do
	expect "$ipt INPUT jumps" "$(count $ipt '^-A INPUT .*-j NFQ_GATE$')" 1
	expect "$ipt OUTPUT jumps" "$(count $ipt '^-A OUTPUT .*-j NFQ_GATE$')" 1
	expect "$ipt chain rules" "$(count $ipt '^-A NFQ_GATE ')" 5
	# Nothing of ours in filter: the user's rules there run first and
	# all of them (the security table's hook comes after filter's).
	expect "$ipt filter untouched" "$(in_ns $ipt -S | grep -c NFQ_GATE)" 0
	in_ns $ipt -t security -S NFQ_GATE |
	    grep -q -- '--queue-num 0 --queue-bypass' ||
	    fail "$ipt: no NFQUEUE rule"
done
# The reset table.
in_ns nft list table inet nfq_gate | grep -q 'reject with tcp reset' ||
    fail "no reset table"
# An install of an older version (jumps first in filter) is cleaned up.
in_ns iptables -N NFQ_GATE && in_ns iptables -I INPUT 1 -p tcp --dport 25 \
    -j NFQ_GATE || fail "old-style rules"
rules install || fail "install over an old-style install"
expect "old-style jump gone" "$(in_ns iptables -S | grep -c NFQ_GATE)" 0
rules status >"$TMP/status" || fail "status after install: $?"
grep -q 'NFQUEUE' "$TMP/status" || fail "status shows no rules"

# Another port and queue replace, not add.
rules install --port 25,587 --queue 5 || fail "install 25,587"
expect "multiport jumps" "$(count iptables '^-A .*-j NFQ_GATE$')" 2
in_ns iptables -t security -S | grep -q -- '--dports 25,587 .*-j NFQ_GATE' ||
    fail "no multiport jump"
in_ns iptables -t security -S NFQ_GATE | grep -q -- '--queue-num 5' ||
    fail "queue 5"

# Gateway mode: FORWARD both ways, INPUT/OUTPUT jumps gone.
rules install --mode gateway || fail "install gateway"
rules install --mode gateway || fail "install gateway twice"
for ipt in iptables ip6tables; do
	expect "$ipt FORWARD jumps" \
	    "$(count $ipt '^-A FORWARD .*-j NFQ_GATE$')" 2
	expect "$ipt INPUT jumps (gateway)" \
	    "$(count $ipt '^-A INPUT .*-j NFQ_GATE$')" 0
done
in_ns iptables -t security -S FORWARD | grep -q -- '--sport 25 .*-j NFQ_GATE' ||
    fail "no FORWARD jump for the server's direction"
rules install --mode gateway --inside eth1,10.0.0.0/8,fd00::/8 ||
    fail "install --inside"
expect "v4 inside returns" "$(count iptables '^-A NFQ_GATE .*-j RETURN$' )" 8
expect "v6 inside returns" "$(count ip6tables '^-A NFQ_GATE .*-j RETURN$' )" 8

# One family only.
rules remove || fail "remove"
rules install --family 6 || fail "install -6"
expect "v4 untouched by --family 6" "$(count iptables NFQ_GATE)" 0
expect "v6 installed" "$(count ip6tables '^-A NFQ_GATE ')" 5

# Remove: everything of ours goes, everything else stays; twice is fine.
rules remove || fail "remove"
rules remove || fail "second remove"
rules status >/dev/null; expect "status after remove" $? 3
in_ns nft list table inet nfq_gate >/dev/null 2>&1 &&
    fail "remove left the reset table"
in_ns iptables -S >"$TMP/after4"
in_ns ip6tables -S >"$TMP/after6"
cmp -s "$TMP/before4" "$TMP/after4" ||
    { diff -u "$TMP/before4" "$TMP/after4" >&2; fail "IPv4 rules changed"; }
cmp -s "$TMP/before6" "$TMP/after6" ||
    { diff -u "$TMP/before6" "$TMP/after6" >&2; fail "IPv6 rules changed"; }

# The nft backend.  Without CONFIG_NFT_QUEUE the kernel refuses the queue
# statement, so the idempotency checks run with "accept" in its place;
# the real statement is then shown to fail atomically.
if command -v nft >/dev/null; then
	export NFQ_GATE_NFT_QUEUE_STMT=accept
	rules remove --backend nft || fail "nft remove when absent"
	rules install --backend nft || fail "nft install"
	rules install --backend nft || fail "nft second install"
	expect "nft tables" \
	    "$(in_ns nft list tables | grep -c 'inet nfq_gate')" 1
	expect "nft jumps" \
	    "$(in_ns nft list table inet nfq_gate | grep -c 'jump gate')" 2
	# The penalty sets nft_penalty_set names are the table's own.
	in_ns nft list set inet nfq_gate penalty4 >/dev/null ||
	    fail "nft: no penalty4 set"
	in_ns nft list set inet nfq_gate penalty6 >/dev/null ||
	    fail "nft: no penalty6 set"
	rules status --backend nft >/dev/null || fail "nft status"
	rules install --backend nft --mode gateway || fail "nft gateway"
	in_ns nft list table inet nfq_gate | grep -q 'hook forward' ||
	    fail "nft gateway: no forward chain"
	in_ns nft list table inet nfq_gate | grep -q 'hook input' &&
	    fail "nft gateway: input chain left over"
	unset NFQ_GATE_NFT_QUEUE_STMT
	if ! zcat /proc/config.gz 2>/dev/null | grep -q 'CONFIG_NFT_QUEUE=[ym]'
	then
		in_ns nft list table inet nfq_gate >"$TMP/nft-before"
		rules install --backend nft 2>/dev/null &&
		    fail "nft queue accepted by a kernel without NFT_QUEUE?"
		in_ns nft list table inet nfq_gate >"$TMP/nft-after"
		cmp -s "$TMP/nft-before" "$TMP/nft-after" ||
		    fail "failed nft install was not atomic"
	fi
	rules remove --backend nft || fail "nft remove"
	rules remove --backend nft || fail "nft second remove"
	rules status --backend nft >/dev/null; expect "nft status" $? 3
fi
if [ "$SUF" = -nft ]; then
	NG_RULES_SUF=-legacy sh "$0" || exit 1
fi
exit 0
