# tests/netns.sh - the live-test harness: network namespaces, a private
# Postfix, the gate and SMTP clients, for the live tests and "make demo".
# Sourced after tests/lib.sh (which sets $NG_ROOT, $TMP, $GATE, $GATEDB,
# fail and skip).  The functions (all named ngt_*) live in tests/netns/,
# one file per thing they build, each listing its functions at the top;
# this file only loads them, in this order:
#
#   topology.sh  namespaces, links, addresses, routes; ngt_init, ngt_cleanup
#   postfix.sh   the private Postfix in the server namespace
#   gate.sh      rules, database, config; starting and stopping the gate;
#                waiting for log lines; its counters
#   clients.sh   swaks, the pre-greeting bot, the SYN flooder
#   sender.sh    a sending Postfix and dnsmasq in the client namespace
#                (greylisting and nolisting tests)
#   mx.sh        several MX hosts: two Postfix hosts, each behind its
#                own gate, sharing Redis, a trap MX, the MX records
#                (mx_shared.sh and "make demo-mx")
#
# A live test, in short:
#
#   ngt_need_live                 skip unless root and the tools are there
#   ngt_init                      names, directory, EXIT trap (ngt_cleanup)
#   ngt_topology local|gateway
#   ngt_postfix_start
#   ngt_rules_install
#   ngt_db_build
#   ngt_gate_conf [LINES]         (ngt_local_gate does init to here)
#   ngt_gate_start "$NGT_CONF"
#   ngt_mail_ok / ngt_bot_reset / ngt_expect_gate / ngt_expect_maillog ...
#
# The parts are found through $NG_ROOT whatever the caller's cwd; without
# it, from the cwd, which must then be the project root.

. "${NG_ROOT:-.}/tests/netns/topology.sh"
. "${NG_ROOT:-.}/tests/netns/postfix.sh"
. "${NG_ROOT:-.}/tests/netns/gate.sh"
. "${NG_ROOT:-.}/tests/netns/clients.sh"
. "${NG_ROOT:-.}/tests/netns/sender.sh"
. "${NG_ROOT:-.}/tests/netns/mx.sh"
