#!/bin/sh
# fp_stacks.sh - SYN fingerprints of real stacks: clients in a network
# namespace connect with different TCP sysctls (timestamps, window
# scaling, SACK off; TTL 128; a small tcp_rmem; IPv6; a hand-made SYN
# without options), tcpdump captures them at the server, and the replay
# with the shipped rules/nfq-gate.fp classes each SYN as the file's
# comments say: linux for every Linux variant, unknown for Linux with
# TTL 128, raw-tool for the optionless SYN.  The allow line marks one
# client, and a broken signature file stops the replay with file:line.

. "$(dirname "$0")/../lib.sh"
. "$NG_ROOT/tests/netns.sh"
need_root
[ -x "$GATE" ] || fail "$GATE not built"
need_cmd tcpdump python3
FP=$NG_ROOT/rules/nfq-gate.fp

ngt_init
ngt_topology local
P=198.51.100
ngt_addr "$NGT_CLI" eth0 $P.20/24 $P.21/24 $P.22/24 $P.23/24 $P.24/24 \
    $P.25/24 $P.26/24

# The server: accept, greet, read QUIT, close.
ngt_in "$NGT_SRV" python3 -c '
import socket, sys
s = socket.socket(socket.AF_INET6)
s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("::", 25)); s.listen(64)
while True:
    c, a = s.accept()
    try:
        c.sendall(b"220 fp.test ESMTP\r\n"); c.settimeout(2); c.recv(64)
    except OSError:
        pass
    c.close()
' &
# Not through ngt_in (a function): $! must be tcpdump's own pid.
ip netns exec "$NGT_SRV" tcpdump -Z root -i eth0 --immediate-mode -U -s 200 \
    -w "$TMP/cap.pcap" 'tcp port 25' 2>"$TMP/tcpdump.err" &
TD=$!
for i in $(seq 50); do
	grep -q listening "$TMP/tcpdump.err" 2>/dev/null && break
	sleep 0.1
done

# conn SRC [sysctl=value...]: the sysctls, then one SMTP connection.
conn() {
	src=$1; shift
	[ $# -gt 0 ] && { ngt_in "$NGT_CLI" sysctl -qw "$@" || fail "sysctl $*"; }
	ngt_in "$NGT_CLI" python3 -c '
import socket, sys
a = sys.argv[1]
fam = socket.AF_INET6 if ":" in a else socket.AF_INET
dst = "2001:db8:25::25" if ":" in a else "203.0.113.25"
s = socket.socket(fam); s.settimeout(3); s.bind((a, 0)); s.connect((dst, 25))
s.recv(64); s.sendall(b"QUIT\r\n"); s.close()' "$src" || fail "connect from $src"
}
conn $P.20
conn $P.21 net.ipv4.tcp_timestamps=0
conn $P.22 net.ipv4.tcp_timestamps=1 net.ipv4.tcp_window_scaling=0
conn $P.23 net.ipv4.tcp_window_scaling=1 net.ipv4.tcp_sack=0
conn $P.24 net.ipv4.tcp_sack=1 net.ipv4.ip_default_ttl=128
conn $P.25 net.ipv4.ip_default_ttl=64 'net.ipv4.tcp_rmem=4096 8192 65536'
conn "$NGT_CLI_A6"
# A SYN made by hand: no options, as masscan and zmap send.
ngt_in "$NGT_CLI" python3 -c '
import socket, struct
src, dst = socket.inet_aton("198.51.100.26"), socket.inet_aton("203.0.113.25")
tcp = struct.pack(">HHIIBBHHH", 40026, 25, 12345, 0, 5 << 4, 2, 1024, 0, 0)
ph = src + dst + struct.pack(">BBH", 0, 6, len(tcp))
d = ph + tcp; s = sum(struct.unpack(">%dH" % (len(d) // 2), d))
while s >> 16: s = (s & 0xffff) + (s >> 16)
tcp = tcp[:16] + struct.pack(">H", ~s & 0xffff) + tcp[18:]
ip = struct.pack(">BBHHHBBH4s4s", 0x45, 0, 40, 54321, 0, 250, 6, 0, src, dst)
r = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
r.sendto(ip + tcp, ("203.0.113.25", 0))' || fail "raw SYN"
# Stop only when the capture holds the raw SYN (at most 5 s): under load
# a fixed sleep let tcpdump stop before writing it.
i=0
while [ $i -lt 50 ] && ! tcpdump -r "$TMP/cap.pcap" -n \
    'src host 198.51.100.26 and tcp[13] == 2' 2>/dev/null | grep -q .; do
	sleep 0.1; i=$((i + 1))
done
kill -INT "$TD"
wait "$TD" 2>/dev/null

printf 'fingerprints = %s\n' "$FP" >"$TMP/fp.conf"
ng_run "$GATE" -r "$TMP/cap.pcap" -c "$TMP/fp.conf" -v >"$TMP/lines" \
    2>"$TMP/err" || fail "replay exited $?: $(cat "$TMP/err")"
sed -n 's/^CONNECT from \(.*\):[0-9]* to .* fp=\(.*\)$/\1 \2/p' \
    "$TMP/lines" >"$TMP/got"
cat >"$TMP/want" <<OUT
[$P.20] linux
[$P.21] linux
[$P.22] linux
[$P.23] linux
[$P.24] unknown
[$P.25] linux
[$NGT_CLI_A6] linux
[$P.26] raw-tool
OUT
diff -u "$TMP/want" "$TMP/got" || fail "classes (lines: $(cat "$TMP/lines"))"

# The JSON: the class and the raw signature of each decided flow; the
# sysctls show in it (no ts, no ws, ttl, window), and the allow line.
sed 's/^#allow = 192.0.2.0\/24.*/allow = 198.51.100.25/' "$FP" >"$TMP/allow.fp"
grep -q '^allow = 198.51.100.25$' "$TMP/allow.fp" || fail "no allow line to edit"
printf 'fingerprints = %s\n' "$TMP/allow.fp" >"$TMP/allow.conf"
ng_run "$GATE" -r "$TMP/cap.pcap" -c "$TMP/allow.conf" --json >"$TMP/json" \
    2>"$TMP/err" || fail "replay --json exited $?: $(cat "$TMP/err")"
python3 - "$TMP/json" <<'PY' || fail "JSON: $(cat "$TMP/json")"
import json, sys
rows = {r["client"].rsplit(":", 1)[0]: r for r in map(json.loads, open(sys.argv[1]))}
def sig(a):
    return rows[a]["fp_sig"].split(":")
assert sig("198.51.100.20")[5] == "mss,sok,ts,nop,ws", sig("198.51.100.20")
assert sig("198.51.100.21")[5] == "mss,nop,nop,sok,nop,ws"
assert sig("198.51.100.22")[5] == "mss,sok,ts" and sig("198.51.100.22")[4].endswith(",0")
assert sig("198.51.100.23")[5] == "mss,nop,nop,ts,nop,ws"
assert sig("198.51.100.24")[1] == "128+0" and rows["198.51.100.24"]["fp"] == "unknown"
assert sig("198.51.100.20")[6] == "df,id+"
assert rows["198.51.100.25"].get("fp_allowed") is True
assert "fp_allowed" not in rows["198.51.100.20"]
assert rows["[2001:db8:1::10]"]["fp_sig"].startswith("6:64+0:0:")
assert all(r["fp"] in ("linux", "unknown") for r in rows.values())
PY

# A broken signature file: the replay refuses it, naming file and line.
printf 'label = x\nsig = 4:64:0:*:*,*:mss,bogus:df:0\n' >"$TMP/bad.fp"
printf 'fingerprints = %s\n' "$TMP/bad.fp" >"$TMP/bad.conf"
ng_run "$GATE" -r "$TMP/cap.pcap" -c "$TMP/bad.conf" >/dev/null 2>"$TMP/err"
rc=$?
[ $rc -eq 78 ] || fail "broken file: exit $rc, want 78"
grep -q "bad.fp:2: bad option in layout" "$TMP/err" || fail "message: $(cat "$TMP/err")"
echo "ok: $(wc -l <"$TMP/got") SYNs classed as the signatures say"
