#!/bin/sh
# make_install.sh - "make install" with PREFIX and DESTDIR puts every
# program, man page, rule file, unit and fail2ban file where the README
# says, keeps an edited /etc config on a second install, and each man
# page renders without warnings and names only pages that exist.
. "$(dirname "$0")/../lib.sh"
command -v make >/dev/null || skip "make not installed"
D=$TMP/root
out=$(make -s -C "$NG_ROOT" B="$NG_BUILD" install DESTDIR="$D" PREFIX=/usr 2>&1) ||
    fail "make install: $out"

for p in nfq-gate nfq-gate-db nfq-gate-ctl nfq-gate-fetch nfq-gate-rules; do
	[ -x "$D/usr/sbin/$p" ] || fail "no /usr/sbin/$p"
done
for m in man8/nfq-gate.8 man8/nfq-gate-db.8 man8/nfq-gate-ctl.8 \
    man8/nfq-gate-rules.8 man8/nfq-gate-fetch.8 man5/nfq-gate.conf.5; do
	[ -f "$D/usr/share/man/$m" ] || fail "no man page $m"
done
R=$D/usr/share/nfq-gate/rules
for f in nfq-gate.rules nfq-gate6.rules nfq-gate-gateway.rules \
    nfq-gate6-gateway.rules nfq-gate.nft nfq-gate.conf nfq-gate.service \
    nfq-gate-fetch.service nfq-gate-fetch.timer netblocks-sample.csv \
    fail2ban/filter.d/nfq-gate.conf fail2ban/jail.d/nfq-gate.conf \
    spamassassin/nfq-gate.cf; do
	[ -f "$R/$f" ] || fail "no $R/$f"
done
# The units start the programs where this install put them.
for u in nfq-gate.service nfq-gate-fetch.service; do
	grep -q "^ExecStart=/usr/sbin/nfq-gate" "$R/$u" ||
	    fail "$u: ExecStart not under /usr/sbin: $(grep ExecStart "$R/$u")"
	grep -q "/usr/local" "$R/$u" && fail "$u still names /usr/local"
done
cmp -s "$D/usr/share/bash-completion/completions/nfq-gate-ctl" \
    "$NG_ROOT/rules/bash-completion/nfq-gate-ctl" ||
    fail "no bash completion for nfq-gate-ctl"
[ -e "$R/bash-completion" ] && fail "bash-completion/ among the rules"
cmp -s "$D/etc/nfq-gate/nfq-gate.conf" "$NG_ROOT/rules/nfq-gate.conf" ||
    fail "/etc/nfq-gate/nfq-gate.conf is not the sample"
cmp -s "$D/etc/nfq-gate/nfq-gate.fp" "$NG_ROOT/rules/nfq-gate.fp" ||
    fail "/etc/nfq-gate/nfq-gate.fp is not the shipped signature file"

# The installed programs run.
"$D/usr/sbin/nfq-gate-db" build -o "$TMP/s.db" "$R/netblocks-sample.csv" \
    >/dev/null 2>&1 || fail "installed nfq-gate-db cannot build the sample"
[ "$("$D/usr/sbin/nfq-gate-db" lookup "$TMP/s.db" 1.0.1.5)" = "1.0.1.5 CN -- --" ] ||
    fail "installed nfq-gate-db lookup"
mkdir "$TMP/st" && "$D/usr/sbin/nfq-gate-ctl" --state-dir "$TMP/st" \
    -c "$D/etc/nfq-gate/nfq-gate.conf" add pass 192.0.2.1 >/dev/null 2>&1 &&
    grep -q '^192\.0\.2\.1/32 ' "$TMP/st/pass.state" ||
    fail "installed nfq-gate-ctl --state-dir add"

# A second install keeps the admin's config.
echo "greet_pause = 9s" >>"$D/etc/nfq-gate/nfq-gate.conf"
make -s -C "$NG_ROOT" B="$NG_BUILD" install DESTDIR="$D" PREFIX=/usr \
    >/dev/null 2>&1 || fail "second make install"
grep -q "^greet_pause = 9s$" "$D/etc/nfq-gate/nfq-gate.conf" ||
    fail "a second install overwrote /etc/nfq-gate/nfq-gate.conf"

# Man pages: no groff warnings, and our own cross references resolve.
if command -v man >/dev/null; then
	for m in "$D"/usr/share/man/man*/*; do
		w=$(LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l "$m" 2>&1 >/dev/null)
		[ -z "$w" ] || fail "$(basename "$m"): $w"
	done
fi
for ref in $(cat "$D"/usr/share/man/man*/* | sed -n 's/^\.BR \(nfq-gate[a-z.-]*\) (\([58]\)).*/\1.\2/p' | sort -u); do
	ls "$D"/usr/share/man/man*/"$ref" >/dev/null 2>&1 ||
	    fail "a man page refers to $ref, which is not installed"
done
echo "make install: $(find "$D" -type f | wc -l) files, all in place"
exit 0
