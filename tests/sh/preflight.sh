#!/bin/sh
# preflight.sh - tools/preflight passes on a machine "make deps" made,
# and names the capability and its Debian package when one is missing:
# swaks gone from PATH, and swaks present but unable to speak IPv6 (its
# IO::Socket::INET6 unloadable, as on a root installed without
# Recommends, where 8 live tests failed obscurely before).
. "$(dirname "$0")/../lib.sh"
need_root
PF=$NG_ROOT/tools/preflight
need_cmd swaks perl

"$PF" -q >"$TMP/ok" 2>&1 || fail "preflight on this machine: $(cat "$TMP/ok")"
echo "preflight: this machine has everything"

# PATH without swaks: every other command of PATH, linked.
mkdir -p "$TMP/bin" || fail mkdir
IFS=:
for d in $PATH; do
	for c in "$d"/*; do
		n=${c##*/}
		[ -x "$c" ] && [ ! -e "$TMP/bin/$n" ] && [ "$n" != swaks ] &&
		    ln -s "$c" "$TMP/bin/$n"
	done
done
unset IFS
PATH=$TMP/bin "$PF" -q >"$TMP/noswaks" 2>&1 && fail "preflight passed without swaks"
grep -qx 'preflight: missing command swaks (Debian package swaks)' "$TMP/noswaks" ||
    fail "no swaks line: $(cat "$TMP/noswaks")"
echo "without swaks: $(grep swaks "$TMP/noswaks")"

# swaks without IPv6: an IO::Socket::INET6 that cannot load, first in @INC.
mkdir -p "$TMP/perl/IO/Socket" || fail mkdir
echo 'die "hidden by preflight.sh\n";' >"$TMP/perl/IO/Socket/INET6.pm"
PERL5LIB=$TMP/perl swaks --support 2>&1 | grep -q '^\*\*\* IPv6 not available' ||
    fail "could not hide IO::Socket::INET6 from swaks"
PERL5LIB=$TMP/perl "$PF" -q >"$TMP/no6" 2>&1 && fail "preflight passed, swaks without IPv6"
grep -q '^preflight: missing swaks --support: IPv6: .*(Debian package libio-socket-inet6-perl)$' \
    "$TMP/no6" || fail "no IPv6 line: $(cat "$TMP/no6")"
[ "$(grep -c '^preflight: missing' "$TMP/no6")" = 1 ] ||
    fail "more than swaks reported: $(cat "$TMP/no6")"
echo "swaks without IPv6: $(grep IPv6 "$TMP/no6")"
exit 0
