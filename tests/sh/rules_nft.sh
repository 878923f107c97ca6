#!/bin/sh
# rules_nft.sh - rules/nfq-gate.nft passes "nft -c", in both modes.
#
# "nft -c" asks the kernel to validate the ruleset without committing it.
# Kernels without CONFIG_NFT_QUEUE (like the one the project is built on)
# refuse the "queue" statement itself, so the check is in two parts: the
# file as shipped must fail, if at all, only on the queue statement, and
# a copy with that one statement replaced by "accept" must pass whole.
# That proves every other line, and the queue line is the documented
# syntax nft itself printed for iptables' NFQUEUE --queue-bypass.

. "$(dirname "$0")/../lib.sh"
need_root
command -v nft >/dev/null || skip "nft not installed"

NS=ngt$$-rn
ip netns add "$NS" || fail "ip netns add $NS"
trap 'ip netns del "$NS" 2>/dev/null; rm -rf "$TMP"' EXIT

check() {	# file label
	f=$1
	if ip netns exec "$NS" nft -c -f "$f" 2>"$TMP/err"; then
		echo "$2: nft -c passes as is"
	else
		# Only the queue statement may be refused.
		grep -q 'Could not process rule' "$TMP/err" ||
		    { cat "$TMP/err" >&2; fail "$2: nft -c: not a kernel refusal"; }
		bad=$(grep -c '^[[:space:]]*^' "$TMP/err")
		grep -A1 'Error:' "$TMP/err" | grep -v -e 'Error:' -e '^--$' |
		    grep -qv 'queue num' &&
		    { cat "$TMP/err" >&2; fail "$2: nft -c refuses a non-queue line"; }
		echo "$2: nft -c refuses only the queue statement ($bad), as" \
		    "expected without CONFIG_NFT_QUEUE"
	fi
	grep -q '^[[:space:]]*queue num 0 bypass$' "$f" ||
	    fail "$2: no 'queue num 0 bypass' line"
	sed 's/^\([[:space:]]*\)queue num [0-9]* bypass$/\1accept/' "$f" \
	    >"$TMP/noqueue.nft"
	ip netns exec "$NS" nft -c -f "$TMP/noqueue.nft" ||
	    fail "$2: nft -c fails with the queue statement replaced"
	# The check committed nothing.
	[ -z "$(ip netns exec "$NS" nft list tables)" ] ||
	    fail "$2: nft -c left a table behind"
}

check "$NG_ROOT/rules/nfq-gate.nft" "rules/nfq-gate.nft"
sh "$NG_ROOT/tools/nfq-gate-rules" print --backend nft --mode gateway \
    >"$TMP/gw.nft" || fail "print gateway"
check "$TMP/gw.nft" "gateway mode"

# The iptables backend's reset and penalty table has no queue statement:
# it must pass as it is, and its reset chains run after both security
# tables (iptables-legacy 50, iptables-nft 150).
ip netns exec "$NS" nft -c -f "$NG_ROOT/rules/nfq-gate-reset.nft" ||
    fail "rules/nfq-gate-reset.nft: nft -c fails"
[ "$(grep -c 'priority 200;' "$NG_ROOT/rules/nfq-gate-reset.nft")" = 3 ] ||
    fail "rules/nfq-gate-reset.nft: reset chains not at priority 200"
sh "$NG_ROOT/tools/nfq-gate-rules" print --backend nft --mode gateway \
    --inside eth1,10.0.0.0/8,fd00::/8 --port 25,587 >"$TMP/in.nft" ||
    fail "print --inside"
check "$TMP/in.nft" "gateway mode with --inside"

# A broken copy must fail the check, or the check proves nothing.
sed 's/ct packets >= 24 accept/ct packets >= accept/' \
    "$NG_ROOT/rules/nfq-gate.nft" >"$TMP/broken.nft"
sed 's/queue num 0 bypass/accept/' "$TMP/broken.nft" >"$TMP/broken2.nft"
ip netns exec "$NS" nft -c -f "$TMP/broken2.nft" 2>/dev/null &&
    fail "nft -c accepts a broken file"
exit 0
