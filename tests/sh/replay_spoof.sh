# replay_spoof.sh - captures of what an off-path spoofer can send from a
# good client's address (spoofed SYN+data, a spoofed SYN then data with a
# guessed ACK, forged segments injected into a polite session's greeting
# pause), and of bots that lie (an ACK of greeting bytes never sent, an
# early EHLO behind an odd TCP option).  No forged packet may give the
# good address a PREGREET, a PENALTY or a PASS NEW; the good client's own
# session passes; the lying bots get no PASS, the talkers PREGREET.  On
# the code before issue 11 the first capture boxed 198.51.100.10 and the
# bots all got PASS NEW.
. "$(dirname "$0")/../lib.sh"
[ -x "$GATE" ] || fail "$GATE not built"
MK="python3 $NG_ROOT/tools/mkpcap.py"

$MK gen "$TMP/s.pcap" --pad garbage \
    spoofsyn@198.51.100.10:40001 \
    spoofsyn@198.51.100.10:40002,rst=0 \
    spoofdata@198.51.100.10:40003 \
    inject@198.51.100.10:40004 \
    ackbot@198.51.100.11:40005 \
    ackbot@198.51.100.12:40006,mode=talk \
    oddbot@198.51.100.13:40007 \
    'spoofsyn@[2001:db8:1::10]:40008' \
    'inject@[2001:db8:1::10]:40009,ext=hbh+dst' \
    'oddbot@[2001:db8:b::13]:40010' || fail "mkpcap"

# The forged SYN-ACK's reset from the real host is a HANGUP: neither.
cat >"$TMP/want" <<'OUT'
HANGUP after 0.00 from [198.51.100.10]:40001 in tests before SMTP handshake
PASS NEW [198.51.100.10]:40004
PREGREET 10 after 0.03 from [198.51.100.12]:40006: EHLO bot\r\n
PREGREET 10 after 0.01 from [198.51.100.13]:40007: EHLO bot\r\n
HANGUP after 0.00 from [2001:db8:1::10]:40008 in tests before SMTP handshake
PASS NEW [2001:db8:1::10]:40009
PREGREET 10 after 0.01 from [2001:db8:b::13]:40010: EHLO bot\r\n
OUT

for pause in 0 6; do
	ng_run "$GATE" -r "$TMP/s.pcap" --greet-pause $pause >"$TMP/out" \
	    2>"$TMP/err" || fail "replay exited $? ($(cat "$TMP/err"))"
	diff -u "$TMP/want" "$TMP/out" || fail "verdicts with pause $pause"
	grep -q '^summary: verdicts pass=2 pregreet=3 ' "$TMP/err" ||
	    fail "verdict counts: $(cat "$TMP/err")"
	# Every forged data segment and lie is counted, by reason.
	grep -q '^summary: unverified=22 dropped=14 syn=0 no_handshake=1 seq=4 ack=9 unreleased=0 rst=8$' \
	    "$TMP/err" || fail "unverified counts: $(grep unverified "$TMP/err")"
	grep -q 'malformed=0 ' "$TMP/err" || fail "an odd option is malformed"
done

# JSON: nothing but the good sessions' passes for the forged address.
ng_run "$GATE" -r "$TMP/s.pcap" --json >"$TMP/json" 2>/dev/null ||
    fail "--json"
grep '"198.51.100.10:' "$TMP/json" | grep -v '"verdict":"pass"' &&
    fail "forged traffic judged: $(cat "$TMP/json")"
[ "$(grep -c '"client":"198.51.100.10:40004".*"verdict":"pass"' \
    "$TMP/json")" = 1 ] || fail "the good session did not pass"
grep -q '"198.51.100.11:40005"' "$TMP/json" &&
    fail "a bot acking unsent bytes was judged: $(cat "$TMP/json")"
exit 0
