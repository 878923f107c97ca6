# replay_trap.sh - the trap MX in a capture, IPv4 and IPv6.  One client
# talks to the real MX, then reaches the trap 12 s later (excused, "contact
# 12s ago"), and again 700 s later, past trap_window (penalised); another
# goes to the trap first (penalised) and is then refused at the real MX
# (PENALTY); a SYN forged from a third address to the trap penalises
# nobody (the real host resets the SYN-ACK: HANGUP); a flood of forged
# SYNs to the real MX overflows a contacts table of 100, so a client at
# the trap right after it is not penalised.  The replay says the same
# whatever the greet pause.  (The IPv6 clients sit in different /64s:
# penalty_prefix boxes a /64.)
. "$(dirname "$0")/../lib.sh"
[ -x "$GATE" ] || fail "$GATE not built"
MK="python3 $NG_ROOT/tools/mkpcap.py"
TRAP4=203.0.113.30 TRAP6=2001:db8:25::30

$MK gen "$TMP/t.pcap" \
    --synflood 1000 --synflood-at 20 --synflood-secs 1 \
    polite@198.51.100.20:40001,at=0 \
    polite@198.51.100.21:40003,server=$TRAP4,at=1 \
    polite@198.51.100.21:40004,at=2 \
    'polite@[2001:db8:1::20]:40005,at=3' \
    "polite@[2001:db8:2::21]:40007,server=$TRAP6,at=4" \
    "polite@[2001:db8:1::20]:40006,server=$TRAP6,at=5" \
    spoofsyn@198.51.100.22:40008,server=$TRAP4,at=6 \
    polite@198.51.100.20:40002,server=$TRAP4,at=12 \
    polite@198.51.100.23:40010,server=$TRAP4,at=30 \
    polite@198.51.100.20:40009,server=$TRAP4,at=700 || fail "mkpcap"
cat >"$TMP/conf" <<CONF
trap_mx = $TRAP4, $TRAP6
contacts_max = 100
CONF

cat >"$TMP/want" <<OUT
PASS NEW [198.51.100.20]:40001
TRAP [198.51.100.21]:40003 to [$TRAP4]:25: penalised
PENALTY [198.51.100.21]:40004
PASS NEW [2001:db8:1::20]:40005
TRAP [2001:db8:2::21]:40007 to [$TRAP6]:25: penalised
TRAP [2001:db8:1::20]:40006 to [$TRAP6]:25: excused, contact 2s ago
HANGUP after 0.00 from [198.51.100.22]:40008 in tests before SMTP handshake
TRAP [198.51.100.20]:40002 to [$TRAP4]:25: excused, contact 12s ago
TRAP [198.51.100.23]:40010 to [$TRAP4]:25: not penalised, contacts table flooded
TRAP [198.51.100.20]:40009 to [$TRAP4]:25: penalised
OUT

ng_run "$GATE" -r "$TMP/t.pcap" -c "$TMP/conf" >"$TMP/out" 2>"$TMP/err" ||
    fail "replay exited $? ($(cat "$TMP/err"))"
diff -u "$TMP/want" "$TMP/out" || fail "verdicts"
grep -q '^summary: verdicts pass=2 pregreet=0 drop=0 reject=1 greylist=0 log=0 trap=6$' \
    "$TMP/err" || fail "verdict counts: $(grep verdicts "$TMP/err")"
grep -q '^summary: trap syns=7 hits=6 penalised=3 excused=2 unsure=1$' \
    "$TMP/err" || fail "trap counts: $(grep trap "$TMP/err")"

# The pause changes when a pass is logged, not what the trap sees.
ng_run "$GATE" -r "$TMP/t.pcap" -c "$TMP/conf" --greet-pause 6 \
    >"$TMP/out6" 2>/dev/null || fail "replay with --greet-pause 6"
grep -v '^PASS NEW' "$TMP/want" >"$TMP/want6"
grep -v '^PASS NEW' "$TMP/out6" | diff -u "$TMP/want6" - ||
    fail "verdicts with pause 6"

# Without trap_mx the trap address is one more MX: no TRAP, no penalty.
ng_run "$GATE" -r "$TMP/t.pcap" >"$TMP/plain" 2>"$TMP/err" ||
    fail "replay without trap_mx"
grep -q 'TRAP\|PENALTY' "$TMP/plain" && fail "trap without trap_mx"
grep -q '^summary: trap syns=0 hits=0 ' "$TMP/err" || fail "trap counted"

# JSON: verdict "trap", the outcome as the reason, the contact's age.
ng_run "$GATE" -r "$TMP/t.pcap" -c "$TMP/conf" --json >"$TMP/json" \
    2>/dev/null || fail "--json"
[ "$(grep -c '"verdict":"trap"' "$TMP/json")" = 6 ] ||
    fail "trap verdicts: $(cat "$TMP/json")"
grep -q '"client":"198.51.100.20:40002",.*"verdict":"trap",.*"reason":"excused",.*"contact_age":12.002000' \
    "$TMP/json" || fail "excused in JSON: $(grep 40002 "$TMP/json")"
grep -q '"client":"198.51.100.21:40003",.*"reason":"penalised"' \
    "$TMP/json" || fail "penalised in JSON"
grep -q '"198.51.100.22:' "$TMP/json" && fail "the forged SYN was judged"
exit 0
