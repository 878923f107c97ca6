# replay_malformed.sh - broken packets (bad IHL, total length past the
# frame, bad TCP data offset, bad IP version, bad IPv6 extension chain,
# headers cut off by the snap length) mixed into good flows, each carrying
# "EHLO evil": they are counted by kind and never judged, so the good
# flows still pass.  Also: Ethernet padding on short frames is not
# payload, fragments are skipped, and other ports, UDP and ARP are not
# our business.
. "$(dirname "$0")/../lib.sh"
[ -x "$GATE" ] || fail "$GATE not built"
MK="python3 $NG_ROOT/tools/mkpcap.py"

for pad in garbage zero; do
	$MK gen "$TMP/m.pcap" --pad $pad \
	    polite@198.51.100.10:40001,bad=1 \
	    'polite@[2001:db8:1::10]:40002,bad=1,ext=hbh+dst' \
	    bot@198.51.100.11:40003,bad=1 \
	    other@198.51.100.12:40004 \
	    other@198.51.100.13:40005,dport=80 \
	    udp@198.51.100.14:53000 \
	    arp@198.51.100.15:1 \
	    frag@198.51.100.16:40006 \
	    'frag@[2001:db8:1::16]:40007' || fail "mkpcap"
	ng_run "$GATE" -r "$TMP/m.pcap" >"$TMP/out" 2>"$TMP/err" ||
	    fail "replay exited $?: $(cat "$TMP/err")"
	cat >"$TMP/want" <<'OUT'
PASS NEW [198.51.100.10]:40001
PASS NEW [2001:db8:1::10]:40002
PREGREET 10 after 0.01 from [198.51.100.11]:40003: EHLO bot\r\n
PASS NEW [198.51.100.16]:40006
PASS NEW [2001:db8:1::16]:40007
OUT
	diff -u "$TMP/want" "$TMP/out" || fail "verdicts with --pad $pad"
	# 5 broken packets per bad flow: 3 flows
	grep -q '^summary: malformed=15 truncated=3 bad_ip_version=3 bad_ip_header=6 bad_tcp_header=3 ' \
	    "$TMP/err" || fail "malformed counts: $(cat "$TMP/err")"
	# two sessions of 13 packets to other ports, one UDP datagram
	grep -q '^summary: not_tcp_or_other_port=27 not_ip=1 fragments=4 ' \
	    "$TMP/err" || fail "other counts: $(cat "$TMP/err")"
	grep -q '^summary: verdicts pass=4 pregreet=1 ' "$TMP/err" ||
	    fail "verdict counts: $(cat "$TMP/err")"
done

# Frames ending inside the link header, and a VLAN stack too deep.
python3 - "$TMP/short.pcap" <<'PY' || fail "writing short frames"
import struct, sys
recs = [b"\0" * 10, b"\0" * 12 + b"\x81\x00\x00",
        b"\0" * 12 + b"\x81\x00\x00\x01" * 9 + b"\x08\x00" + b"\x45" + b"\0" * 19]
out = [struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1)]
for i, r in enumerate(recs):
    out.append(struct.pack("<IIII", 1700000000 + i, 0, len(r), len(r)) + r)
open(sys.argv[1], "wb").write(b"".join(out))
PY
ng_run "$GATE" -r "$TMP/short.pcap" >"$TMP/out" 2>"$TMP/err" ||
    fail "short frames: exit $?: $(cat "$TMP/err")"
[ -s "$TMP/out" ] && fail "short frames produced verdicts"
grep -q 'malformed=3 .*short_link_header=2 too_many_vlan_tags=1' \
    "$TMP/err" || fail "short frame counts: $(cat "$TMP/err")"
exit 0
