#!/bin/sh
# daemon_valgrind.sh - the live daemon end to end under valgrind: no
# invalid access, no uninitialised use, no leak.
#
# The gate runs as nobody in front of a real Postfix, with the policy
# service on, and does its whole job under memcheck: PASS NEW, PASS OLD,
# a pre-greeting bot reset, IPv6, a policy query from Postfix, a SIGHUP
# reload of config and database, SIGUSR1 counters, a state save, and a
# clean SIGTERM.  "sandbox = no" because valgrind makes system calls of
# its own that the filter is right to refuse.

. "$(dirname "$0")/../lib.sh"
. "$NG_ROOT/tests/netns.sh"
ngt_need_live valgrind
id nobody >/dev/null 2>&1 || skip "no user nobody"

ngt_init
ngt_topology local
ngt_postfix_policy
ngt_rules_install
ngt_db_build
ngt_gate_conf "sandbox = no" "stats_interval = 1s" "policy_socket = $NGT_SOCK"
ngt_conf_nobody
VG=$NGT_DIR/valgrind.log
NGT_GATE_WRAP="valgrind -q --vgdb=no --error-exitcode=99 --leak-check=full \
--show-leak-kinds=definite,indirect --errors-for-leak-kinds=definite,indirect \
--log-file=$VG"
ngt_gate_start "$NGT_CONF"
NGT_GATE_WRAP=
ngt_expect_gate "starting on queue 0" "start under valgrind" 30
pid=$NGT_GATE_PID
reg=$(ngt_re "$NGT_CLI_A4") reb=$(ngt_re "$NGT_BOT_A4")

ngt_mail_ok "$NGT_CLI_A4" "$NGT_SRV_A4" "good-new"
ngt_expect_gate "PASS NEW \[$reg\]:[0-9]+" "good-new"
ngt_mail_ok "$NGT_CLI_A4" "$NGT_SRV_A4" "good-old"
ngt_expect_gate "PASS OLD \[$reg\]:[0-9]+" "good-old"
grep -q "^X-NFQ-Gate: country=.*; pass=old" "$NGT_PF/mail/mbox" ||
    fail "no policy header in the mailbox"
ngt_mail_ok "$NGT_CLI_A6" "$NGT_SRV_A6" "good-v6"
ngt_bot_reset "$NGT_BOT_A4" "$NGT_SRV_A4" bot
ngt_expect_gate "PREGREET [0-9]+ after [0-9.]+ from \[$reb\]:[0-9]+" "bot"

kill -HUP "$pid" || fail "SIGHUP"
ngt_expect_gate "reloaded .*database" "reload" 10
ngt_gate_usr1
ngt_wait_log "$NGT_DIR/state/pass.state" "$NGT_CLI_A4" 10 ||
    fail "no state save"

ngt_gate_stop 30
rc=$NGT_RC
echo "exit status $rc; valgrind log:"
cat "$VG"
[ "$rc" -ne 99 ] || fail "valgrind found errors or leaks"
[ "$rc" -eq 0 ] || fail "exit status $rc"
grep -q "Invalid\|uninitialised\|definitely lost\|indirectly lost" "$VG" &&
    fail "valgrind report not clean"
ngt_expect_gate "stopped" "clean stop"
echo "valgrind: clean"
exit 0
