#!/bin/sh
# fault_corrupt_state.sh - a damaged pass.state at start-up.
#
# A disk error or a half-written file from another tool must not keep
# the gate down, nor be silently overwritten: the gate renames the bad
# file aside (pass.state.corrupt-TIME, for a human to look at), says so
# in its log, starts with an empty pass cache and does its job (a known
# client is new again: PASS NEW after the whole pause), and later saves
# a good pass.state beside the corrupt copy.

. "$(dirname "$0")/../lib.sh"
. "$NG_ROOT/tests/netns.sh"
ngt_need_live

ngt_init
ngt_topology local
ngt_postfix_start
ngt_rules_install --family 4
ngt_db_build
ngt_gate_conf
sed -i "s/^greet_pause = .*/greet_pause = 1s/" "$NGT_CONF"

# Looks like a state file for a line or two, then rubbish.
st=$NGT_DIR/state/pass.state
printf 'nfq-gate state pass 1\n198.51.100.10 99999999999999 garbage\n\001\002\377 not a state line\n' >"$st"
cp "$st" "$NGT_DIR/corrupt.orig"
for k in penalty greylist; do : >"$NGT_DIR/state/$k.state"; done

ngt_gate_start "$NGT_CONF"
ngt_expect_gate "state: .*pass\.state.*set aside as .*pass\.state\.corrupt-[0-9]+" \
    "corrupt file reported"
set -- "$NGT_DIR"/state/pass.state.corrupt-*
[ -f "$1" ] || { ls -l "$NGT_DIR/state"; fail "no pass.state.corrupt-* file"; }
cmp -s "$1" "$NGT_DIR/corrupt.orig" || fail "the set-aside copy differs"
echo "set aside as $(basename "$1")"
kill -0 "$NGT_GATE_PID" || fail "gate died"

# Clean start: the client named in the rubbish is new and waits.
ngt_mail_ok "$NGT_CLI_A4" "$NGT_SRV_A4" clean-start
[ "$MS" -ge 900 ] || fail "clean-start: ${MS} ms, greeting not held"
ngt_expect_gate "PASS NEW \[$(ngt_re "$NGT_CLI_A4")\]:[0-9]+" "PASS NEW"
ngt_mail_ok "$NGT_CLI_A4" "$NGT_SRV_A4" again
ngt_expect_gate "PASS OLD \[$(ngt_re "$NGT_CLI_A4")\]:[0-9]+" "PASS OLD"
ngt_bot_reset "$NGT_BOT_A4" "$NGT_SRV_A4" bot 4

# A good pass.state is written beside the corrupt copy.
n=0
until grep -q "$(ngt_re "$NGT_CLI_A4")" "$st" 2>/dev/null; do
	n=$((n + 1)); [ $n -lt 40 ] || fail "no new pass.state written"
	sleep 0.1
done
[ -f "$1" ] || fail "the corrupt copy went away"
ngt_gate_kill TERM
# And the new file is good: a restart loads it without complaint.
: >"$NGT_GATELOG"
ngt_gate_start "$NGT_CONF"
grep -q "corrupt" "$NGT_GATELOG" && fail "the new pass.state is corrupt too"
ngt_mail_ok "$NGT_CLI_A4" "$NGT_SRV_A4" restart
ngt_expect_gate "PASS OLD \[$(ngt_re "$NGT_CLI_A4")\]:[0-9]+" "restart PASS OLD"
echo "corrupt state test passed"
exit 0
