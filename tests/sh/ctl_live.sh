#!/bin/sh
# ctl_live.sh - nfq-gate-ctl as an admin uses it, against the live gate
# in front of a real Postfix (issue 14's test):
#   - a bot talks first and is penalised; "list penalty" shows it, "show"
#     explains it, "del penalty" frees it, and its next connection is
#     tested again (CONNECT and PREGREET, not PENALTY);
#   - "add pass" makes a client nobody has seen PASS OLD at once (no
#     pause);
#   - "status" exits 0; flushing the rules makes it exit 1 naming what is
#     gone; reinstalling them makes it 0 again;
#   - on the stopped gate's state_dir the offline verbs see what the gate
#     saved, and a change made there is what the next gate starts with;
#     while a gate runs, --state-dir refuses (69).

. "$(dirname "$0")/../lib.sh"
. "$NG_ROOT/tests/netns.sh"
ngt_need_live
CTLBIN=$NG_BUILD/nfq-gate-ctl
[ -x "$CTLBIN" ] || skip "$CTLBIN not built"

ngt_local_gate "rules_check = 1s"
SOCK=$NGT_DIR/ctl.sock		# ngt_gate_conf's control_socket
ngt_gate_start "$NGT_CONF"
ctl() { ng_run "$CTLBIN" -c "$NGT_CONF" "$@"; }
reb=$(ngt_re "$NGT_BOT_A4")

# The bot is reset and boxed.
ngt_bot_reset "$NGT_BOT_A4" "$NGT_SRV_A4" bot
ngt_expect_gate "PREGREET [0-9]+ after .* from \[$reb\]" "bot: PREGREET"
out=$(ctl list penalty) || fail "list penalty exited $?: $out"
echo "$out"
echo "$out" | grep -q "^$reb/32 .*count 1" || fail "list penalty: no bot"
out=$(ctl show "$NGT_BOT_A4") || fail "show exited $?"
echo "$out"
echo "$out" | grep -qi "penalty" || fail "show: no word of the penalty box"

# Freed: the next connection is tested again, not refused.
out=$(ctl del penalty "$NGT_BOT_A4") || fail "del penalty exited $?: $out"
echo "del: $out"
ctl list penalty "$NGT_BOT_A4" >/dev/null 2>&1
[ $? = 2 ] || fail "list penalty after del: not 'no such entry' (2)"
n=$(grep -c "PENALTY \[$reb\]" "$NGT_GATELOG")
ngt_bot_reset "$NGT_BOT_A4" "$NGT_SRV_A4" bot-freed
ngt_expect_gate "CONNECT from \[$reb\]" "bot-freed: tested (CONNECT)"
[ "$(grep -c "PENALTY \[$reb\]" "$NGT_GATELOG")" = "$n" ] ||
    fail "bot-freed: refused by the penalty box after del"
[ "$(grep -c "PREGREET .*from \[$reb\]" "$NGT_GATELOG")" = 2 ] ||
    fail "bot-freed: not judged a second time"

# A client nobody has seen, passed by hand: PASS OLD, no pause.
ctl add pass "$NGT_NEW_A4" 1h || fail "add pass exited $?"
ngt_mail_ok "$NGT_NEW_A4" "$NGT_SRV_A4" added
ngt_expect_gate "PASS OLD \[$(ngt_re "$NGT_NEW_A4")\]" "added: PASS OLD"
[ "$MS" -lt 1000 ] || fail "added: ${MS} ms, held as a new client"

# Health: 0, then 1 with the rules gone, then 0 again.
out=$(ctl status) || fail "status exited $? while healthy: $out"
echo "$out" | head -20
ngt_in "$NGT_GATE_NS" iptables -w -t security -F NFQ_GATE ||
    fail "flush the chain"
ngt_in "$NGT_GATE_NS" ip6tables -w -t security -F NFQ_GATE ||
    fail "flush the chain"
ngt_expect_gate "RULES LOST" "rules flushed" 5
ctl status >"$TMP/st" 2>"$TMP/st.err"
rc=$?
cat "$TMP/st.err"
[ $rc = 1 ] || fail "status exited $rc with the rules gone"
grep -qi "rules" "$TMP/st.err" || fail "status: the reason names no rules"
ngt_rules_install
ngt_expect_gate "rules back" "rules reinstalled" 5
ctl status >/dev/null || fail "status exited $? after the rules came back"

# While the gate runs its state_dir is not for editing.
ctl --state-dir "$NGT_DIR/state" list pass >/dev/null 2>"$TMP/busy"
rc=$?
[ $rc = 69 ] || fail "--state-dir beside a running gate exited $rc"
grep -q "pid $NGT_GATE_PID" "$TMP/busy" || fail "--state-dir: no pid: $(cat "$TMP/busy")"

# Stopped: the offline verbs see what it saved; an offline change is
# what the next gate starts with.
ctl save >/dev/null || fail "save exited $?"
ngt_gate_stop
out=$(ctl --state-dir "$NGT_DIR/state" list pass) ||
    fail "offline list pass exited $?"
echo "$out"
echo "$out" | grep -q "^$(ngt_re "$NGT_NEW_A4")/32 " ||
    fail "offline: the added pass entry was not saved"
ctl --state-dir "$NGT_DIR/state" add penalty "$NGT_CLI_A4" 1h ||
    fail "offline add penalty exited $?"
ngt_gate_start "$NGT_CONF"
out=$(ngt_bot "$NGT_CLI_A4" "$NGT_SRV_A4" 3)
echo "boxed offline: $out"
ngt_expect_gate "PENALTY \[$(ngt_re "$NGT_CLI_A4")\]" \
    "an address boxed offline is refused by the next gate"
exit 0
