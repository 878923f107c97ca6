# replay_throttle.sh - connection limits in a capture.  One client opens
# six connections at once against throttle_concurrency = 2: all six
# SYNs come before any handshake, so the 3rd to 6th are reset at their
# believed handshake; once the first two have closed (their FINs are in
# the capture) and its rate window (the same 2/10s) has passed, it gets
# through again.  A second client over throttle_rate = 2/10s is reset at
# its SYN until the window passes.  A spoofer's SYNs from a third client's address count nothing: that
# client's own two connections at once pass.
. "$(dirname "$0")/../lib.sh"
[ -x "$GATE" ] || fail "$GATE not built"
MK="python3 $NG_ROOT/tools/mkpcap.py"
C=198.51.100.20 R=198.51.100.30 V=198.51.100.40

set -- polite@$C:41001,at=0 polite@$C:41002,at=0 polite@$C:41003,at=0 \
    polite@$C:41004,at=0 polite@$C:41005,at=0 polite@$C:41006,at=0 \
    polite@$C:41007,at=11 \
    polite@$R:42001,at=10 polite@$R:42002,at=11 polite@$R:42003,at=12 \
    polite@$R:42004,at=19 polite@$R:42005,at=21
i=0
while [ $i -lt 20 ]; do
	set -- "$@" spoofsyn@$V:$((43000 + i)),at=30
	i=$((i + 1))
done
set -- "$@" polite@$V:44001,at=31 polite@$V:44002,at=31
$MK gen "$TMP/t.pcap" "$@" || fail "mkpcap"
cat >"$TMP/conf" <<CONF
throttle_concurrency = 2
throttle_rate = 2/10s
CONF

ng_run "$GATE" -r "$TMP/t.pcap" -c "$TMP/conf" >"$TMP/out" 2>"$TMP/err" ||
    fail "replay exited $? ($(cat "$TMP/err"))"
grep -c "^THROTTLE \[$C\]:4100[3-6] over concurrency$" "$TMP/out" |
    grep -qx 4 || fail "concurrency: $(cat "$TMP/out")"
grep -q "^PASS NEW \[$C\]:41001" "$TMP/out" || fail "first of six"
grep -q "THROTTLE \[$C\]:41007" "$TMP/out" && fail "41007 after the closes"
# The rate client: 42001, 42002 counted; 42003 and 42004 reset within
# the window (at its SYN); 42005 after it passes.
grep -q "^THROTTLE \[$R\]:42003 over rate$" "$TMP/out" || fail "rate 42003"
grep -q "^THROTTLE \[$R\]:42004 over rate$" "$TMP/out" || fail "rate 42004"
grep -q "THROTTLE \[$R\]:4200[125]" "$TMP/out" && fail "rate: too many"
grep -q "THROTTLE \[$V\]" "$TMP/out" && fail "spoofed SYNs throttled $V"
grep -q "^PASS NEW \[$V\]:4400[12]" "$TMP/out" || fail "victim's own"
grep -q '^summary: throttle syn=2 handshake=4 ' "$TMP/err" ||
    fail "counts: $(grep throttle "$TMP/err")"

# The JSON names the decision.
ng_run "$GATE" -r "$TMP/t.pcap" -c "$TMP/conf" --json >"$TMP/json" \
    2>/dev/null || fail "replay --json"
grep -c '"verdict":"throttle"' "$TMP/json" | grep -qx 6 ||
    fail "json: $(grep throttle "$TMP/json")"
exit 0
