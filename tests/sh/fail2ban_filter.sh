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
    'bot@[2001:db8:1::13]:40004,mode=ack' || fail "mkpcap"
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
	fail2ban-regex "$TMP/syslog" "$FILTER[mode=$1]" >"$TMP/f2b-$1" 2>&1 ||
	    { cat "$TMP/f2b-$1" >&2; fail "fail2ban-regex ($1) exited $?"; }
	got=$(sed -n 's/^Lines: \([0-9]*\) lines, \([0-9]*\) ignored, \([0-9]*\) matched, \([0-9]*\) missed.*/\1 \2 \3 \4/p' \
	    "$TMP/f2b-$1")
	want="$total 0 $2 $((total - $2))"
	[ "$got" = "$want" ] ||
	    { cat "$TMP/f2b-$1" >&2;
	      fail "$1: lines/ignored/matched/missed '$got', want '$want'"; }
	hosts=$(fail2ban-regex -o ip "$TMP/syslog" "$FILTER[mode=$1]" |
	    sort | tr '\n' ' ')
	[ "$hosts" = "$3" ] || fail "$1: hosts '$hosts', want '$3'"
	# Nothing that is not a bot matches.
	fail2ban-regex -o msg "$TMP/syslog" "$FILTER[mode=$1]" >"$TMP/msg-$1"
	[ "$(wc -l <"$TMP/msg-$1")" -eq "$2" ] ||
	    fail "$1: -o msg printed $(wc -l <"$TMP/msg-$1") lines, want $2"
	grep -vE 'nfq-gate\[4242\]: (PREGREET|PENALTY) ' "$TMP/msg-$1" &&
	    fail "$1: a PASS, HANGUP or foreign line matched"
	echo "mode=$1: $2 of $total lines matched: $hosts"
}

check normal 5 "198.51.100.11 198.51.100.21 198.51.100.30 2001:db8:1::11 2001:db8:1::13 "
check aggressive 7 "198.51.100.11 198.51.100.11 198.51.100.21 198.51.100.30 2001:db8:1::11 2001:db8:1::11 2001:db8:1::13 "

# The example jail names this filter and parses as an ini file.
python3 -c '
import configparser, sys
c = configparser.ConfigParser(interpolation=None)
c.read(sys.argv[1])
j = c["nfq-gate"]
assert j["filter"].startswith("nfq-gate"), j["filter"]
assert int(j["maxretry"]) >= 1
' "$NG_ROOT/rules/fail2ban/jail.d/nfq-gate.conf" || fail "example jail"
echo "fail2ban filter checks passed"
exit 0
