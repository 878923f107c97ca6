#!/bin/sh
# daemon_user.sh - the gate started as root refuses, with exit 78
# (EX_CONFIG) and a line naming the culprit:
#   - a `user` that does not exist (it used to run as nobody instead and
#     hand nobody the state directory);
#   - a state_dir that is a symbolic link (it used to chown the link's
#     target to the user).
# Nothing is made or chowned either way.  Each start runs in an empty
# network namespace of its own (unshare -n) under a timeout, so a gate
# that wrongly starts binds no queue of the host's and cannot hang.

. "$(dirname "$0")/../lib.sh"
[ "$(id -u)" = 0 ] || skip "needs root"
need_cmd unshare timeout
unshare -n true 2>/dev/null || skip "cannot make a network namespace"
id nobody >/dev/null 2>&1 || skip "no user nobody"

start() {	# config; sets RC, output in $TMP/out
	timeout 10 unshare -n "$GATE" -c "$1" -q 0 -f --no-syslog \
	    >"$TMP/out" 2>&1
	RC=$?
	cat "$TMP/out"
}

# ---- a user that does not exist ----
cat >"$TMP/nouser.conf" <<EOF
state_dir = $TMP/state
user = nfqg-no-such-user
EOF
start "$TMP/nouser.conf"
[ "$RC" = 78 ] || fail "missing user: exit $RC, want 78"
grep -q 'user: no user "nfqg-no-such-user"' "$TMP/out" ||
    fail "missing user: the error does not name it"
grep -qi nobody "$TMP/out" && fail "missing user: fell back to nobody"
[ -e "$TMP/state" ] && fail "missing user: state_dir was made anyway"

# ---- state_dir a symbolic link ----
mkdir -m 755 "$TMP/target"
ln -s "$TMP/target" "$TMP/link"
cat >"$TMP/link.conf" <<EOF
state_dir = $TMP/link
user = nobody
EOF
start "$TMP/link.conf"
[ "$RC" = 78 ] || fail "linked state_dir: exit $RC, want 78"
grep -q "state_dir: $TMP/link: a symbolic link, not followed" "$TMP/out" ||
    fail "linked state_dir: the error does not name it"
got=$(stat -c '%u:%g %a' "$TMP/target")
[ "$got" = "0:0 755" ] || fail "linked state_dir: the target is now $got"
echo "missing user and linked state_dir refused with 78"
exit 0
