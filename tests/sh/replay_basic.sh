# replay_basic.sh - nfq-gate -r on every kind of client, IPv4 and IPv6:
# the exact log lines, CONNECT only with -v, and a longer greet pause
# that must not turn MTAs that answered the greeting into bots.
. "$(dirname "$0")/../lib.sh"
[ -x "$GATE" ] || fail "$GATE not built"
MK="python3 $NG_ROOT/tools/mkpcap.py"

$MK gen "$TMP/a.pcap" --pad garbage \
    polite@198.51.100.10:40001 \
    bot@198.51.100.11:40002 \
    polite@198.51.100.20:40003,split=1,retrans=1 \
    bot@198.51.100.21:40004,mode=ack \
    bot@198.51.100.22:40005,mode=crlf \
    bot@198.51.100.23:40006,mode=tfo \
    hangup@198.51.100.24:40007 \
    hangup@198.51.100.25:40008,mode=fin \
    reorder@198.51.100.26:40009 \
    'polite@[2001:db8:1::10]:40001' \
    'bot@[2001:db8:b1::11]:40002' \
    'polite@[2001:db8:1::12]:40003,ext=hbh+rt+dst+frag' \
    'bot@[2001:db8:b3::13]:40004,ext=hbh+dst,mode=crlf' \
    'reorder@[2001:db8:1::14]:40005' || fail "mkpcap"

cat >"$TMP/want" <<'OUT'
PASS NEW [198.51.100.10]:40001
PREGREET 10 after 0.01 from [198.51.100.11]:40002: EHLO bot\r\n
PASS NEW [198.51.100.20]:40003
PREGREET 10 after 0.00 from [198.51.100.21]:40004: EHLO bot\r\n
PREGREET 2 after 0.01 from [198.51.100.22]:40005: \r\n
PREGREET 10 after 0.00 from [198.51.100.23]:40006: EHLO bot\r\n
HANGUP after 0.01 from [198.51.100.24]:40007 in tests before SMTP handshake
HANGUP after 0.01 from [198.51.100.25]:40008 in tests before SMTP handshake
PASS NEW [198.51.100.26]:40009
PASS NEW [2001:db8:1::10]:40001
PREGREET 10 after 0.01 from [2001:db8:b1::11]:40002: EHLO bot\r\n
PASS NEW [2001:db8:1::12]:40003
PREGREET 2 after 0.01 from [2001:db8:b3::13]:40004: \r\n
PASS NEW [2001:db8:1::14]:40005
OUT

ng_run "$GATE" -r "$TMP/a.pcap" >"$TMP/out" 2>"$TMP/err" ||
    fail "replay exited $? ($(cat "$TMP/err"))"
diff -u "$TMP/want" "$TMP/out" || fail "log lines differ"
grep -q '^summary: file=.*a.pcap packets=[0-9]* ip=[0-9]* flows=14$' \
    "$TMP/err" || fail "summary line: $(cat "$TMP/err")"
grep -q '^summary: verdicts pass=6 pregreet=6 drop=0 reject=0' "$TMP/err" ||
    fail "verdict counts: $(cat "$TMP/err")"

# -v adds one CONNECT line per flow, before its verdict.
ng_run "$GATE" -v -r "$TMP/a.pcap" >"$TMP/outv" 2>/dev/null || fail "-v"
[ "$(grep -c '^CONNECT from ' "$TMP/outv")" = 14 ] || fail "CONNECT count"
grep -q '^CONNECT from \[2001:db8:1::12\]:40003 to \[2001:db8:25::25\]:25$' \
    "$TMP/outv" || fail "IPv6 CONNECT line"
grep -v '^CONNECT ' "$TMP/outv" | diff -u "$TMP/want" - ||
    fail "-v changed the verdict lines"

# The capture shows the greeting went out; a client whose ACK covers it
# answered it, whatever pause we pretend.  Bots stay bots.
ng_run "$GATE" -r "$TMP/a.pcap" --greet-pause 6 >"$TMP/out6" 2>/dev/null ||
    fail "--greet-pause 6"
diff -u "$TMP/want" "$TMP/out6" || fail "--greet-pause 6 changed verdicts"
ng_run "$GATE" --greet-pause=0.5 --read "$TMP/a.pcap" >"$TMP/out5" \
    2>/dev/null || fail "--read with --greet-pause=0.5"
diff -u "$TMP/want" "$TMP/out5" || fail "--greet-pause 0.5 changed verdicts"
exit 0
