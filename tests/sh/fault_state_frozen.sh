#!/bin/sh
# fault_state_frozen.sh - a disk that stops answering: state_dir frozen.
#
# state_dir is a small ext4 image, loop-mounted in the gate's own mount
# namespace, and frozen with fsfreeze(8): from then on every write to it,
# the state save's open of its .tmp included, sleeps in the kernel until
# the thaw, as on a dead disk or a hung NFS server.  The save runs in the
# writer thread, so the packet loop must not notice: while frozen, a
# known client gets PASS OLD with no pause, a new one PASS NEW after the
# usual pause, a bot is reset.  After the thaw the pending save lands.
# Frozen again, SIGTERM: the gate unbinds its queue (a new client gets
# through unjudged at once), waits its 10 s for the final save, says it
# could not finish, and exits once the disk answers (a thread asleep in
# a frozen filesystem cannot be killed before that).

. "$(dirname "$0")/../lib.sh"
. "$NG_ROOT/tests/netns.sh"
ngt_need_live unshare fsfreeze nsenter mkfs.ext4
unshare -m true 2>/dev/null || skip "cannot make a mount namespace"

ngt_init
FROZEN=
# Through any task of the gate: once its main thread has exited, a
# writer thread stuck on the frozen disk keeps the mount namespace (and
# the process, a zombie) alive, and only a thaw lets it go.
thaw() {
	[ -n "$FROZEN" ] && [ -n "$NGT_GATE_PID" ] || return 0
	for t in "$NGT_GATE_PID" $(ls "/proc/$NGT_GATE_PID/task" 2>/dev/null); do
		nsenter -t "$t" -m -r fsfreeze -u "$SD" 2>/dev/null && break
	done
	FROZEN=
}
freeze() {
	nsenter -t "$NGT_GATE_PID" -m -r fsfreeze -f "$SD" || fail "fsfreeze"
	FROZEN=1
}
# Saved: ADDR in the gate's pass.state within 5 s; a copy kept.
saved() {	# addr what
	n=0
	until grep -q "$(ngt_re "$1")" "$GSD/pass.state" 2>/dev/null; do
		n=$((n + 1)); [ $n -lt 50 ] || fail "$2: not saved"; sleep 0.1
	done
	cp "$GSD/pass.state" "$NGT_DIR/pass.good"
}
trap 'rc=$?; thaw; (exit $rc); ngt_cleanup' EXIT
ngt_state_fault_gate
IMG=$NGT_DIR/state.img
truncate -s 32M "$IMG" && mkfs.ext4 -q -F "$IMG" || skip "mkfs.ext4 failed"

ngt_gate_mountns "mount -o loop '$IMG' '$SD'" frozen ||
    skip "cannot loop-mount an image here"
GSD=/proc/$NGT_GATE_PID/root$SD
grep -q "$IMG\|loop" "/proc/$NGT_GATE_PID/mountinfo" ||
    fail "state_dir is not the image in the gate's namespace"
ngt_mail_ok "$NGT_CLI_A4" "$NGT_SRV_A4" seed
ngt_expect_gate "PASS NEW \[$(ngt_re "$NGT_CLI_A4")\]" seed
saved "$NGT_CLI_A4" seed

freeze
echo "frozen"
# A save is due within a second of this PASS NEW; it hangs in the thread.
ngt_mail_ok "$NGT_NEW_A4" "$NGT_SRV_A4" new-frozen
[ "$MS" -ge 900 ] && [ "$MS" -lt 2500 ] ||
    fail "new-frozen: ${MS} ms (the greet pause is 1 s)"
ngt_expect_gate "PASS NEW \[$(ngt_re "$NGT_NEW_A4")\]" new-frozen
sleep 2		# the save is stuck in the kernel by now
cpu() { awk '{ print $14 + $15 }' "/proc/$NGT_GATE_PID/stat"; }	# ticks
c0=$(cpu)
for i in 1 2 3; do
	ngt_mail_ok "$NGT_CLI_A4" "$NGT_SRV_A4" "old-frozen$i"
	[ "$MS" -lt 900 ] || fail "old-frozen$i: ${MS} ms, held while frozen"
done
ngt_bot_reset "$NGT_BOT_A4" "$NGT_SRV_A4" bot-frozen
sleep 3
# Waiting is not spinning: the loop sleeps while the thread is stuck.
c1=$(cpu) hz=$(getconf CLK_TCK)
echo "gate CPU while frozen: $((c1 - c0)) ticks of 1/$hz s"
[ $((c1 - c0)) -lt $((hz / 10)) ] ||
    fail "the gate used $((c1 - c0)) ticks of CPU while the disk was frozen"
grep -E "saving state|PASS OLD" "$NGT_GATELOG" | tail -n 3
grep -q "saving state" "$NGT_GATELOG" && fail "a save failed while it waited"
grep -q "$(ngt_re "$NGT_NEW_A4")" "$GSD/pass.state" &&
    fail "pass.state changed on a frozen disk?"
thaw
echo "thawed"
saved "$NGT_NEW_A4" "after the thaw"

# Frozen at shutdown: bounded, then out once the disk answers.
freeze
stop0=$(date +%s)
kill -TERM "$NGT_GATE_PID"
# The queue is unbound once the held packets are out: while the final
# save waits on the disk, --queue-bypass lets a new client through at
# once (it used to sit in a bound queue nobody read).
sleep 1
kill -0 "$NGT_GATE_PID" || fail "the gate exited before its final save"
ngt_mail_ok "$NGT_BOT_A4" "$NGT_SRV_A4" during-final-save
[ "$MS" -lt 900 ] || fail "during the final save: ${MS} ms"
ngt_expect_gate "saving state: the (last|final) save is still being written after 10s" \
    "bounded final save" 15
t1=$(date +%s)
echo "final save given up after $((t1 - stop0)) s"
[ $((t1 - stop0)) -le 13 ] || fail "the stop took $((t1 - stop0)) s (budget 12 s)"
thaw
n=0
while kill -0 "$NGT_GATE_PID" 2>/dev/null; do
	n=$((n + 1)); [ $n -lt 50 ] || fail "no exit after the thaw"; sleep 0.1
done
wait "$NGT_GATE_PID"; rc=$?
NGT_GATE_PID=
[ $rc -eq 0 ] || fail "exit status $rc"
grep -q "stopped" "$NGT_GATELOG" || fail "no stop line"
echo "frozen state dir test passed"
exit 0
