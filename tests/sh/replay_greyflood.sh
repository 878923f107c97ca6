#!/bin/sh
# replay_greyflood.sh - a forged SYN flood between a greylisted MTA's first
# try and its retry must not make the retry new again.
#
# The capture: a real MTA's first try (a lone SYN, greylisted), then
# 150,000 forged SYNs from random IPv4 sources, 500 a second for 300 s,
# what an off-path spoofer can send, each of which would make a greylist
# entry; then the MTA's retry after greylist_delay.  With cache_max
# 100,000 the flood fills the greylist.  A table that evicted its oldest
# entry would have forgotten the first try 100,000 SYNs in, and the retry
# would be "new" again (tests/unit/test_cache.c shows that control on the
# table itself); with admission control the full table refuses the
# flood's newcomers instead (counted: greylist_full) and the retry gets
# GREYLIST PASS, then PASS NEW.
#
# A new sender that arrives while the table is full gets the greeting
# test instead of greylisting (fail open: PASS NEW, no GREYLIST); once
# the flood's entries expire (greylist_window) new senders are greylisted
# again.
. "$(dirname "$0")/../lib.sh"
[ -x "$GATE" ] || fail "$GATE not built"
MK="python3 $NG_ROOT/tools/mkpcap.py"
N=150000 CACHE_MAX=100000

MTA=198.51.100.25 NEWBIE=198.51.100.77 LATE=198.51.100.88
$MK gen "$TMP/g.pcap" syn@$MTA:40001 polite@$MTA:40002,at=310 \
    polite@$NEWBIE:40003,at=305 polite@$LATE:40004,at=14800 \
    --synflood $N --synflood-at 1 --synflood-secs 300 || fail "mkpcap"
cat >"$TMP/g.conf" <<CONF
default_action = greylist
greylist_delay = 60s
greylist_window = 4h
cache_max = $CACHE_MAX
CONF

ng_run "$GATE" -r "$TMP/g.pcap" -c "$TMP/g.conf" >"$TMP/out" 2>"$TMP/err" ||
    fail "replay exited $? ($(cat "$TMP/err"))"
ng_run "$GATE" -r "$TMP/g.pcap" -c "$TMP/g.conf" --json >"$TMP/json" \
    2>/dev/null || fail "replay --json"
grep '^summary: ' "$TMP/err"

# The MTA: greylisted once, then its retry passes the greylist and the test.
mta=$(grep -E "\[$(echo $MTA | sed 's/\./\\./g')\]" "$TMP/out")
echo "$mta"
[ "$mta" = "GREYLIST [$MTA]:40001
GREYLIST PASS [$MTA]:40002
PASS NEW [$MTA]:40002" ] || fail "the MTA's retry was not GREYLIST PASS then PASS NEW"

# The flood really filled the table: exactly cache_max first tries were
# admitted (the MTA's and 99,999 forged), and the rest were refused.
new=$(grep -c '"verdict":"greylist","country":null,"reason":"new"' "$TMP/json")
full=$(sed -n 's/^summary: tables .*greylist_full=\([0-9]*\).*/\1/p' "$TMP/err")
echo "greylist entries made: $new of cache_max $CACHE_MAX; refused (greylist_full): $full"
[ "$new" -eq $((CACHE_MAX + 1)) ] ||
    fail "$new greylist entries made, expected cache_max + 1 (the late sender)"
[ "${full:-0}" -gt 0 ] || fail "greylist_full is ${full:-0}: the flood never filled the table"
[ "$full" -ge $((N - CACHE_MAX)) ] ||
    fail "only $full refused of a flood $N over cache_max $CACHE_MAX"

# A new sender in the full table: the greeting test, not greylisting.
nb=$(grep -F "[$NEWBIE]" "$TMP/out")
[ "$nb" = "PASS NEW [$NEWBIE]:40003" ] ||
    fail "a new sender in the full greylist: '$nb', expected PASS NEW only"
# After greylist_window the flood's entries have expired and are reused.
late=$(grep -F "[$LATE]" "$TMP/out")
[ "$late" = "GREYLIST [$LATE]:40004" ] ||
    fail "a new sender after the flood expired: '$late', expected GREYLIST"
echo "greylist flood replay passed"
exit 0
