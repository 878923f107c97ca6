#!/bin/sh
# fail2ban_filter.sh - rules/fail2ban/filter.d/nfq-gate.conf against the
# gate's real log lines.
#
# The lines come from the gate itself (nfq-gate -r on a capture built by
# tools/mkpcap.py: polite MTAs, bots talking first, a bot coming back to
# the penalty box, a hangup, IPv4 and IPv6), with a syslog header put in
# front as syslog would.  fail2ban-regex must find exactly the PREGREET
# lines (mode normal) or PREGREET and PENALTY (mode aggressive), extract
# exactly the clients' addresses, and match no PASS or HANGUP line.  A
# hand-made line whose bot text carries another bracketed address checks
# that the host is taken from the gate's part of the line.
#
# Then the same lines as journald stores them (Debian 12 has no syslog
# file): written into a private journal file with systemd-journal-remote,
# read by fail2ban-regex's systemd backend with the filter's journalmatch,
# which must take the gate unit's lines and leave a line any local user
# could forge with "logger -t nfq-gate" (same identifier, another unit).
# The shipped jail must be disabled, backend = systemd, with that match,
# and fail2ban-client -d must read it, enabled, as exactly that jail.

. "$(dirname "$0")/../lib.sh"
[ -x "$GATE" ] || skip "$GATE not built"
command -v fail2ban-regex >/dev/null ||
    skip "fail2ban-regex not installed (Debian fail2ban)"
COMMON=/etc/fail2ban/filter.d/common.conf
[ -r "$COMMON" ] || skip "$COMMON absent"

# fail2ban reads "before = common.conf" next to the filter: a private
# filter.d with the system's common.conf and our filter.
F2B=$TMP/f2b/filter.d
mkdir -p "$F2B" || fail "mkdir"
ln -s "$COMMON" "$F2B/common.conf"
cp "$NG_ROOT/rules/fail2ban/filter.d/nfq-gate.conf" "$F2B/" || fail "cp filter"
FILTER=$F2B/nfq-gate.conf

python3 "$NG_ROOT/tools/mkpcap.py" gen "$TMP/a.pcap" \
    polite@198.51.100.10:40001 \
    bot@198.51.100.11:40002 \
    bot@198.51.100.11:40003,at=5 \
    bot@198.51.100.21:40004,mode=crlf \
    hangup@198.51.100.24:40007 \
    'polite@[2001:db8:1::10]:40001' \
    'bot@[2001:db8:1::11]:40002' \
    'bot@[2001:db8:1::11]:40005,at=5' \
    'bot@[2001:db8:3::13]:40004,mode=ack' || fail "mkpcap"
# (That bot has a /64 of its own: the penalty box holds the first v6 bot's
# whole /64, which would make it PENALTY instead of a fourth PREGREET.)
ng_run "$GATE" -r "$TMP/a.pcap" >"$TMP/gate.out" 2>"$TMP/gate.err" ||
    fail "replay exited $? ($(cat "$TMP/gate.err"))"

# The gate's own words first: the filter is tested on what it logs.
for re in 'PASS NEW \[198\.51\.100\.10\]' 'PASS NEW \[2001:db8:1::10\]' \
    'HANGUP after .* from \[198\.51\.100\.24\]' \
    'PENALTY \[198\.51\.100\.11\]:[0-9]+' 'PENALTY \[2001:db8:1::11\]:[0-9]+'; do
	grep -qE "$re" "$TMP/gate.out" ||
	    { cat "$TMP/gate.out" >&2; fail "replay: no line /$re/"; }
done
[ "$(grep -c '^PREGREET ' "$TMP/gate.out")" -eq 4 ] ||
    { cat "$TMP/gate.out" >&2; fail "replay: not 4 PREGREET lines"; }

# As syslog writes them.
sed 's/^/Nov 28 17:00:00 mx1 nfq-gate[4242]: /' "$TMP/gate.out" >"$TMP/syslog"
# (printf: dash's echo would turn the \r\n into real line ends.)
# A bot's text is its own; the host must still come from the gate.
printf '%s\n' 'Nov 28 17:00:01 mx1 nfq-gate[4242]: PREGREET 30 after 0.02 from [198.51.100.30]:40100: EHLO x from [192.0.2.99]:25: \r\n' \
    >>"$TMP/syslog"
# Another daemon's PREGREET line (postscreen) is not ours.
printf '%s\n' 'Nov 28 17:00:02 mx1 postfix/postscreen[77]: PREGREET 11 after 0.02 from [192.0.2.77]:40200: EHLO bot\r\n' \
    >>"$TMP/syslog"
total=$(wc -l <"$TMP/syslog")

check() {	# mode want-matched want-hosts
	fail2ban-regex "$TMP/syslog" "${FILTER}[mode=$1]" >"$TMP/f2b-$1" 2>&1 ||
	    { cat "$TMP/f2b-$1" >&2; fail "fail2ban-regex ($1) exited $?"; }
	got=$(sed -n 's/^Lines: \([0-9]*\) lines, \([0-9]*\) ignored, \([0-9]*\) matched, \([0-9]*\) missed.*/\1 \2 \3 \4/p' \
	    "$TMP/f2b-$1")
	want="$total 0 $2 $((total - $2))"
	[ "$got" = "$want" ] ||
	    { cat "$TMP/f2b-$1" >&2;
	      fail "$1: lines/ignored/matched/missed '$got', want '$want'"; }
	hosts=$(fail2ban-regex -o ip "$TMP/syslog" "${FILTER}[mode=$1]" |
	    sort | tr '\n' ' ')
	[ "$hosts" = "$3" ] || fail "$1: hosts '$hosts', want '$3'"
	# Nothing that is not a bot matches.
	fail2ban-regex -o msg "$TMP/syslog" "${FILTER}[mode=$1]" >"$TMP/msg-$1"
	[ "$(wc -l <"$TMP/msg-$1")" -eq "$2" ] ||
	    fail "$1: -o msg printed $(wc -l <"$TMP/msg-$1") lines, want $2"
	grep -vE 'nfq-gate\[4242\]: (PREGREET|PENALTY) ' "$TMP/msg-$1" &&
	    fail "$1: a PASS, HANGUP or foreign line matched"
	echo "mode=$1: $2 of $total lines matched: $hosts"
}

check normal 5 "198.51.100.11 198.51.100.21 198.51.100.30 2001:db8:1::11 2001:db8:3::13 "
check aggressive 7 "198.51.100.11 198.51.100.11 198.51.100.21 198.51.100.30 2001:db8:1::11 2001:db8:1::11 2001:db8:3::13 "

# The jail names this filter, reads the journal, and is off until enabled.
python3 -c '
import configparser, sys
c = configparser.ConfigParser(interpolation=None)
c.read(sys.argv[1])
j = c["nfq-gate"]
assert j["filter"].startswith("nfq-gate"), j["filter"]
assert int(j["maxretry"]) >= 1
assert j["enabled"] == "false", "jail enabled"
assert j["backend"] == "systemd", j["backend"]
assert j["journalmatch"] == "_SYSTEMD_UNIT=nfq-gate.service", j["journalmatch"]
' "$NG_ROOT/rules/fail2ban/jail.d/nfq-gate.conf" || fail "shipped jail"
grep -q '^journalmatch = _SYSTEMD_UNIT=nfq-gate.service$' "$FILTER" ||
    fail "filter journalmatch is not the unit"
# fail2ban itself reads the shipped jail, once enabled, as a systemd
# jail on the unit's journal with this filter.
if command -v fail2ban-client >/dev/null && [ -d /etc/fail2ban ]; then
	cp -a /etc/fail2ban "$TMP/f2c" && rm -f "$TMP"/f2c/jail.d/* ||
	    fail "copy /etc/fail2ban"
	cp "$NG_ROOT/rules/fail2ban/filter.d/nfq-gate.conf" "$TMP/f2c/filter.d/"
	sed 's/^enabled  *= *false/enabled = true/' \
	    "$NG_ROOT/rules/fail2ban/jail.d/nfq-gate.conf" \
	    >"$TMP/f2c/jail.d/nfq-gate.conf"
	fail2ban-client -c "$TMP/f2c" -d >"$TMP/dump" 2>&1 ||
	    fail "fail2ban-client -d: $(tail -5 "$TMP/dump")"
	for l in "['add', 'nfq-gate', 'systemd']" \
	    "['set', 'nfq-gate', 'addjournalmatch', '_SYSTEMD_UNIT=nfq-gate.service']" \
	    "['set', 'nfq-gate', 'maxretry', 1]" "['start', 'nfq-gate']"; do
		grep -qxF "$l" "$TMP/dump" || fail "jail dump lacks $l"
	done
	grep -E "^\['add', " "$TMP/dump" | grep -v "'nfq-gate'" &&
	    fail "another jail in the dump"
	grep -F 'addjournalmatch' "$TMP/dump" | grep -v "'_SYSTEMD_UNIT=nfq-gate.service'" &&
	    fail "a journal match other than the unit"
	echo "fail2ban-client reads the enabled jail as a systemd jail on the unit"
fi
echo "syslog lines and the jail: passed"

# The journal.
JR=/lib/systemd/systemd-journal-remote
[ -x "$JR" ] || skip "journal part: $JR absent (Debian systemd-journal-remote)"
# (with fail2ban's own interpreter, not whichever python3 is first on PATH)
F2BPY=$(sed -n '1s/^#! *//p' "$(command -v fail2ban-regex)" | cut -d' ' -f1)
"${F2BPY:-python3}" -c 'import systemd.journal' 2>/dev/null ||
    skip "journal part: fail2ban's systemd backend needs python3-systemd"
# journal_export - the gate's lines as journal export records: from the
# unit, plus the forged line from a login session and postscreen's.
journal_export() {
	python3 - "$TMP/gate.out" <<'PY'
import sys, time
t = int(time.time() * 1e6)
recs = [("nfq-gate.service", "nfq-gate", l.rstrip("\n"))
        for l in open(sys.argv[1])]
recs.append(("session-3.scope", "nfq-gate",
    "PREGREET 10 after 0.01 from [192.0.2.66]:40002: EHLO forged\\r\\n"))
recs.append(("postfix@-.service", "postfix/postscreen",
    "PREGREET 11 after 0.02 from [192.0.2.77]:40200: EHLO bot\\r\\n"))
for i, (unit, ident, msg) in enumerate(recs):
    print("__REALTIME_TIMESTAMP=%d\n__MONOTONIC_TIMESTAMP=%d\n"
          "_BOOT_ID=0123456789abcdef0123456789abcdef\n_HOSTNAME=mx1\n"
          "SYSLOG_IDENTIFIER=%s\n_PID=4242\n_SYSTEMD_UNIT=%s\n"
          "PRIORITY=6\nMESSAGE=%s\n" % (t + i, 1000 + i, ident, unit, msg))
PY
}
journal_export >"$TMP/export" || fail "journal export records"
"$JR" -o "$TMP/nfq.journal" - <"$TMP/export" >"$TMP/jr.log" 2>&1 ||
    fail "systemd-journal-remote: $(cat "$TMP/jr.log")"
SRC="systemd-journal[journalfiles=$TMP/nfq.journal]"
fail2ban-regex "$SRC" "${FILTER}[mode=normal]" >"$TMP/f2b-j" 2>&1 ||
    { cat "$TMP/f2b-j" >&2; fail "fail2ban-regex (journal) exited $?"; }
grep -q "Use    journal match : _SYSTEMD_UNIT=nfq-gate.service" "$TMP/f2b-j" ||
    { cat "$TMP/f2b-j" >&2; fail "journal: the match was not applied"; }
n=$(wc -l <"$TMP/gate.out")
got=$(sed -n 's/^Lines: \([0-9]*\) lines, \([0-9]*\) ignored, \([0-9]*\) matched.*/\1 \2 \3/p' \
    "$TMP/f2b-j")
[ "$got" = "$n 0 4" ] ||
    { cat "$TMP/f2b-j" >&2; fail "journal: lines/ignored/matched '$got', want '$n 0 4'"; }
hosts=$(fail2ban-regex -o ip "$SRC" "${FILTER}[mode=normal]" | sort | tr '\n' ' ')
want="198.51.100.11 198.51.100.21 2001:db8:1::11 2001:db8:3::13 "
[ "$hosts" = "$want" ] || fail "journal: hosts '$hosts', want '$want'"
echo "journal: $n of $((n + 2)) records are the unit's, 4 matched: $hosts"
echo "fail2ban filter checks passed"
exit 0
