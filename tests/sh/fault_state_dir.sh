#!/bin/sh
# fault_state_dir.sh - the state directory full, then read-only.
#
# A full disk or a read-only remount under /var/lib must not take mail
# down with it: the gate keeps judging (PASS NEW for a new client, PASS
# OLD for one it loaded), logs the failed save once, counts it, and the
# last good pass.state stays intact (the save writes a temporary file
# and renames it, so a failed write never touches the old one).
#
# Each case runs the gate in a private mount namespace (unshare -m)
# where state_dir is covered: by a tiny tmpfs, pre-loaded with the good
# state and then filled up; or by a read-only bind mount of itself.
# The host and the other processes never see either mount; we look at
# the gate's view through /proc/PID/root.

. "$(dirname "$0")/../lib.sh"
. "$NG_ROOT/tests/netns.sh"
ngt_need_live unshare nsenter
unshare -m true 2>/dev/null || skip "cannot make a mount namespace"

ngt_init
ngt_state_fault_gate
cli_re=$(ngt_re "$NGT_CLI_A4")

# A good state to start from: the first client passes, the gate saves.
ngt_gate_start "$NGT_CONF"
ngt_mail_ok "$NGT_CLI_A4" "$NGT_SRV_A4" seed
ngt_gate_kill TERM
grep -q "^$cli_re " "$SD/pass.state" 2>/dev/null ||
    grep -q "$cli_re" "$SD/pass.state" ||
    { cat "$SD/pass.state"; fail "seed: client not in pass.state"; }
cp -p "$SD/pass.state" "$NGT_DIR/pass.good"
ls -l "$SD"

gate_in_mountns() {	# setup-commands label
	ngt_gate_mountns "$1" "$2"
	# The gate's view of state_dir, not ours.
	GSD=/proc/$NGT_GATE_PID/root$SD
}

one_case() {	# label setup-commands new-client [commands-once-started]
	label=$1 new=$3
	gate_in_mountns "$2" "$label"
	grep -q "entries loaded" "$NGT_GATELOG" ||
	    fail "$label: the good state was not loaded"
	if [ -n "$4" ]; then
		nsenter -t "$NGT_GATE_PID" -m -r sh -c "$4" ||
		    fail "$label: $4"
	fi
	# A known client: PASS OLD from the loaded cache.
	ngt_mail_ok "$NGT_CLI_A4" "$NGT_SRV_A4" "$label-old"
	ngt_expect_gate "PASS OLD \[$cli_re\]:[0-9]+" "$label: PASS OLD"
	# A new client: held, PASS NEW; the urgent save fails.
	ngt_mail_ok "$new" "$NGT_SRV_A4" "$label-new"
	[ "$MS" -ge 900 ] || fail "$label: ${MS} ms, greeting not held"
	ngt_expect_gate "PASS NEW \[$(ngt_re "$new")\]:[0-9]+" "$label: PASS NEW"
	ngt_expect_gate "saving state: " "$label: save failure logged" 5
	grep "saving state: " "$NGT_GATELOG"
	# Once per spell, not once a second.
	sleep 2
	[ "$(grep -c "saving state: " "$NGT_GATELOG")" = 1 ] ||
	    fail "$label: the save failure is logged more than once"
	cmp -s "$GSD/pass.state" "$NGT_DIR/pass.good" ||
	    { ls -l "$GSD"; fail "$label: pass.state was changed"; }
	ls -a "$GSD" | grep -q '\.tmp\|\.new' &&
	    { ls -la "$GSD"; fail "$label: a temporary file was left"; }
	# The counter, through SIGUSR1 (the prom file cannot be written
	# either, and says so).
	ngt_gate_usr1
	grep "statistics:" "$NGT_GATELOG" | tail -n 4
	grep "statistics: state_saves=" "$NGT_GATELOG" | tail -n 1 |
	    grep -qE "state_save_errors=[1-9]" ||
	    fail "$label: state_save_errors not counted in the statistics"
	kill -0 "$NGT_GATE_PID" || fail "$label: gate died"
	ngt_gate_kill TERM
	# The failed shutdown save did not hurt the file either.
	cmp -s "$SD/pass.state" "$NGT_DIR/pass.good" ||
	    fail "$label: pass.state changed on disk"
	echo "$label: ok"
}

# 1. Full: a 64 kB tmpfs over state_dir holding the good files, then
# filled to the last block.
one_case full "mount -t tmpfs -o size=64k,mode=0750 ngt-full '$SD' &&
    cp -p '$NGT_DIR/pass.good' '$SD/pass.state' &&
    { dd if=/dev/zero of='$SD/fill' bs=4k 2>/dev/null; true; }" \
    "$NGT_NEW_A4"
grep -qiE "saving state: .*(No space|space left)" "$NGT_GATELOG" ||
    fail "full: the failure does not name ENOSPC"
grep -q "nfq-gate.prom" "$NGT_GATELOG" || echo "(no prom write failure logged)"

# 2. Read-only: state_dir bind-mounted onto itself, remounted read-only
# under the running gate (a gate refuses to start on a state_dir it
# cannot write; a remount while it runs must not stop it judging).
one_case readonly "mount --bind '$SD' '$SD'" "$NGT_BOT_A4" \
    "mount -o remount,bind,ro '$SD'"
grep -qiE "saving state: .*Read-only" "$NGT_GATELOG" ||
    fail "readonly: the failure does not name EROFS"

# Back to a writable directory: the same gate config saves again.
ngt_gate_start "$NGT_CONF"
ngt_mail_ok "$NGT_NEW_A4" "$NGT_SRV_A4" writable
ngt_expect_gate "PASS NEW \[$(ngt_re "$NGT_NEW_A4")\]:[0-9]+" "writable"
n=0
until grep -q "$(ngt_re "$NGT_NEW_A4")" "$SD/pass.state"; do
	n=$((n + 1)); [ $n -lt 40 ] || fail "writable: not saved"
	sleep 0.1
done
echo "state dir fault test passed"
exit 0
