# tests/netns/postfix.sh - the private receiving Postfix in the server
# namespace, the MTA the gate stands in front of.  Part of tests/netns.sh.
# Its files are under $NGT_PF ($NGT_DIR/postfix); its log, the one the
# tests read, is $NGT_PF/maillog.
#
#   ngt_postfix_conf [LINES]   main.cf (LINES appended) and master.cf
#                              (and $NGT_PF_MASTER's lines, if set)
#   ngt_postfix_start [LINES]  configure, start, wait until smtpd listens
#   ngt_postfix_policy         start it asking the gate's policy service
#                              on $NGT_SOCK
#   ngt_postfix_stop           stop it, wait for master (ngt_cleanup does)

# A private Postfix: its own config, queue and data directories under
# $TMP, listening only on the server addresses, delivering test.domain
# mail to $NGT_PF/mail/ (virtual(8) mailboxes) and logging to
# $NGT_PF/maillog through postlogd.  /etc/postfix is never touched.
ngt_postfix_conf() {	# [main.cf lines]
	d=$NGT_PF
	mkdir -p "$d/etc" "$d/spool" "$d/data" "$d/mail"
	# mktemp made $TMP 0700; the postfix user must reach its directories.
	chmod 755 "$TMP" "$NGT_DIR" "$d"
	chown postfix "$d/data" "$d/mail"
	uid=$(id -u postfix) gid=$(id -g postfix)
	cat >"$d/etc/main.cf" <<EOF
compatibility_level = 3.6
config_directory = $d/etc
queue_directory = $d/spool
data_directory = $d/data
mail_owner = postfix
setgid_group = postdrop
myhostname = mx.$NGT_DOMAIN
mydomain = $NGT_DOMAIN
myorigin = \$myhostname
mydestination =
virtual_mailbox_domains = $NGT_DOMAIN
virtual_mailbox_base = $d/mail
virtual_mailbox_maps = static:mbox
virtual_uid_maps = static:$uid
virtual_gid_maps = static:$gid
virtual_minimum_uid = 1
inet_interfaces = $NGT_SRV_A4, [$NGT_SRV_A6]
inet_protocols = all
mynetworks = 127.0.0.0/8
smtpd_banner = \$myhostname ESMTP nfq-gate test
smtpd_peername_lookup = no
disable_dns_lookups = yes
smtp_dns_support_level = disabled
alias_maps =
alias_database =
local_recipient_maps =
biff = no
maillog_file = $d/maillog
maillog_file_prefixes = $d
smtpd_client_connection_rate_limit = 0
smtpd_timeout = 20s
smtpd_helo_required = no
default_process_limit = 50
EOF
	for l; do echo "$l"; done >>"$d/etc/main.cf"
	cat >"$d/etc/master.cf" <<'EOF'
smtp      inet  n       -       n       -       -       smtpd
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
virtual   unix  -       n       n       -       -       virtual
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
EOF
	# More services (a trap MX's deferring listener) when a test sets them.
	[ -z "$NGT_PF_MASTER" ] || echo "$NGT_PF_MASTER" >>"$d/etc/master.cf"
}

# Configure and start the private Postfix; returns once smtpd listens.
ngt_postfix_start() {	# [main.cf lines]
	command -v postfix >/dev/null || skip "postfix not installed"
	ngt_postfix_conf "$@"
	ngt_in "$NGT_SRV" postfix -c "$NGT_PF/etc" set-permissions >"$NGT_PF/setup.log" 2>&1 ||
	    { cat "$NGT_PF/setup.log" >&2; fail "postfix set-permissions"; }
	ngt_in "$NGT_SRV" postfix -c "$NGT_PF/etc" start \
	    >>"$NGT_PF/setup.log" 2>&1 ||
	    { cat "$NGT_PF/setup.log" "$NGT_PF/maillog" >&2;
	      fail "postfix start"; }
	NGT_PF_STARTED=1
	# master is up when smtpd answers on both families.
	n=0
	until ngt_in "$NGT_SRV" sh -c "ss -Htln | grep -q '$NGT_SRV_A4:25' &&
	    ss -Htln | grep -q '\[$NGT_SRV_A6\]:25'"; do
		n=$((n + 1))
		[ $n -lt 50 ] || { cat "$NGT_PF/maillog" >&2;
		    fail "postfix does not listen"; }
		sleep 0.1
	done
}

# Postfix asking the gate's policy service at RCPT time, on $NGT_SOCK in
# a setgid directory root:postfix 2770, going on without it when the gate
# is down (as the README sets it up).
ngt_postfix_policy() {
	install -d -o root -g postfix -m 2770 "$NGT_DIR/pfsock" ||
	    fail "policy socket directory"
	NGT_SOCK=$NGT_DIR/pfsock/policy
	ngt_postfix_start \
	    "smtpd_recipient_restrictions = check_policy_service unix:$NGT_SOCK" \
	    "smtpd_policy_service_default_action = DUNNO"
}

# Stop the private Postfix (if started) and wait for master to exit.
ngt_postfix_stop() {
	[ -n "$NGT_PF_STARTED" ] || return 0
	NGT_PF_STARTED=
	ngt_in "$NGT_SRV" postfix -c "$NGT_PF/etc" stop >/dev/null 2>&1
	# "postfix stop" returns before master exits; wait for the pid file
	# to go so the spool can be removed.
	n=0
	while [ -s "$NGT_PF/spool/pid/master.pid" ] &&
	    kill -0 "$(cat "$NGT_PF/spool/pid/master.pid")" 2>/dev/null; do
		n=$((n + 1))
		[ $n -lt 50 ] || { postfix -c "$NGT_PF/etc" abort \
		    >/dev/null 2>&1; break; }
		sleep 0.1
	done
}
