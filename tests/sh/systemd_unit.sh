#!/bin/sh
# systemd_unit.sh - the gate survives the shipped unit's confinement.
#
# rules/nfq-gate.service starts the gate as a non-root user with an
# ambient CAP_NET_ADMIN and a SystemCallFilter= allow list.  A system
# call the list lacks kills the gate with SIGSYS, which systemd would
# restart into the same death while mail goes by untested.  There is no
# systemd as PID 1 here, so the test rebuilds the unit's confinement
# from the unit file itself: its SystemCallFilter= lines are expanded
# in order with systemd-analyze (the groups of the systemd installed),
# plus the calls systemd always allows, and tests/helpers/sysfilter
# installs exactly that list before exec, after setpriv has set the
# user, the group postfix and the ambient capability.  The gate then
# does its whole job, policy service included, and must stop cleanly.

. "$(dirname "$0")/../lib.sh"
. "$NG_ROOT/tests/netns.sh"
ngt_need_live setpriv systemd-analyze
SYSF=$NG_BUILD/tests/helpers/sysfilter
[ -x "$SYSF" ] || skip "$SYSF not built"
UNIT=$NG_ROOT/rules/nfq-gate.service

ngt_init
LIST=$NGT_DIR/unit-syscalls
python3 - "$UNIT" >"$LIST" <<'PY' || fail "expanding the unit's filter"
import subprocess, sys

def members(group, seen):
    if group in seen:
        return set()
    seen.add(group)
    out = subprocess.run(["systemd-analyze", "syscall-filter", group],
                         capture_output=True, text=True, check=True).stdout
    names = set()
    for line in out.splitlines()[1:]:
        w = line.strip()
        if not w or w.startswith("#"):
            continue
        names |= members(w, seen) if w.startswith("@") else {w}
    return names

def expand(item):
    return members(item, set()) if item.startswith("@") else {item}

allowed = None
for line in open(sys.argv[1]):
    line = line.strip()
    if not line.startswith("SystemCallFilter="):
        continue
    v = line.split("=", 1)[1].strip()
    deny = v.startswith("~")
    items = set()
    for it in v.lstrip("~").split():
        items |= expand(it)
    if allowed is None:
        if deny:
            sys.exit("the unit's first SystemCallFilter= is a deny list")
        allowed = items
    elif deny:
        allowed -= items
    else:
        allowed |= items
if not allowed:
    sys.exit("no SystemCallFilter= in the unit")
# systemd(1): always permitted with an allow list.
allowed |= {"execve", "exit", "exit_group", "getrlimit", "rt_sigreturn",
            "sigreturn"}
print("\n".join(sorted(allowed)))
PY
echo "the unit allows $(wc -l <"$LIST") system calls"
# The unit says SystemCallErrorNumber=EPERM; the test kills instead, so
# a single forbidden call cannot hide behind an error path.
unset SYSFILTER_ERRNO

ngt_topology local
ngt_postfix_policy
ngt_rules_install
ngt_db_build
ngt_gate_conf "stats_interval = 1s" "policy_socket = $NGT_SOCK"
chmod 644 "$NGT_CONF" "$NGT_DB"
# As DynamicUser= with StateDirectory= makes it: /var/lib/nfq-gate is a
# link to private/nfq-gate (saves once failed after every rename there).
mkdir -m 0711 "$NGT_DIR/private"
mv "$NGT_DIR/state" "$NGT_DIR/private/nfq-gate"
ln -s private/nfq-gate "$NGT_DIR/state"
chown nobody "$NGT_DIR/private/nfq-gate"
NGT_GATE_WRAP=$(ngt_unit_wrap "$SYSF" "$LIST")
ngt_gate_start "$NGT_CONF"
NGT_GATE_WRAP=
pid=$NGT_GATE_PID
ngt_expect_gate "starting on queue 0" "start under the unit's filter"
ngt_expect_gate "seccomp: [0-9]+ syscalls allowed" "the gate's own filter"

reg=$(ngt_re "$NGT_CLI_A4") reb=$(ngt_re "$NGT_BOT_A4")
ngt_mail_ok "$NGT_CLI_A4" "$NGT_SRV_A4" "good-new"
ngt_expect_gate "PASS NEW \[$reg\]:[0-9]+" "good-new"
grep -q "^X-NFQ-Gate: country=" "$NGT_PF/mail/mbox" ||
    fail "no policy header: the policy service did not answer"
ngt_mail_ok "$NGT_CLI_A6" "$NGT_SRV_A6" "good-v6"
ngt_bot_reset "$NGT_BOT_A4" "$NGT_SRV_A4" bot
ngt_expect_gate "PREGREET [0-9]+ after [0-9.]+ from \[$reb\]:[0-9]+" "bot"
kill -HUP "$pid" || fail "SIGHUP"
ngt_expect_gate "reloaded .*database" "reload"
ngt_gate_usr1
XX
ngt_gate_stop
[ "$NGT_RC" -eq 0 ] ||
    fail "exit status $NGT_RC (159 = SIGSYS: a call the unit forbids)"
ngt_expect_gate "stopped" "clean stop"
echo "the gate did its job under the unit's confinement"

# A unit without SystemCallFilter=seccomp (and with the unit's EPERM):
# the gate cannot add its own filter, says so, and still judges mail.
grep -vx seccomp "$LIST" >"$LIST.noseccomp"
mv "$NGT_GATELOG" "$NGT_DIR/gate-unit.log"
SYSFILTER_ERRNO=1; export SYSFILTER_ERRNO
NGT_GATE_WRAP=$(ngt_unit_wrap "$SYSF" "$LIST.noseccomp")
ngt_gate_start "$NGT_CONF"
NGT_GATE_WRAP=
unset SYSFILTER_ERRNO
ngt_expect_gate "seccomp: .*; running without the filter" "fallback warning"
ngt_mail_ok "$NGT_NEW_A4" "$NGT_SRV_A4" "no-own-filter"
ngt_expect_gate "PASS NEW \[$(ngt_re "$NGT_NEW_A4")\]:[0-9]+" "no-own-filter"
ngt_gate_kill TERM
exit 0
