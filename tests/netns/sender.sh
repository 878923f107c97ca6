# tests/netns/sender.sh - a sending Postfix and a DNS server in the client
# namespace, for the greylisting and nolisting tests.  Part of
# tests/netns.sh.
#
# Greylisting and nolisting are only proven when a real MTA's queue
# manager retries and walks the MX list, so these start a second private
# Postfix in the client namespace (no listener; mail goes in through
# sendmail -C) and dnsmasq answering for test.domain on the client's
# loopback.  The client namespace's resolv.conf comes from
# /etc/netns/$NGT_CLI/, which "ip netns exec" bind-mounts over
# /etc/resolv.conf for that namespace only; the host's file is untouched.
#
#   ngt_cpf_conf [LINES]   main.cf (LINES via postconf -e) and master.cf
#   ngt_cpf_start [LINES]  sending Postfix, log in $NGT_CPF/maillog
#   ngt_cpf_send LABEL     one mail to u@test.domain via sendmail;
#                          prints the queue id
#   ngt_cpf_stop           stop it and wait for master to exit
#   ngt_dns_start [ARGS]   dnsmasq on 127.0.0.1 in the client ns
#   ngt_dns_stop           stop it, remove its /etc/netns/$NGT_CLI
#   ngt_cleanup_client     the above away, then ngt_cleanup;
#                          install it as the EXIT trap

# The sending Postfix's files under $NGT_CPF ($NGT_DIR/cpf): loopback
# only, IPv4, main.cf lines given as arguments set through postconf -e.
ngt_cpf_conf() {	# [main.cf lines]
	NGT_CPF=$NGT_DIR/cpf
	d=$NGT_CPF
	mkdir -p "$d/etc" "$d/spool" "$d/data"
	chmod 755 "$TMP" "$NGT_DIR" "$d"
	chown postfix "$d/data"
	{
		cat <<EOF
compatibility_level = 3.6
config_directory = $d/etc
queue_directory = $d/spool
data_directory = $d/data
mail_owner = postfix
setgid_group = postdrop
myhostname = client.good.test
mydomain = good.test
myorigin = \$myhostname
mydestination =
inet_interfaces = loopback-only
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
alias_maps =
alias_database =
local_recipient_maps =
biff = no
maillog_file = $d/maillog
maillog_file_prefixes = $d
smtp_connect_timeout = 10s
EOF
	} >"$d/etc/main.cf"
	# postconf -e replaces a default above rather than repeating it.
	for l; do
		postconf -c "$d/etc" -e "$l" || fail "postconf -e '$l'"
	done
	cat >"$d/etc/master.cf" <<'EOF'
pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
proxymap  unix  -       -       n       -       -       proxymap
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
smtp      unix  -       -       n       -       -       smtp
relay     unix  -       -       n       -       -       smtp
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
EOF
}

# Configure and start the sending Postfix in the client namespace.
ngt_cpf_start() {	# [main.cf lines]
	command -v postfix >/dev/null || skip "postfix not installed"
	ngt_cpf_conf "$@"
	ngt_in "$NGT_CLI" postfix -c "$NGT_CPF/etc" set-permissions \
	    >"$NGT_CPF/setup.log" 2>&1 ||
	    { cat "$NGT_CPF/setup.log" >&2; fail "client postfix set-permissions"; }
	ngt_in "$NGT_CLI" postfix -c "$NGT_CPF/etc" start \
	    >>"$NGT_CPF/setup.log" 2>&1 ||
	    { cat "$NGT_CPF/setup.log" "$NGT_CPF/maillog" >&2;
	      fail "client postfix start"; }
	NGT_CPF_STARTED=1
	# Up when qmgr and pickup run (they log nothing at start).
	ngt_wait_log "$NGT_CPF/maillog" "daemon started" 5 ||
	    { cat "$NGT_CPF/setup.log" "$NGT_CPF/maillog" >&2;
	      fail "client postfix did not start"; }
}

# One mail into the client Postfix's queue.  Prints the queue id.
ngt_cpf_send() {	# label
	before=$(grep -c ': from=<a@good.test>' "$NGT_CPF/maillog" 2>/dev/null)
	printf 'From: a@good.test\nTo: u@%s\nSubject: nfq-gate %s\n\n%s\n' \
	    "$NGT_DOMAIN" "$1" "test mail $1" |
	    ngt_in "$NGT_CLI" sendmail -C "$NGT_CPF/etc" -f a@good.test \
	    "u@$NGT_DOMAIN" || fail "$1: sendmail into the client postfix"
	n=0
	until [ "$(grep -c ': from=<a@good.test>' "$NGT_CPF/maillog" \
	    2>/dev/null)" -gt "${before:-0}" ]; do
		n=$((n + 1))
		[ $n -lt 50 ] || fail "$1: client postfix did not queue it"
		sleep 0.1
	done
	sed -n 's/.*\]: \([0-9A-F]*\): from=<a@good.test>.*/\1/p' \
	    "$NGT_CPF/maillog" | tail -n 1
}

# Stop the sending Postfix (if started) and wait for master to exit.
ngt_cpf_stop() {
	[ -n "$NGT_CPF_STARTED" ] || return 0
	NGT_CPF_STARTED=
	ngt_in "$NGT_CLI" postfix -c "$NGT_CPF/etc" stop >/dev/null 2>&1
	n=0
	while [ -s "$NGT_CPF/spool/pid/master.pid" ] &&
	    kill -0 "$(cat "$NGT_CPF/spool/pid/master.pid")" 2>/dev/null; do
		n=$((n + 1))
		[ $n -lt 50 ] || { postfix -c "$NGT_CPF/etc" abort \
		    >/dev/null 2>&1; break; }
		sleep 0.1
	done
}

# dnsmasq for the client namespace: authoritative-only for test.domain
# (--local), no upstream, no /etc/hosts.  Arguments are extra options
# such as --mx-host and --host-record.  Must run before anything in the
# client namespace that should resolve through it is started.
ngt_dns_start() {	# [dnsmasq args]
	command -v dnsmasq >/dev/null || skip "dnsmasq not installed"
	NGT_NETNS_ETC=/etc/netns/$NGT_CLI
	# /etc/netns itself goes again at the end only if we made it.
	[ -d /etc/netns ] || NGT_NETNS_TOP_MADE=1
	mkdir -p "$NGT_NETNS_ETC" || fail "mkdir $NGT_NETNS_ETC"
	echo "nameserver 127.0.0.1" >"$NGT_NETNS_ETC/resolv.conf"
	NGT_DNSLOG=$NGT_DIR/dnsmasq.log
	ip netns exec "$NGT_CLI" dnsmasq -k --conf-file=/dev/null \
	    --no-resolv --no-hosts --no-poll --listen-address=127.0.0.1 \
	    --bind-interfaces --local="/$NGT_DOMAIN/" --user=root \
	    --pid-file="$NGT_DIR/dnsmasq.pid" --log-queries \
	    --log-facility="$NGT_DNSLOG" "$@" >>"$NGT_DNSLOG" 2>&1 &
	NGT_DNS_PID=$!
	n=0
	until ngt_in "$NGT_CLI" ss -Hluln | grep -q '127.0.0.1:53 '; do
		kill -0 "$NGT_DNS_PID" 2>/dev/null ||
		    { cat "$NGT_DNSLOG" >&2; fail "dnsmasq exited"; }
		n=$((n + 1))
		[ $n -lt 50 ] || fail "dnsmasq does not listen"
		sleep 0.1
	done
}

# Stop dnsmasq; remove our /etc/netns/$NGT_CLI (/etc/netns if we made it).
ngt_dns_stop() {
	if [ -n "$NGT_DNS_PID" ]; then
		kill "$NGT_DNS_PID" 2>/dev/null
		wait "$NGT_DNS_PID" 2>/dev/null
		NGT_DNS_PID=
	fi
	# Only our own, pid-named directory.
	case $NGT_NETNS_ETC in
	/etc/netns/ngt[0-9]*-cli)
		rm -f "$NGT_NETNS_ETC/resolv.conf"
		rmdir "$NGT_NETNS_ETC" 2>/dev/null
		[ -n "$NGT_NETNS_TOP_MADE" ] && rmdir /etc/netns 2>/dev/null ;;
	esac
	NGT_NETNS_ETC=
}

# EXIT trap of the sender tests: the sending Postfix's log on failure,
# it and dnsmasq away, then ngt_cleanup with the same status.
ngt_cleanup_client() {
	rc=$?
	if [ "$rc" -ne 0 ] && [ "$rc" -ne 77 ] && [ -s "$NGT_CPF/maillog" ]; then
		echo "--- last lines of $NGT_CPF/maillog:" >&2
		tail -n 25 "$NGT_CPF/maillog" >&2
	fi
	ngt_cpf_stop
	ngt_dns_stop
	(exit $rc)
	ngt_cleanup
}
