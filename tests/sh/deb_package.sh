#!/bin/sh
# deb_package.sh - debian/ builds nfq-gate_*.deb with dpkg-buildpackage,
# lintian has nothing to say (beyond the overrides, each with its reason),
# and the package installs into a fresh Debian 12 root (tools/mkroot: an
# mmdebstrap --variant=apt root plus systemd, cached under build/roots for
# the day) with "dpkg -i" and "apt-get install -f": programs, man pages,
# rules, the sample config, the fail2ban files and the SpamAssassin
# rules (/etc/spamassassin/nfq-gate.cf) as conffiles, the
# system user the unit's User= names, /var/lib/nfq-gate owned by it, the
# units verified by systemd-analyze inside the root and left disabled, a
# database built where the README says.  Then remove keeps the config and
# state, and purge (with autoremove of what apt-get -f brought) leaves no
# file the root did not have before, apart from the user's lines in
# /etc/passwd and friends (sysusers.d never deletes a user).
#
# The source is copied (without build/ and .git), so the build's
# "make clean" never touches this checkout.
. "$(dirname "$0")/../lib.sh"
need_root
need_cmd mmdebstrap dpkg-buildpackage dh fakeroot lintian
[ -f "$NG_ROOT/debian/control" ] || skip "no debian/ in $NG_ROOT"
T0=$(date +%s)
R=$TMP/root

# Undo the root's /proc before lib.sh's trap removes $TMP.
cleanup() {
	umount "$R/proc" 2>/dev/null
	grep -q " $R/" /proc/self/mounts && umount -l "$R/proc"
	rm -rf --one-file-system "$TMP"
}
trap cleanup EXIT

# in_root - run a command in the root with a plain PATH.
in_root() {
	chroot "$R" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
	    LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive "$@"
}

# The build, from a copy.
mkdir -p "$TMP/src/nfq-gate" || fail mkdir
(cd "$NG_ROOT" && tar --exclude=./build --exclude=./.git -cf - .) |
    tar -C "$TMP/src/nfq-gate" -xf - || fail "copy the source"
(cd "$TMP/src/nfq-gate" &&
    DEB_BUILD_OPTIONS="nocheck parallel=2" dpkg-buildpackage -us -uc -b) \
    >"$TMP/build.log" 2>&1 ||
    { tail -30 "$TMP/build.log" >&2; fail "dpkg-buildpackage failed"; }
DEB=$(ls "$TMP"/src/nfq-gate_*_*.deb 2>/dev/null | head -1)
[ -f "$DEB" ] || fail "no nfq-gate_*.deb: $(ls "$TMP/src")"
T1=$(date +%s)
echo "built $(basename "$DEB") in $((T1 - T0)) s"

# lintian: no tag at all (informational ones included; overrides are in
# debian/nfq-gate.lintian-overrides, each with its reason).
lintian -I --pedantic "$TMP"/src/nfq-gate_*.changes >"$TMP/lintian" 2>&1 ||
    { cat "$TMP/lintian" >&2; fail "lintian exited $?"; }
grep -E '^[EWIPX]: ' "$TMP/lintian" &&
    fail "lintian: $(grep -cE '^[EWIPX]: ' "$TMP/lintian") tags"
T2=$(date +%s)
echo "lintian clean ($((T2 - T1)) s)"

# A fresh root with systemd (systemd-analyze, sysusers), nothing else of ours;
# netbase too, since iptables pulls it in and apt never autoremoves an
# important package.
"$NG_ROOT/tools/mkroot" -c "$NG_ROOT/build/roots" "$R" --include=systemd,netbase \
    >"$TMP/root.log" 2>&1 || { tail -20 "$TMP/root.log" >&2; fail "mkroot"; }
mount -t proc proc "$R/proc" || fail "mount proc"
cp -L /etc/resolv.conf "$R/etc/resolv.conf" 2>/dev/null
T3=$(date +%s)
echo "root ready in $((T3 - T2)) s"

# snapshot - every path in the root a package could leave, with owner and
# mode (not apt's and dpkg's own state, logs, caches).
snapshot() {
	(cd "$R" && find . -xdev \( -path ./proc -o -path ./dev -o -path ./run \
	    -o -path ./tmp -o -path ./var/lib/dpkg -o -path ./var/lib/apt \
	    -o -path ./var/cache -o -path ./var/log -o -path ./src \) -prune \
	    -o -printf '%p %U %m\n' | grep -v '^\./etc/ld\.so\.cache ' |
	    sort)
}
snapshot >"$TMP/before"

cp "$DEB" "$R/tmp/" || fail "cp deb"
in_root dpkg -i "/tmp/$(basename "$DEB")" >"$TMP/dpkg.log" 2>&1 &&
    fail "dpkg -i succeeded in a root without the libraries: test is wrong"
in_root apt-get update -qq >"$TMP/apt.log" 2>&1 &&
    in_root apt-get install -f -y -qq --no-install-recommends \
	>>"$TMP/apt.log" 2>&1 ||
    { tail -20 "$TMP/apt.log" >&2; fail "apt-get install -f"; }
st=$(in_root dpkg-query -W -f='${db:Status-Status}' nfq-gate)
[ "$st" = installed ] || fail "nfq-gate is '$st' after apt-get install -f"
grep -q "installed stopped and disabled" "$TMP/dpkg.log" "$TMP/apt.log" ||
    fail "no postinst note that the gate is left stopped"
T4=$(date +%s)
echo "installed with dpkg -i and apt-get install -f in $((T4 - T3)) s"

# Files.
for f in usr/sbin/nfq-gate usr/sbin/nfq-gate-db usr/sbin/nfq-gate-ctl \
    usr/sbin/nfq-gate-fetch usr/sbin/nfq-gate-rules; do
	[ -x "$R/$f" ] || fail "no /$f"
done
for f in etc/nfq-gate/nfq-gate.conf etc/fail2ban/filter.d/nfq-gate.conf \
    etc/fail2ban/jail.d/nfq-gate.conf lib/systemd/system/nfq-gate.service \
    lib/systemd/system/nfq-gate-fetch.service \
    lib/systemd/system/nfq-gate-fetch.timer usr/lib/sysusers.d/nfq-gate.conf \
    usr/share/man/man8/nfq-gate.8.gz usr/share/man/man8/nfq-gate-db.8.gz \
    usr/share/man/man8/nfq-gate-ctl.8.gz \
    usr/share/bash-completion/completions/nfq-gate-ctl \
    usr/share/man/man8/nfq-gate-rules.8.gz \
    usr/share/man/man8/nfq-gate-fetch.8.gz \
    usr/share/man/man5/nfq-gate.conf.5.gz \
    usr/share/nfq-gate/rules/nfq-gate.rules \
    usr/share/nfq-gate/rules/nfq-gate6.rules \
    usr/share/nfq-gate/rules/nfq-gate-gateway.rules \
    usr/share/nfq-gate/rules/nfq-gate6-gateway.rules \
    usr/share/nfq-gate/rules/nfq-gate.nft \
    usr/share/nfq-gate/rules/netblocks-sample.csv \
    etc/spamassassin/nfq-gate.cf etc/nfq-gate/nfq-gate.fp; do
	[ -f "$R/$f" ] || fail "no /$f"
done
# dh_compress gzips a document over 4 kB: either name is the one.
[ -f "$R/usr/share/doc/nfq-gate/README.Debian" ] ||
    [ -f "$R/usr/share/doc/nfq-gate/README.Debian.gz" ] ||
    fail "no /usr/share/doc/nfq-gate/README.Debian(.gz)"
conf=$(in_root dpkg-query -W -f='${Conffiles}\n' nfq-gate | awk 'NF { print $1 }' | sort | tr '\n' ' ')
want="/etc/fail2ban/filter.d/nfq-gate.conf /etc/fail2ban/jail.d/nfq-gate.conf /etc/nfq-gate/nfq-gate.conf /etc/nfq-gate/nfq-gate.fp /etc/spamassassin/nfq-gate.cf "
[ "$conf" = "$want" ] || fail "conffiles '$conf', want '$want'"
grep -q '^enabled *= *false' "$R/etc/fail2ban/jail.d/nfq-gate.conf" ||
    fail "the jail is not disabled"
grep -q '^backend *= *systemd' "$R/etc/fail2ban/jail.d/nfq-gate.conf" ||
    fail "the jail does not read the journal"
grep -q /usr/local "$R"/lib/systemd/system/nfq-gate* &&
    fail "a unit names /usr/local"

# The user, the one the unit runs as, owns the state directory.
pw=$(in_root getent passwd nfq-gate) || fail "no user nfq-gate"
uid=$(echo "$pw" | cut -d: -f3)
[ "$uid" -lt 1000 ] || fail "nfq-gate is not a system user: $pw"
case $pw in *:/usr/sbin/nologin|*:/sbin/nologin|*:/bin/false) ;;
*) fail "nfq-gate can log in: $pw" ;; esac
unit_user=$(sed -n 's/^User=//p' "$R/lib/systemd/system/nfq-gate.service")
[ "$unit_user" = nfq-gate ] || fail "unit User=$unit_user, not the package's user"
own=$(in_root stat -c '%U:%G %a' /var/lib/nfq-gate)
[ "$own" = "nfq-gate:nfq-gate 750" ] || fail "/var/lib/nfq-gate is $own"

# Remove stops a running gate (prerm), upgrade restarts one (postinst,
# through deb-systemd-invoke, which never starts a disabled unit).
dpkg-deb -e "$DEB" "$TMP/ctl" || fail "dpkg-deb -e"
grep -q "deb-systemd-invoke stop .*nfq-gate.service" "$TMP/ctl/prerm" ||
    fail "prerm does not stop nfq-gate.service on remove"
grep -q "deb-systemd-invoke \$_dh_action .*nfq-gate.service" "$TMP/ctl/postinst" ||
    fail "postinst does not restart nfq-gate.service on upgrade"

# The units: systemd-analyze verify inside the root (every command they
# name must exist there: /bin/kill comes from procps, a Depends), all
# disabled.  --man=no: the root has no man-db; the pages are checked above.
in_root systemd-analyze verify --man=no /lib/systemd/system/nfq-gate.service \
    /lib/systemd/system/nfq-gate-fetch.service \
    /lib/systemd/system/nfq-gate-fetch.timer >"$TMP/verify" 2>&1 ||
    { cat "$TMP/verify" >&2; fail "systemd-analyze verify"; }
[ -s "$TMP/verify" ] && { cat "$TMP/verify" >&2; fail "systemd-analyze verify warns"; }
for u in nfq-gate.service nfq-gate-fetch.timer; do
	e=$(in_root systemctl is-enabled "$u" 2>&1)
	[ "$e" = disabled ] || fail "$u is '$e' after install, not disabled"
done

# The README's first steps work with what the package installed.
in_root nfq-gate-db build -o /var/lib/nfq-gate/netblocks.db \
    /usr/share/nfq-gate/rules/netblocks-sample.csv >"$TMP/db.log" 2>&1 ||
    fail "nfq-gate-db build: $(cat "$TMP/db.log")"
in_root nfq-gate-db lookup /var/lib/nfq-gate/netblocks.db 1.0.1.5 \
    >"$TMP/lookup" 2>&1 || fail "lookup: $(cat "$TMP/lookup")"
in_root nfq-gate-rules print >"$TMP/rules" 2>&1 ||
    fail "nfq-gate-rules print: $(cat "$TMP/rules")"
grep -q NFQUEUE "$TMP/rules" || fail "nfq-gate-rules print: no NFQUEUE rule"

# Remove: programs gone, config and state kept.
in_root dpkg -r nfq-gate >"$TMP/remove.log" 2>&1 ||
    fail "dpkg -r: $(tail -5 "$TMP/remove.log")"
[ -e "$R/usr/sbin/nfq-gate" ] && fail "remove left /usr/sbin/nfq-gate"
[ -f "$R/etc/nfq-gate/nfq-gate.conf" ] || fail "remove took the conffile"
[ -f "$R/var/lib/nfq-gate/netblocks.db" ] || fail "remove took the state"

# Purge, and autoremove what apt-get -f brought: nothing of ours is left.
in_root dpkg -P nfq-gate >"$TMP/purge.log" 2>&1 ||
    fail "dpkg -P: $(tail -5 "$TMP/purge.log")"
in_root apt-get autoremove --purge -y -qq >>"$TMP/purge.log" 2>&1 ||
    fail "autoremove: $(tail -5 "$TMP/purge.log")"
snapshot >"$TMP/after"
# /etc/passwd, group, shadow, gshadow (and their "-" backups) change by the
# user's line; sysusers.d keeps users.
diff "$TMP/before" "$TMP/after" |
    grep -vE '^[<>] \./etc/(passwd|group|shadow|gshadow)-? ' |
    grep -E '^[<>]' >"$TMP/left" && { cat "$TMP/left" >&2; fail "purge left or took files"; }
in_root dpkg-statoverride --list /var/lib/nfq-gate >/dev/null &&
    fail "purge left the statoverride"
T5=$(date +%s)
echo "removed and purged, nothing left ($((T5 - T4)) s); total $((T5 - T0)) s"
exit 0
