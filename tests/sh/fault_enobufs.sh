#!/bin/sh
# fault_enobufs.sh - the netlink receive buffer overflows: mail still goes
# through, the overrun is counted and logged, and the gate recovers.
#
# The gate gets a small receive buffer (queue_rcvbuf = 64k) and is
# frozen with SIGSTOP, as a swapped-out or stalled daemon would be.  A
# bounded burst of spoofed SYNs then fills the buffer.  While the gate is
# still frozen, a good client's mail must be delivered: the kernel fails
# packets open when it cannot hand them over.  After SIGCONT the gate must
# read ENOBUFS, count it (enobufs_total), log "receive buffer overrun",
# and go back to testing new clients (PASS NEW with the greeting held).

. "$(dirname "$0")/../lib.sh"
. "$NG_ROOT/tests/netns.sh"
ngt_need_live
FLOOD=$NG_BUILD/bench/synflood
[ -x "$FLOOD" ] || skip "$FLOOD not built (make B=... \$B/bench/synflood)"

SYNS=5000 SECS=3

ngt_init
ngt_topology local
ngt_postfix_start
ngt_rules_install
# The spoofed sources get no conntrack entries (as in flood_syn.sh).
ngt_in "$NGT_SRV" iptables -w -t raw -A PREROUTING -p tcp --dport 25 \
    ! -s 198.51.100.0/24 -j CT --notrack || fail "raw notrack rule"
ngt_db_build
ngt_gate_conf "stats_interval = 1s" "queue_rcvbuf = 64k"
sed -i "s/^greet_pause = .*/greet_pause = 1s/" "$NGT_CONF"
ngt_gate_start "$NGT_CONF"
reg=$(ngt_re "$NGT_CLI_A4")
ngt_mail_ok "$NGT_CLI_A4" "$NGT_SRV_A4" "before"
ngt_expect_gate "PASS NEW \[$reg\]:[0-9]+" "before"
[ "$(ngt_prom enobufs_total)" -eq 0 ] || fail "overruns before the test"

# ---- freeze the gate and overflow its buffer ----
kill -STOP "$NGT_GATE_PID" || fail "SIGSTOP"
MAC=$(ip -n "$NGT_SRV" -br link show eth0 | awk '{ print $3 }')
ngt_in "$NGT_CLI" timeout $((SECS + 5)) "$FLOOD" eth0 "$MAC" "$NGT_SRV_A4" \
    25 "$SYNS" "$SECS" >"$NGT_DIR/flood.out" 2>&1 ||
    { kill -CONT "$NGT_GATE_PID"; cat "$NGT_DIR/flood.out"; fail "synflood"; }
cat "$NGT_DIR/flood.out"
kq=$(ngt_in "$NGT_SRV" awk '$1 == 0 { print $3 }' /proc/net/netfilter/nfnetlink_queue 2>/dev/null)
echo "kernel queue_total while frozen: ${kq:-?}"

# Mail while the gate is frozen: failed open, not lost.
( ngt_mail_ok "$NGT_NEW_A4" "$NGT_SRV_A4" "frozen" ) ||
    { kill -CONT "$NGT_GATE_PID"; fail "mail lost while the gate was frozen"; }
[ "$MS" -lt 900 ] 2>/dev/null && echo "frozen: no greeting pause (failed open)"

# ---- thaw: the overrun is seen, counted, logged ----
kill -CONT "$NGT_GATE_PID" || fail "SIGCONT"
ngt_expect_gate "receive buffer overrun \(ENOBUFS\) x[0-9]+" "overrun logged"
ngt_prom_wait enobufs_total 1 5 || fail "enobufs_total did not count"
echo "enobufs_total $(ngt_prom enobufs_total)"
kill -0 "$NGT_GATE_PID" || fail "the gate died"
grep -q "receive:" "$NGT_GATELOG" && fail "the gate treated ENOBUFS as fatal"

# ---- recovered: a new client is tested again ----
re6=$(ngt_re "$NGT_CLI_A6")
ngt_mail_ok "$NGT_CLI_A6" "$NGT_SRV_A6" "after"
[ "$MS" -ge 900 ] || fail "after: ${MS} ms, the greeting was not held"
ngt_expect_gate "PASS NEW \[$re6\]:[0-9]+" "after"
ngt_bot_reset "$NGT_BOT_A4" "$NGT_SRV_A4" "bot after" 4
grep -o "receive buffer overrun.*" "$NGT_GATELOG" | head -3
ngt_gate_kill TERM
echo "all ENOBUFS checks passed"
exit 0
