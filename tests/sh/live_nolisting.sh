#!/bin/sh
# live_nolisting.sh - nolisting against a real sending Postfix walking MX.
#
# test.domain gets two MX records from a dnsmasq in the client namespace:
# mx1 (preference 10) on a fake primary address, 203.0.113.26, that the
# gate lists in "nolisting", and mx2 (20) on the real server.  A decoy
# listener that would greet on 203.0.113.26:25 proves the refusal comes
# from the gate, not from the kernel finding no socket.  The sending
# Postfix (its own resolv.conf through /etc/netns/NAME) must get
# "Connection refused" from mx1 at once (not a connect timeout), go on to
# mx2 and deliver within seconds; the gate logs NOLISTING.  Then the
# same over IPv6 (smtp_address_preference = ipv6, 2001:db8:25::26).

. "$(dirname "$0")/../lib.sh"
need_root
. "$NG_ROOT/tests/netns.sh"
[ -x "$GATE" ] || skip "$GATE not built"
command -v postfix >/dev/null || skip "postfix not installed"
command -v dnsmasq >/dev/null || skip "dnsmasq not installed (Debian dnsmasq-base)"

FAKE_A4=203.0.113.26 FAKE_A6=2001:db8:25::26
LIMIT=15

ngt_init
trap 'ngt_cleanup_client' EXIT
ngt_topology local
ngt_addr "$NGT_SRV" eth0 "$FAKE_A4/24" "$FAKE_A6/64"
ngt_postfix_start
ngt_rules_install
ngt_db_build
ngt_gate_conf "nolisting = $FAKE_A4, $FAKE_A6"
ngt_gate_start "$NGT_CONF"

# The decoy: greets and logs anyone who reaches the fake MX.
DECOY_LOG=$NGT_DIR/decoy.log
ip netns exec "$NGT_SRV" python3 -c '
import select, socket, sys
ls = []
for fam, a in ((socket.AF_INET, sys.argv[1]), (socket.AF_INET6, sys.argv[2])):
    s = socket.socket(fam)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((a, 25)); s.listen(8); ls.append(s)
print("listening", flush=True)
while True:
    r, _, _ = select.select(ls, [], [], 90)
    if not r:
        break
    for s in r:
        c, a = s.accept()
        print("accepted", a[0], flush=True)
        c.sendall(b"421 decoy fake mx\r\n"); c.close()
' "$FAKE_A4" "$FAKE_A6" >"$DECOY_LOG" 2>&1 &
ngt_wait_log "$DECOY_LOG" listening 5 || fail "decoy listener did not start"

ngt_dns_start --mx-host="$NGT_DOMAIN,mx1.$NGT_DOMAIN,10" \
    --mx-host="$NGT_DOMAIN,mx2.$NGT_DOMAIN,20" \
    --host-record="mx1.$NGT_DOMAIN,$FAKE_A4,$FAKE_A6" \
    --host-record="mx2.$NGT_DOMAIN,$NGT_SRV_A4,$NGT_SRV_A6"
ngt_cpf_start "smtp_bind_address = $NGT_NEW_A4" \
    "smtp_bind_address6 = $NGT_NEW_A6" "inet_protocols = all" \
    "smtp_address_preference = ipv4" \
    "queue_run_delay = 5s" "minimal_backoff_time = 5s" \
    "maximal_backoff_time = 10s"

# The client namespace resolves through dnsmasq, the host does not.
mx=$(ngt_in "$NGT_CLI" python3 -c '
import socket; print(socket.gethostbyname("mx1.test.domain"))' 2>&1)
[ "$mx" = "$FAKE_A4" ] || fail "mx1.$NGT_DOMAIN resolves to '$mx' in the client ns"

CLOG=$NGT_CPF/maillog

family() {	# fake srv src fam
	ref=$(ngt_re "$1") res=$(ngt_re "$2") ren=$(ngt_re "$3") fam=$4

	t0=$(ngt_ms)
	qid=$(ngt_cpf_send nolisting$fam)
	[ -n "$qid" ] || fail "no queue id in the client postfix log"
	ngt_expect_log "$CLOG" \
	    "$qid: to=<u@$NGT_DOMAIN>, relay=mx2\.$NGT_DOMAIN\[$res\]:25, .*status=sent \(250 2\.0\.0 Ok: queued as [0-9A-F]+\)" \
	    "delivered through mx2 within ${LIMIT}s" "$LIMIT"
	ms=$(( $(ngt_ms) - t0 ))
	echo "IPv$fam: delivered through mx2 in $ms ms"
	ngt_expect_log "$CLOG" \
	    "connect to mx1\.$NGT_DOMAIN\[$ref\]:25: Connection refused" \
	    "client postfix: mx1 refused" 1
	grep -q "$qid: .*status=deferred" "$CLOG" && fail "the mail was deferred"
	grep -qi "timed out" "$CLOG" && fail "a connection timed out"
	ngt_expect_gate "NOLISTING \[$ren\]:[0-9]+ to \[$ref\]:25" "gate: nolisting"
	ngt_expect_gate "PASS NEW \[$ren\]:[0-9]+" "gate: mx2 greeting test"
	grep -q accepted "$DECOY_LOG" && fail "the fake MX was reached: $(cat "$DECOY_LOG")"
	sqid=$(sed -n "s/.*$qid: to=.*queued as \([0-9A-F]*\)).*/\1/p" "$CLOG")
	ngt_expect_maillog "$sqid: to=<u@$NGT_DOMAIN>.*status=sent \(delivered" \
	    "server postfix delivered $sqid"
	ngt_expect_log "$NGT_DNSLOG" "query\[MX\] $NGT_DOMAIN from 127\.0\.0\.1" \
	    "the MX lookup went to dnsmasq" 1
	# Within seconds: the greet pause (2 s) plus local work, no timeouts.
	[ "$ms" -lt 10000 ] || fail "delivery took $ms ms"
}

family "$FAKE_A4" "$NGT_SRV_A4" "$NGT_NEW_A4" 4
# IPv6 first now: Postfix tries mx1's IPv6 address (then its IPv4 one,
# refused again), then mx2 over IPv6.
ngt_in "$NGT_CLI" postconf -c "$NGT_CPF/etc" -e smtp_address_preference=ipv6 ||
    fail "postconf"
ngt_in "$NGT_CLI" postfix -c "$NGT_CPF/etc" reload >/dev/null 2>&1 ||
    fail "client postfix reload"
sleep 1
family "$FAKE_A6" "$NGT_SRV_A6" "$NGT_NEW_A6" 6
grep 'NOLISTING' "$NGT_GATELOG"
grep 'connect to mx1' "$CLOG" | sed 's/.*\]: //'
echo "all live nolisting checks passed"
exit 0
