#!/bin/sh
# rules_params.sh - nfq-gate-ctl status says whether the rules were
# installed for the gate's own configuration (issue 14).
#
# nfq-gate-rules writes what it installed with on the rules, as comments
# ("nfq-gate queue=0 ports=25 pass=0x100 reset=0x200 test=0x400" on the
# NFQUEUE rule, "nfq-gate ports=25 reset=0x200" on the reset table's
# rejects), and the gate reads them with every rules check.  Under a
# running gate (rules_check = 1s), on iptables-nft (the comment is an xt
# match or the rule's userdata; the reset table's is nft userdata) and
# iptables-legacy (a comment match in the entry):
#   - installed for the config: status 0, the parameters shown, in the
#     text and in the JSON;
#   - reinstalled with another pass mark: status 1, the reason names the
#     mark and says to run nfq-gate-rules install;
#   - with other ports: 1, naming both lists;
#   - back: 0;
#   - rules without comments (an older nfq-gate-rules, or by hand):
#     "none recorded", and still 0.

. "$(dirname "$0")/../lib.sh"
. "$NG_ROOT/tests/netns.sh"
ngt_need_live nft
CTLBIN=$NG_BUILD/nfq-gate-ctl
[ -x "$CTLBIN" ] || skip "$CTLBIN not built"

ctl() { ng_run "$CTLBIN" -c "$NGT_CONF" "$@"; }

# status_is CODE REGEX LABEL - within 5 s (a check a second) status
# exits CODE and its output (stdout and stderr) matches REGEX.
status_is() {
	n=0
	while :; do
		ctl status >"$TMP/st" 2>&1
		rc=$?
		[ $rc = "$1" ] && grep -Eq "$2" "$TMP/st" && break
		n=$((n + 1))
		if [ $n -ge 25 ]; then
			cat "$TMP/st" >&2
			fail "$3: status exited $rc, want $1 and /$2/"
		fi
		sleep 0.2
	done
	echo "$3: status $rc:"
	grep -E 'health|reason|rule' "$TMP/st" | sed 's/^/    /'
}

one_backend() {	# suffix(-nft|-legacy) ipt ip6t
	suf=$1 ipt=$2 ip6t=$3
	b="iptables$suf"
	ngt_init
	ngt_topology local
	ngt_postfix_start
	ngt_rules_install --backend "$b"
	ngt_db_build
	ngt_gate_conf "rules_check = 1s"
	ngt_gate_start "$NGT_CONF"
	ngt_expect_gate "rules check: queue 0: found" "$b: rules seen" 3

	want="queue=0 ports=25 pass=0x100 reset=0x200 test=0x400"
	status_is 0 "^rule params: +$want \(" "$b: as configured"
	grep -q "rule params: *ports=25 reset=0x200 (reset table" "$TMP/st" ||
	    fail "$b: the reset table's parameters not shown"
	ctl --json status >"$TMP/js" || fail "$b: json status exited $?"
	python3 - "$TMP/js" <<'PY' || fail "$b: json status: $(cat "$TMP/js")"
import json, sys
d = json.load(open(sys.argv[1]))
q = [p for p in d["rule_params"] if "queue" in p]
assert d["healthy"] and q, d
assert q[0]["ports"] == [25] and q[0]["mark_pass"] == 0x100, q
assert q[0]["mark_reset"] == 0x200 and q[0]["mark_test"] == 0x400, q
PY

	# Another pass mark: the offload would never match the gate's.
	ngt_rules_install --backend "$b" --mark-pass 0x800
	status_is 1 "pass mark 0x800 but the config's mark_pass is 0x100.*run nfq-gate-rules install" \
	    "$b: pass mark 0x800"
	grep -q "^health: *UNHEALTHY" "$TMP/st" || fail "$b: not unhealthy"
	ctl --json status >"$TMP/js"
	grep -q '"healthy":false' "$TMP/js" || fail "$b: json says healthy"

	# Other ports (sorted in the comment, whatever order given).
	ngt_rules_install --backend "$b" --port 587,25
	status_is 1 "ports 25,587 but the config judges 25" "$b: ports 25,587"

	# Back as configured.
	ngt_rules_install --backend "$b"
	status_is 0 "^health: +ok" "$b: reinstalled as configured"

	# Rules without comments, as an older nfq-gate-rules made them:
	# said, not a failure.
	for f in 4 6; do
		if [ $f = 4 ]; then cmd=$ipt; else cmd=$ip6t; fi
		ngt_in "$NGT_GATE_NS" sh -c "$cmd-save -t security |
		    sed 's/ -m comment --comment \"[^\"]*\"//' |
		    $cmd-restore -w" || fail "$b: rules without comments (v$f)"
	done
	ngt_in "$NGT_GATE_NS" sh -c "sh '$NG_ROOT/tools/nfq-gate-rules' \
	    print --reset-only | sed 's/ comment \"[^\"]*\"//' | nft -f -" ||
	    fail "$b: reset table without comments"
	ngt_in "$NGT_GATE_NS" "$cmd" -w -t security -S NFQ_GATE |
	    grep -q comment && fail "$b: a comment left"
	status_is 0 "rule params: +none recorded \(installed by an older nfq-gate-rules\?\)" \
	    "$b: no comments"
	ngt_gate_stop
}

( one_backend -nft iptables-nft ip6tables-nft ) || exit 1
if command -v iptables-legacy >/dev/null; then
	( one_backend -legacy iptables-legacy ip6tables-legacy ) || exit 1
else
	echo "no iptables-legacy: the legacy backend not checked" >&2
fi
echo "all rules-params checks passed"
exit 0
