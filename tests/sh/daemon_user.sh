#!/bin/sh
# daemon_user.sh - the gate started as root refuses, with exit 78
# (EX_CONFIG) and a line naming the culprit:
#   - a `user` that does not exist (it used to run as nobody instead and
#     hand nobody the state directory);
#   - a state_dir that is a symbolic link (it used to chown the link's
#     target to the user), or one a link on the way leads to;
#   - a state_dir writable by others or owned by another user (root would
#     load pass entries anyone could have planted there).
# Nothing is made or chowned either way.  A state_dir that cannot be made
# (a file on the way) is 73, which the unit restarts.  Each start runs in an empty
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
control_socket = $TMP/ctl.sock
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
control_socket = $TMP/ctl.sock
user = nobody
EOF
start "$TMP/link.conf"
[ "$RC" = 78 ] || fail "linked state_dir: exit $RC, want 78"
grep -q "state_dir: $TMP/link: a symbolic link, not followed" "$TMP/out" ||
    fail "linked state_dir: the error does not name it"
got=$(stat -c '%u:%g %a' "$TMP/target")
[ "$got" = "0:0 755" ] || fail "linked state_dir: the target is now $got"

# ---- a link on the way, made by a user ----
mkdir -m 1777 "$TMP/pub"
ln -s "$TMP/target" "$TMP/pub/lnk"
chown -h nobody "$TMP/pub/lnk"
sed -i "s|^state_dir = .*|state_dir = $TMP/pub/lnk/state|" "$TMP/link.conf"
start "$TMP/link.conf"
[ "$RC" = 78 ] || fail "link on the way: exit $RC, want 78"
grep -q "state_dir: $TMP/pub/lnk: a symbolic link, not followed" \
    "$TMP/out" || fail "link on the way: the error does not name it"
[ -e "$TMP/target/state" ] && fail "link on the way: followed by mkdir"

# ---- writable by others, owned by another user ----
mkdir -m 777 "$TMP/open"
sed -i "s|^state_dir = .*|state_dir = $TMP/open|" "$TMP/link.conf"
start "$TMP/link.conf"
[ "$RC" = 78 ] || fail "world-writable state_dir: exit $RC, want 78"
grep -q "state_dir: $TMP/open: writable by group or others (mode 0777)" \
    "$TMP/out" || fail "world-writable state_dir: the error does not say it"
chmod 750 "$TMP/open"
chown 4242:4242 "$TMP/open"
start "$TMP/link.conf"
[ "$RC" = 78 ] || fail "foreign state_dir: exit $RC, want 78"
grep -q "state_dir: $TMP/open: owned by uid 4242" "$TMP/out" ||
    fail "foreign state_dir: the error does not say it"
[ "$(stat -c %u "$TMP/open")" = 4242 ] || fail "foreign state_dir chowned"

# ---- one that cannot be made ----
touch "$TMP/afile"
sed -i "s|^state_dir = .*|state_dir = $TMP/afile/state|" "$TMP/link.conf"
start "$TMP/link.conf"
[ "$RC" = 73 ] || fail "state_dir under a file: exit $RC, want 73"
echo "missing user, linked, open and foreign state_dir refused with 78;" \
    "an uncreatable one 73"
exit 0
