#!/bin/sh
# rules_files.sh - the shipped rule files are what nfq-gate-rules
# installs, and iptables-restore / ip6tables-restore accept them.
#
# The files under rules/ are for people who load rules their own way;
# the tool is what the tests and the demo use.  If the two drifted, a
# user would run rules nobody tested, so "print" with the defaults must
# reproduce each file byte for byte.

. "$(dirname "$0")/../lib.sh"

T="$NG_ROOT/tools/nfq-gate-rules"
R="$NG_ROOT/rules"

same() {	# file, then tool args
	f=$1; shift
	sh "$T" print "$@" >"$TMP/out" || fail "print $*"
	cmp -s "$R/$f" "$TMP/out" || {
		diff -u "$R/$f" "$TMP/out" >&2
		fail "rules/$f differs from 'nfq-gate-rules print $*'"
	}
}

same nfq-gate.rules --family 4
same nfq-gate6.rules --family 6
same nfq-gate-gateway.rules --family 4 --mode gateway
same nfq-gate6-gateway.rules --family 6 --mode gateway
same nfq-gate.nft --backend nft

# The invariants of the repeat-mark idiom, in order, in every file.
for f in nfq-gate.rules nfq-gate6.rules nfq-gate-gateway.rules \
    nfq-gate6-gateway.rules; do
	grep -- '-A NFQ_GATE' "$R/$f" | sed 's/ -j .*//;s/.*-m //' \
	    >"$TMP/order"
	printf '%s\n' 'connmark --mark 0x100/0x100' \
	    'conntrack --ctstate RELATED' 'mark --mark 0x200/0x200' \
	    'connbytes --connbytes 24: --connbytes-dir reply --connbytes-mode packets' \
	    '-A NFQ_GATE -p tcp' >"$TMP/want"
	cmp -s "$TMP/order" "$TMP/want" ||
	    { diff -u "$TMP/want" "$TMP/order" >&2; fail "$f: rule order"; }
	grep -q -- '--queue-bypass' "$R/$f" || fail "$f: no --queue-bypass"
	grep -q -- '--reject-with tcp-reset' "$R/$f" || fail "$f: no tcp-reset"
done

# Options change what they should and nothing else.
sh "$T" print --family 4 --port 25,587 --queue 7 >"$TMP/p" || fail print
grep -q -- '--dports 25,587 -j NFQ_GATE' "$TMP/p" || fail "multiport dports"
grep -q -- '--sports 25,587 -j NFQ_GATE' "$TMP/p" || fail "multiport sports"
grep -q -- '--queue-num 7 --queue-bypass' "$TMP/p" || fail "queue 7"
sh "$T" print --backend nft --mode gateway --port 2525 >"$TMP/n" ||
    fail "print nft"
grep -q 'hook forward' "$TMP/n" || fail "nft gateway: no forward hook"
grep -q 'hook input' "$TMP/n" && fail "nft gateway: input hook"
grep -q 'define nfq_gate_ports = { 2525 }' "$TMP/n" || fail "nft port"

# Bad options are refused with a message, never half-applied.
for bad in "--mode bridge" "--port 0" "--port 25,x" "--queue -1" \
    "--queue 70000" "--backend pf" "--family 5" "--chain a;b" "--port"; do
	# shellcheck disable=SC2086
	if sh "$T" print $bad >/dev/null 2>"$TMP/err"; then
		fail "accepted: $bad"
	fi
	[ -s "$TMP/err" ] || fail "no message for: $bad"
done
sh "$T" frobnicate >/dev/null 2>&1 && fail "accepted a bad command"

# iptables-restore --test parses and checks the files without committing;
# it still runs inside a namespace of our own so that no mistake can ever
# reach the host's firewall.
if [ "$(id -u)" = 0 ] && command -v iptables-restore >/dev/null; then
	ns=ngt$$-rf
	ip netns add "$ns" || fail "ip netns add"
	trap 'ip netns del "$ns" 2>/dev/null; rm -rf "$TMP"' EXIT
	for f in nfq-gate.rules nfq-gate-gateway.rules; do
		ip netns exec "$ns" iptables-restore --test --noflush <"$R/$f" ||
		    fail "iptables-restore --test $f"
	done
	for f in nfq-gate6.rules nfq-gate6-gateway.rules; do
		ip netns exec "$ns" ip6tables-restore --test --noflush \
		    <"$R/$f" || fail "ip6tables-restore --test $f"
	done
	# --test commits nothing.
	ip netns exec "$ns" iptables -S | grep -q NFQ_GATE &&
	    fail "iptables-restore --test left rules behind"
else
	echo "not root: iptables-restore --test part not run" >&2
fi
exit 0
