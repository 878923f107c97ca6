#!/bin/sh
# daemon_seccomp.sh - the live gate under its seccomp filter, as nobody.
#
# The gate runs in front of a real Postfix as user nobody with the
# default "sandbox = yes".  It must still do its whole job (PASS NEW,
# PREGREET, a SIGHUP reload of config and database, a state save, the
# counters, a clean SIGTERM), and /proc/PID/status must show least
# privilege: not root, CAP_NET_ADMIN only, no ambient capabilities,
# NoNewPrivs 1 and Seccomp 2 (filter mode).  That the filter refuses
# what it must (inet sockets, netlink protocols other than
# NETLINK_NETFILTER, ioctls other than TCGETS and executable mappings
# get EPERM, exec and fork kill) is shown by tests/unit/test_sandbox.c on
# the same ng_sandbox_enter().  Here strace, attached to every thread of
# the gate once the filter is in, proves no call of the whole job is
# refused: a refused call is an EPERM the code may not even log.

. "$(dirname "$0")/../lib.sh"
. "$NG_ROOT/tests/netns.sh"
ngt_need_live
id nobody >/dev/null 2>&1 || skip "no user nobody"

ngt_local_gate
ngt_conf_nobody
# strace is attached below: LeakSanitizer (an asan build) cannot be.
ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0
export ASAN_OPTIONS
ngt_gate_start "$NGT_CONF"
pid=$NGT_GATE_PID

ngt_expect_gate "seccomp: [0-9]+ syscalls allowed" "sandbox entered"
grep -o "seccomp: [0-9]* syscalls allowed" "$NGT_GATELOG"
command -v strace >/dev/null || skip "strace not installed"
STRACE=$NGT_DIR/gate.strace
strace -f -qq -p "$pid" -o "$STRACE" 2>"$NGT_DIR/strace.err" & spid=$!
n=0	# attached when the kernel names a tracer
until [ "$(awk '$1 == "TracerPid:" { print $2 }' /proc/$pid/status)" != 0 ]; do
	n=$((n + 1))
	[ $n -lt 50 ] || { cat "$NGT_DIR/strace.err"; fail "strace did not attach"; }
	sleep 0.1
done

# ---- least privilege, read from the kernel ----
st=/proc/$pid/status
[ -r "$st" ] || fail "no $st"
field() { awk -v k="$1:" '$1 == k { print $2 }' "$st"; }
uid=$(field Uid) cape=$(field CapEff) capp=$(field CapPrm)
capi=$(field CapInh) capa=$(field CapAmb) capb=$(field CapBnd)
nnp=$(field NoNewPrivs) sec=$(field Seccomp)
echo "status: Uid=$uid CapEff=$cape CapPrm=$capp CapInh=$capi" \
    "CapAmb=$capa CapBnd=$capb NoNewPrivs=$nnp Seccomp=$sec"
[ "$uid" = "$(id -u nobody)" ] || fail "gate runs as uid $uid, not nobody"
[ "$uid" != 0 ] || fail "gate still root"
[ "$cape" = 0000000000001000 ] || fail "CapEff $cape, want CAP_NET_ADMIN only"
[ "$capp" = 0000000000001000 ] || fail "CapPrm $capp, want CAP_NET_ADMIN only"
[ "$capi" = 0000000000000000 ] || fail "CapInh $capi, want none"
[ "$capa" = 0000000000000000 ] || fail "CapAmb $capa, want none"
[ "$nnp" = 1 ] || fail "NoNewPrivs $nnp"
[ "$sec" = 2 ] || fail "Seccomp $sec, want 2 (filter)"

# ---- the gate still works under the filter ----
reg=$(ngt_re "$NGT_CLI_A4") reb=$(ngt_re "$NGT_BOT_A4")
ngt_mail_ok "$NGT_CLI_A4" "$NGT_SRV_A4" "good-new"
[ "$MS" -ge 1900 ] || fail "good-new: ${MS} ms, the greeting was not held"
ngt_expect_gate "PASS NEW \[$reg\]:[0-9]+" "good-new"

ngt_bot_reset "$NGT_BOT_A4" "$NGT_SRV_A4" bot
ngt_expect_gate "PREGREET [0-9]+ after [0-9.]+ from \[$reb\]:[0-9]+" "bot"

# A state save (PASS NEW asks for one within a second): open, write,
# fsync, rename as nobody under the filter.
ngt_wait_log "$NGT_DIR/state/pass.state" "." 5 ||
    fail "no pass.state written under the filter"
owner=$(stat -c %U "$NGT_DIR/state/pass.state")
[ "$owner" = nobody ] || fail "pass.state owned by $owner"

# SIGHUP: config, allow file and database read again under the filter.
echo "198.51.100.99/32" >"$NGT_DIR/allow.txt"
chmod 644 "$NGT_DIR/allow.txt"
echo "allow_file = $NGT_DIR/allow.txt" >>"$NGT_CONF"
kill -HUP "$pid" || fail "SIGHUP"
ngt_expect_gate "reloaded .*database" "SIGHUP reload"
grep -q "reload failed" "$NGT_GATELOG" && fail "reload failed under the filter"
ngt_mail_ok "$NGT_CLI_A4" "$NGT_SRV_A4" "good-old"
ngt_expect_gate "PASS OLD \[$reg\]:[0-9]+" "good-old after reload"
ngt_gate_usr1

grep -iE "operation not permitted|EPERM" "$NGT_GATELOG" &&
    fail "a call was refused during normal work"
kill -0 "$pid" 2>/dev/null || fail "gate died under the filter"
ngt_gate_stop
[ "$NGT_RC" -eq 0 ] || fail "gate exit status $NGT_RC after SIGTERM"
ngt_expect_gate "stopped" "clean stop"
ngt_wait_log "$NGT_DIR/state/pass.state" "$NGT_CLI_A4" 1 ||
    grep -q . "$NGT_DIR/state/pass.state" ||
    fail "pass.state empty after stop"

# ---- no call was refused, in any thread ----
wait $spid
echo "calls made under the filter:" $(sed -n 's/^[0-9]* *\([a-z_0-9]*\)(.*/\1/p' \
    "$STRACE" | sort -u)
echo "ioctl requests:" $(sed -n 's/^[0-9]* *ioctl([0-9]*, \([A-Z_0-9x]*\).*/\1/p' \
    "$STRACE" | sort -u)
grep -E "= -1 EPERM" "$STRACE" && fail "calls refused by the filter (above)"
grep -q "PROT_EXEC" "$STRACE" && fail "an executable mapping was asked for"
[ "$(sed -n 's/^\([0-9]*\) .*/\1/p' "$STRACE" | sort -u | wc -l)" -ge 1 ] ||
    fail "strace saw nothing"

echo "all seccomp checks passed"
exit 0
