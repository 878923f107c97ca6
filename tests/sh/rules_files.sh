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
same nfq-gate-reset.nft --reset-only

# The invariants of the repeat-mark idiom, in order, in every file.
for f in nfq-gate.rules nfq-gate6.rules nfq-gate-gateway.rules \
    nfq-gate6-gateway.rules; do
	grep -- '-A NFQ_GATE' "$R/$f" | sed 's/ -j .*//;s/.*-m //' \
	    >"$TMP/order"
	printf '%s\n' 'connmark --mark 0x100/0x100' \
	    'conntrack --ctstate RELATED' 'mark --mark 0x200/0x200' \
	    'connbytes --connbytes 24: --connbytes-dir both --connbytes-mode packets' \
	    'comment --comment "nfq-gate queue=0 ports=25 pass=0x100 reset=0x200 test=0x400"' \
	    >"$TMP/want"
	cmp -s "$TMP/order" "$TMP/want" ||
	    { diff -u "$TMP/want" "$TMP/order" >&2; fail "$f: rule order"; }
	grep -q -- '--queue-bypass' "$R/$f" || fail "$f: no --queue-bypass"
	# The cap skips connections under test (mark_test).
	grep -q -- '-m connmark ! --mark 0x400/0x400 -m connbytes' "$R/$f" ||
	    fail "$f: the packet cap applies to connections under test"
	# After the admin's filter rules: the security table, appended.
	grep -q '^\*security$' "$R/$f" || fail "$f: not the security table"
	grep -q -- '^-I ' "$R/$f" && fail "$f: inserts a rule"
	grep -q -- '-j ACCEPT' "$R/$f" && fail "$f: ACCEPT skips later rules"
	# Loopback and the host's own addresses are never queued.
	grep -q -- '--src-type LOCAL -j NFQ_GATE' "$R/$f" ||
	    fail "$f: local sources are judged"
	grep -q -- '--dst-type LOCAL -j NFQ_GATE' "$R/$f" ||
	    fail "$f: local clients of the server's packets are judged"
done
grep -q 'meta mark & 0x200 == 0x200 reject with tcp reset' \
    "$R/nfq-gate-reset.nft" || fail "nfq-gate-reset.nft: no reset"
grep -q 'priority 200;' "$R/nfq-gate.nft" || fail "nfq-gate.nft: priority"
grep -q 'ct mark & 0x400 != 0x400 ct packets >= 24 accept' \
    "$R/nfq-gate.nft" || fail "nfq-gate.nft: cap on connections under test"
grep -q 'iif != "lo" fib saddr type != local jump gate' "$R/nfq-gate.nft" ||
    fail "nfq-gate.nft: loopback or local sources judged"

# --inside: the inside's connections RETURN before anything else.
sh "$T" print --family 4 --mode gateway --inside eth1,10.0.0.0/8,fd00::/8 \
    >"$TMP/in4" || fail "print --inside"
grep -- '-A NFQ_GATE' "$TMP/in4" | head -4 >"$TMP/in4.first"
printf '%s\n' '-A NFQ_GATE -i eth1 -p tcp -m tcp --dport 25 -j RETURN' \
    '-A NFQ_GATE -o eth1 -p tcp -m tcp --sport 25 -j RETURN' \
    '-A NFQ_GATE -s 10.0.0.0/8 -p tcp -m tcp --dport 25 -j RETURN' \
    '-A NFQ_GATE -d 10.0.0.0/8 -p tcp -m tcp --sport 25 -j RETURN' \
    >"$TMP/in4.want"
cmp -s "$TMP/in4.first" "$TMP/in4.want" ||
    { diff -u "$TMP/in4.want" "$TMP/in4.first" >&2; fail "--inside rules"; }
grep -- "^-A" "$TMP/in4" | grep -q fd00 && fail "an IPv6 network in the IPv4 rules"
printf 'ports = 25, 587\ninside = eth2 # the LAN\ninside = 192.0.2.0/24\n' \
    >"$TMP/conf"
sh "$T" print --family 4 --config "$TMP/conf" >"$TMP/c4" || fail "--config"
grep -q -- '-i eth2 -p tcp -m multiport --dports 25,587 -j RETURN' "$TMP/c4" ||
    fail "--config: inside interface or ports not read"
grep -q -- '-s 192.0.2.0/24 ' "$TMP/c4" || fail "--config: second inside line"
sh "$T" print --family 4 --config "$TMP/conf" --port 2525 | grep -q 587 &&
    fail "--port does not override the config"

# Options change what they should and nothing else.
sh "$T" print --family 4 --port 25,587 --queue 7 >"$TMP/p" || fail print
grep -q -- '--dports 25,587 ! -i lo .*-j NFQ_GATE' "$TMP/p" || fail "multiport dports"
grep -q -- '--sports 25,587 ! -o lo .*-j NFQ_GATE' "$TMP/p" || fail "multiport sports"
grep -q -- '--queue-num 7 --queue-bypass' "$TMP/p" || fail "queue 7"
sh "$T" print --backend nft --mode gateway --port 2525 >"$TMP/n" ||
    fail "print nft"
grep -q 'hook forward' "$TMP/n" || fail "nft gateway: no forward hook"
grep -q 'hook input' "$TMP/n" && fail "nft gateway: input hook"
grep -q 'define nfq_gate_ports = { 2525 }' "$TMP/n" || fail "nft port"

# The marks: options, else the config's mark_* keys, else the defaults.
sh "$T" print --family 4 --mark-pass 0x10 --mark-reset 32 --mark-test 0x40 \
    >"$TMP/m" || fail "print --mark-*"
grep -q -- '--mark 0x10/0x10 -j RETURN' "$TMP/m" || fail "--mark-pass"
grep -q -- '--mark 32/32 -j RETURN' "$TMP/m" || fail "--mark-reset"
grep -q -- '! --mark 0x40/0x40 -m connbytes' "$TMP/m" || fail "--mark-test"
printf 'mark_test = 0x800\nmark_pass = 0x1\n' >"$TMP/mconf"
sh "$T" print --backend nft --config "$TMP/mconf" --mark-pass 0x2 >"$TMP/mn" ||
    fail "print --config marks"
grep -q 'ct mark & 0x800 != 0x800 ct packets' "$TMP/mn" ||
    fail "mark_test not read from the config"
grep -q 'ct mark & 0x2 == 0x2 accept' "$TMP/mn" ||
    fail "--mark-pass does not override the config"

# Bad options are refused with a message, never half-applied.
for bad in "--mode bridge" "--port 0" "--port 25,x" "--queue -1" \
    "--queue 70000" "--backend pf" "--family 5" "--chain a;b" "--port" \
    "--inside eth;1" "--inside 10.0.0/8" "--inside averyveryverylongname" \
    "--config /nonexistent" "--port 1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16" \
    "--mark-test 0" "--mark-test 0x1ffffffff" "--mark-test 0x500" \
    "--mark-pass x" "--mark-reset 0x400" "--mark-pass 0x200"; do
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
# Gateway mode without an inside judges the site's outbound mail: the
# tool says so (and still prints the rules); a v4-only inside warns for v6.
W=$TMP/warn
sh "$T" print --mode gateway >/dev/null 2>"$W" ||
    fail "gateway print without --inside failed"
grep -q "no --inside" "$W" || fail "no warning for gateway without --inside"
sh "$T" print --mode gateway --inside 10.0.0.0/8 >/dev/null 2>"$W"
grep -q "IPv6" "$W" || fail "no warning for a v4-only inside"
sh "$T" print --mode gateway --inside eth1 >/dev/null 2>"$W"
[ -s "$W" ] && fail "warning with an inside interface: $(cat "$W")"
sh "$T" print --mode local >/dev/null 2>"$W"
[ -s "$W" ] && fail "warning in local mode: $(cat "$W")"

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
