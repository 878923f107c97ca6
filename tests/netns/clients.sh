# tests/netns/clients.sh - what talks to the server from the client
# namespace: swaks for real mail, the pre-greeting bot, and the SYN
# flooder (tests/bench/synflood) for the flood tests.  Part of
# tests/netns.sh.
#
#   ngt_swaks SRC DST [ARGS]         one mail; returns swaks' status
#   ngt_mail_ok SRC DST LABEL        one mail that must be delivered;
#                                    sets MS and QID
#   ngt_bot SRC DST [S]              a pre-greeting talker; prints what it saw
#   ngt_bot_reset SRC DST LABEL [S]  the bot, which must come back reset
#   ngt_ms                           milliseconds since the epoch
#   ngt_need_flood                   skip unless the flooder is built;
#                                    sets NGT_FLOOD
#   ngt_flood_notrack                its SYNs skip conntrack in the server
#                                    namespace; sets NGT_SRV_MAC
#   ngt_need_dns_probe               skip unless tests/helpers/dns_probe is
#                                    built; sets PROBE and SANDBOX

# One mail with swaks from a source address.  swaks waits for the 220
# greeting like any real MTA.  Extra args go to swaks.
ngt_swaks() {	# src dst [swaks args]
	src=$1 dst=$2; shift 2
	ngt_in "$NGT_CLI" timeout 30 swaks --server "$dst" --port 25 \
	    --local-interface "$src" --from "a@good.test" \
	    --to "u@$NGT_DOMAIN" --helo "client.good.test" \
	    --timeout 20 --header "Subject: nfq-gate test from $src" "$@"
}

# One mail that must be delivered: swaks succeeds and Postfix's maillog
# shows the queue id delivered.  Sets MS (the whole SMTP session, in
# milliseconds) and QID.
ngt_mail_ok() {	# src dst label
	t0=$(ngt_ms)
	ngt_swaks "$1" "$2" >"$NGT_DIR/swaks-$3" 2>&1 ||
	    { cat "$NGT_DIR/swaks-$3" >&2; tail -20 "$NGT_GATELOG" >&2;
	      fail "$3: swaks from $1 failed"; }
	MS=$(( $(ngt_ms) - t0 ))
	QID=$(sed -n 's/.*250 2\.0\.0 Ok: queued as \([0-9A-F]*\).*/\1/p' \
	    "$NGT_DIR/swaks-$3")
	[ -n "$QID" ] || fail "$3: no queue id in the swaks transcript"
	ngt_expect_maillog "$QID: to=<u@$NGT_DOMAIN>.*status=sent" \
	    "$3: mail $QID delivered"
	echo "$3: delivered as $QID in ${MS} ms"
}

# A pre-greeting talker: connect and send EHLO at once.  Prints one line
# "connect-ok|connect-failed|connect-timeout, then what the server did".
ngt_bot() {	# src dst [wait seconds]
	ngt_in "$NGT_CLI" python3 "$NG_ROOT/tests/helpers/bot.py" \
	    --source "$1" --wait "${3:-6}" "$2" 25
}

# A bot must come back reset.
ngt_bot_reset() {	# src dst label [wait seconds]
	out=$(ngt_bot "$1" "$2" "${4:-6}")
	echo "$3: $out"
	case $out in *result=reset*) ;; *) fail "$3: not reset: $out" ;; esac
}

# Milliseconds since the epoch, for timing a session.
ngt_ms() { date +%s%3N; }

# Skip unless the SYN flooder is built; sets NGT_FLOOD.
ngt_need_flood() {
	NGT_FLOOD=$NG_BUILD/bench/synflood
	[ -x "$NGT_FLOOD" ] || skip "$NGT_FLOOD not built (make B=... \$B/bench/synflood)"
}

# The flood's SYNs skip conntrack in the server namespace (all but the
# test clients' /24); sets NGT_SRV_MAC.
ngt_flood_notrack() {
	ngt_in "$NGT_SRV" iptables -w -t raw -A PREROUTING -p tcp --dport 25 \
	    ! -s 198.51.100.0/24 -j CT --notrack || fail "raw notrack rule"
	NGT_SRV_MAC=$(ip -n "$NGT_SRV" -br link show eth0 | awk '{ print $3 }')
}

# The DNS test driver, under the daemon's seccomp filter (-s), except in
# an ASan build, whose leak checker starts a thread (clone: killed by the
# filter) at exit.
ngt_need_dns_probe() {
	PROBE=$NG_BUILD/tests/helpers/dns_probe
	[ -x "$PROBE" ] || skip "$PROBE not built"
	SANDBOX=-s
	nm "$PROBE" 2>/dev/null | grep -q __asan_init && SANDBOX=
}
