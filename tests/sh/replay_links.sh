# replay_links.sh - the same flows under every link type the replay
# decodes (Ethernet, 802.1Q, QinQ, Linux cooked v1/v2, raw IP, BSD
# null/loop with each BSD's AF_INET6), in pcap and pcapng: the verdicts
# must not depend on how the capture was taken.
. "$(dirname "$0")/../lib.sh"
[ -x "$GATE" ] || fail "$GATE not built"
MK="python3 $NG_ROOT/tools/mkpcap.py"
FLOWS="polite@198.51.100.10:40001 bot@198.51.100.11:40002
    polite@[2001:db8:1::10]:40003 bot@[2001:db8:1::11]:40004,mode=ack"

cat >"$TMP/want" <<'OUT'
PASS NEW [198.51.100.10]:40001
PREGREET 10 after 0.01 from [198.51.100.11]:40002: EHLO bot\r\n
PASS NEW [2001:db8:1::10]:40003
PREGREET 10 after 0.00 from [2001:db8:1::11]:40004: EHLO bot\r\n
OUT
head -2 "$TMP/want" >"$TMP/want4"
tail -2 "$TMP/want" >"$TMP/want6"

check() {	# want-file, mkpcap options...
	want=$1; shift
	# shellcheck disable=SC2086
	$MK gen "$TMP/c" "$@" $FLOWS || fail "mkpcap $*"
	ng_run "$GATE" -r "$TMP/c" >"$TMP/out" 2>"$TMP/err" ||
	    fail "replay ($*) exited $?: $(cat "$TMP/err")"
	diff -u "$want" "$TMP/out" || fail "wrong lines for $*"
	grep -q 'malformed=0 ' "$TMP/err" || fail "malformed for $*"
	n=$((n + 1))
}

n=0
# Under valgrind each run costs a second: alternate the formats there.
for link in ether vlan qinq sll sll2 raw null loop; do
	for fmt in pcap pcapng; do
		if [ -n "$NG_VALGRIND" ]; then
			case "$link.$fmt" in
			ether.pcap|vlan.pcapng|qinq.pcap|sll.pcapng) ;;
			sll2.pcap|raw.pcapng|null.pcap|loop.pcapng) ;;
			*) continue ;;
			esac
		fi
		check "$TMP/want" --link $link --format $fmt --pad garbage
	done
done
check "$TMP/want4" --link ipv4
# The rest decode through the same paths as above: natively only.
[ -n "$NG_VALGRIND" ] && { echo "$n captures checked"; exit 0; }
check "$TMP/want6" --link ipv6 --format pcapng
check "$TMP/want" --link null --af6 24
check "$TMP/want" --link null --af6 28
check "$TMP/want" --link loop --af6 24
check "$TMP/want" --link ether --big-endian
# nanosecond timestamps, pcap and pcapng (if_tsresol)
check "$TMP/want" --link sll --nsec
check "$TMP/want" --link sll2 --nsec --format pcapng
# LINKTYPE_RAW (101) is what files carry; DLT_RAW (12) is what some
# old writers put there
check "$TMP/want" --link raw --linktype 12
echo "$n captures checked"
exit 0
