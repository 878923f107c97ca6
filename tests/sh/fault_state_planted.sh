#!/bin/sh
# fault_state_planted.sh - FIFOs and symbolic links planted in state_dir.
#
# Whoever can write to state_dir (the gate's own user, after a
# compromise, or an admin's mistake) could plant a FIFO, which would hang
# the open() of a load at start-up or of a save in the loop, or a link,
# which would be followed to read or overwrite its target.  Here: a FIFO
# at pass.state and at greylist.state.tmp, links at penalty.state (to a
# penalty file that lists the bot) and at pass.state.tmp (to a file that
# must stay as it is).  The gate must start, say what it refused, judge
# the bot afresh (PREGREET, not PENALTY from the linked file), save, and
# leave both link targets untouched.

. "$(dirname "$0")/../lib.sh"
. "$NG_ROOT/tests/netns.sh"
ngt_need_live mkfifo

ngt_local_gate
SD=$NGT_DIR/state
printf 'nfq-gate-state 1 penalty\n%s/32 1000 99999999999 1\nend 1\n' \
    "$NGT_BOT_A4" >"$NGT_DIR/victim"
echo "not a state file" >"$NGT_DIR/victim2"
cp "$NGT_DIR/victim" "$NGT_DIR/victim.orig"
cp "$NGT_DIR/victim2" "$NGT_DIR/victim2.orig"
mkfifo "$SD/pass.state" "$SD/greylist.state.tmp"
ln -s "$NGT_DIR/victim" "$SD/penalty.state"
ln -s "$NGT_DIR/victim2" "$SD/pass.state.tmp"
ls -la "$SD"

ngt_gate_start "$NGT_CONF"
ngt_expect_gate "starting on queue" "start-up with planted files"
ngt_expect_gate "state: .*/pass.state: a FIFO, not read" "FIFO logged"
ngt_expect_gate "state: .*/penalty.state: a symbolic link, not followed" \
    "link logged"

# Judged afresh: the linked penalty file was not read.
ngt_bot_reset "$NGT_BOT_A4" "$NGT_SRV_A4" bot
ngt_expect_gate "PREGREET [0-9]+ after [0-9.]+ from \[$(ngt_re "$NGT_BOT_A4")\]" \
    "bot"
grep -q "PENALTY \[$(ngt_re "$NGT_BOT_A4")\]" "$NGT_GATELOG" &&
    fail "the bot was refused from the linked penalty file"
ngt_mail_ok "$NGT_CLI_A4" "$NGT_SRV_A4" new
ngt_expect_gate "PASS NEW \[$(ngt_re "$NGT_CLI_A4")\]" "new"

# The urgent save replaces what was planted, through no link.
n=0
until [ -f "$SD/pass.state" ] && [ ! -L "$SD/pass.state" ] &&
    grep -q "$(ngt_re "$NGT_CLI_A4")" "$SD/pass.state"; do
	n=$((n + 1))
	[ $n -lt 50 ] || { ls -la "$SD"; cat "$NGT_GATELOG"; fail "not saved"; }
	sleep 0.1
done
for f in pass penalty greylist; do
	[ -f "$SD/$f.state" ] && [ ! -L "$SD/$f.state" ] ||
	    { ls -la "$SD"; fail "$f.state is not a regular file"; }
	[ -e "$SD/$f.state.tmp" ] || [ -L "$SD/$f.state.tmp" ] &&
	    { ls -la "$SD"; fail "$f.state.tmp left behind"; }
done
cmp -s "$NGT_DIR/victim" "$NGT_DIR/victim.orig" ||
    fail "the penalty.state link target was changed"
cmp -s "$NGT_DIR/victim2" "$NGT_DIR/victim2.orig" ||
    fail "the pass.state.tmp link target was changed"
grep -q "saving state" "$NGT_GATELOG" && fail "a save failed"

# Still judging, and it stops cleanly.
ngt_mail_ok "$NGT_CLI_A4" "$NGT_SRV_A4" old
ngt_expect_gate "PASS OLD \[$(ngt_re "$NGT_CLI_A4")\]" "old"
ngt_gate_stop 15
[ "$NGT_RC" = 0 ] || fail "exit status $NGT_RC"
echo "planted state files test passed"
exit 0
