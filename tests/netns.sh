# tests/netns.sh - network namespaces, a private Postfix and SMTP clients
# for the live tests and "make demo".  Sourced after tests/lib.sh (which
# sets $TMP, $GATE, $GATEDB, fail and skip).
#
# The gate only means something against a real MTA with real TCP stacks,
# so the live tests build a small private internet: a client namespace
# holding the good, bot and Chinese client addresses, a server namespace
# with Postfix on 203.0.113.25 / 2001:db8:25::25, and for gateway mode a
# forwarding namespace in between.  Nothing routes out of it: there is no
# default route and no link to the host.  Names carry our pid so parallel
# runs do not meet, and ngt_cleanup (installed as the EXIT trap by
# ngt_init) removes namespaces, processes and files whatever happens.
#
#   ngt_init                    names, trap; call first
#   ngt_topology local|gateway  namespaces, links, addresses, routes
#   ngt_postfix_start [LINES]   Postfix in the server namespace
#   ngt_rules_install [ARGS]    tools/nfq-gate-rules in the gate namespace
#   ngt_gate_start CONF         nfq-gate in the gate namespace, log in $NGT_GATELOG
#   ngt_gate_kill [SIG]         stop it
#   ngt_swaks SRC DST [ARGS]    one mail; returns swaks' status
#   ngt_bot SRC DST             a pre-greeting talker; prints what it saw
#   ngt_wait_log FILE REGEX [S] wait up to S seconds for a line
#   ngt_cleanup                 everything away (the trap does it)

NGT_CLI_A4=198.51.100.10 NGT_BOT_A4=198.51.100.11 NGT_CN_A4=1.0.1.5
NGT_CLI_A6=2001:db8:1::10 NGT_BOT_A6=2001:db8:1::11 NGT_CN_A6=240e::5
NGT_SRV_A4=203.0.113.25 NGT_SRV_A6=2001:db8:25::25
# A second good client nobody has seen, for the kill -9 test.
NGT_NEW_A4=198.51.100.12 NGT_NEW_A6=2001:db8:1::12
NGT_DOMAIN=test.domain

ngt_init() {
	NGT_ID=ngt$$
	NGT_CLI=$NGT_ID-cli NGT_SRV=$NGT_ID-srv NGT_GW=$NGT_ID-gw
	NGT_MODE=
	NGT_GATE_NS=$NGT_SRV
	# Each ngt_init (a test may run several set-ups, one per subshell)
	# gets a fresh directory; the last cleanup removes $TMP itself.
	mkdir -p "$TMP" || fail "mkdir $TMP"
	NGT_DIR=$TMP/ngt
	rm -rf "$NGT_DIR"
	mkdir "$NGT_DIR" || fail "mkdir $NGT_DIR"
	NGT_PF=$NGT_DIR/postfix
	NGT_GATELOG=$NGT_DIR/gate.log
	NGT_GATE_PID=
	NGT_TAIL_PID=
	NGT_NETNS_LIST=
	trap 'ngt_cleanup' EXIT
	trap 'exit 130' INT TERM HUP
	# Containers without CAP_SYS_ADMIN cannot do any of this: skip.
	ip netns add "$NGT_ID-probe" 2>/dev/null ||
	    skip "cannot create network namespaces here"
	ip netns del "$NGT_ID-probe"
}

# Run a command in a namespace.
ngt_in() {	# ns cmd...
	ns=$1; shift
	ip netns exec "$ns" "$@"
}

ngt_ns_add() {	# name
	ip netns add "$1" || fail "ip netns add $1"
	NGT_NETNS_LIST="$NGT_NETNS_LIST $1"
	# No DAD: addresses are usable at once, no 1-2 s waits.
	ngt_in "$1" sysctl -qw net.ipv6.conf.all.accept_dad=0 \
	    net.ipv6.conf.default.accept_dad=0 \
	    net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0
	ngt_in "$1" ip link set lo up
}

ngt_link() {	# ns1 ifname1 ns2 ifname2
	ip -n "$1" link add "$2" type veth peer name "$4" netns "$3" ||
	    fail "veth $1:$2 - $3:$4"
	ip -n "$1" link set "$2" up
	ip -n "$3" link set "$4" up
}

ngt_addr() {	# ns ifname addr/len...
	ns=$1 ifn=$2; shift 2
	for a; do
		case $a in
		*:*) ip -n "$ns" -6 addr add "$a" dev "$ifn" nodad ;;
		*)   ip -n "$ns" addr add "$a" dev "$ifn" ;;
		esac || fail "address $a on $ns:$ifn"
	done
}

ngt_route() {	# ns prefix dev [via]
	if [ -n "$4" ]; then
		ip -n "$1" route add "$2" via "$4" dev "$3"
	else
		ip -n "$1" route add "$2" dev "$3"
	fi || fail "route $2 in $1"
}

# The usual live setup: namespaces (local-MTA mode), Postfix, the rules,
# the database and a gate config with these extra lines.
ngt_local_gate() {	# [config lines...]
	ngt_init
	ngt_topology local
	ngt_postfix_start
	ngt_rules_install
	ngt_db_build
	ngt_gate_conf "$@"
}

# The gate drops root to nobody: its files must be readable then.
ngt_conf_nobody() {
	sed -i 's/^user = root$/user = nobody/' "$NGT_CONF"
	grep -q '^user = nobody$' "$NGT_CONF" || fail "user line not replaced"
	chmod 644 "$NGT_CONF" "$NGT_DB"
}

# What every live test needs; more commands may follow.
ngt_need_live() {	# [command...]
	need_root
	[ -x "$GATE" ] || skip "$GATE not built"
	need_cmd swaks postfix "$@"
}

# local: cli --- srv (the gate runs in srv, next to Postfix: INPUT/OUTPUT).
# gateway: cli --- gw --- srv (the gate runs in gw: FORWARD).
ngt_topology() {	# local|gateway
	NGT_MODE=$1
	ngt_ns_add "$NGT_CLI"
	ngt_ns_add "$NGT_SRV"
	cli_addrs="$NGT_CLI_A4/24 $NGT_BOT_A4/24 $NGT_CN_A4/24 $NGT_NEW_A4/24 \
	    $NGT_CLI_A6/64 $NGT_BOT_A6/64 $NGT_CN_A6/64 $NGT_NEW_A6/64"
	case $1 in
	local)
		NGT_GATE_NS=$NGT_SRV
		ngt_link "$NGT_CLI" eth0 "$NGT_SRV" eth0
		ngt_addr "$NGT_CLI" eth0 $cli_addrs
		ngt_addr "$NGT_SRV" eth0 $NGT_SRV_A4/24 $NGT_SRV_A6/64
		ngt_route "$NGT_CLI" 203.0.113.0/24 eth0
		ngt_route "$NGT_CLI" 2001:db8:25::/64 eth0
		ngt_route "$NGT_SRV" 198.51.100.0/24 eth0
		ngt_route "$NGT_SRV" 1.0.1.0/24 eth0
		ngt_route "$NGT_SRV" 2001:db8:1::/64 eth0
		ngt_route "$NGT_SRV" 240e::/64 eth0
		;;
	gateway)
		ngt_ns_add "$NGT_GW"
		NGT_GATE_NS=$NGT_GW
		ngt_link "$NGT_CLI" eth0 "$NGT_GW" eth0
		ngt_link "$NGT_GW" eth1 "$NGT_SRV" eth0
		ngt_addr "$NGT_CLI" eth0 $cli_addrs
		ngt_addr "$NGT_GW" eth0 198.51.100.1/24 2001:db8:1::1/64
		ngt_addr "$NGT_GW" eth1 203.0.113.1/24 2001:db8:25::1/64
		ngt_addr "$NGT_SRV" eth0 $NGT_SRV_A4/24 $NGT_SRV_A6/64
		ngt_route "$NGT_CLI" 203.0.113.0/24 eth0 198.51.100.1
		ngt_route "$NGT_CLI" 2001:db8:25::/64 eth0 2001:db8:1::1
		ngt_route "$NGT_GW" 1.0.1.0/24 eth0
		ngt_route "$NGT_GW" 240e::/64 eth0
		ngt_route "$NGT_SRV" 198.51.100.0/24 eth0 203.0.113.1
		ngt_route "$NGT_SRV" 1.0.1.0/24 eth0 203.0.113.1
		ngt_route "$NGT_SRV" 2001:db8:1::/64 eth0 2001:db8:25::1
		ngt_route "$NGT_SRV" 240e::/64 eth0 2001:db8:25::1
		ngt_in "$NGT_GW" sysctl -qw net.ipv4.ip_forward=1 \
		    net.ipv6.conf.all.forwarding=1
		;;
	*) fail "ngt_topology: mode $1?" ;;
	esac
}

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
}

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

# The rules of the repo, installed by the repo's own tool, inside the
# gate namespace only.
ngt_rules_install() {	# extra nfq-gate-rules args
	ngt_in "$NGT_GATE_NS" sh "$NG_ROOT/tools/nfq-gate-rules" install \
	    --mode "$NGT_MODE" "$@" || fail "nfq-gate-rules install"
}

# A country database: the full shared whois data when present, else the
# sample that ships with the repo.  Prints nothing; sets NGT_DB.
ngt_db_build() {
	NGT_DB=$NGT_DIR/netblocks.db
	src="$NFQG_SHARED_DATA/geo-whois-asn-country"
	if ls "$src"/*.csv >/dev/null 2>&1; then
		NGT_DB_SRC="$src/*.csv"
		"$GATEDB" build -o "$NGT_DB" "$src"/*.csv \
		    >"$NGT_DIR/db.log" 2>&1
	else
		NGT_DB_SRC="$NG_ROOT/rules/netblocks-sample.csv"
		"$GATEDB" build -o "$NGT_DB" "$NGT_DB_SRC" \
		    >"$NGT_DIR/db.log" 2>&1
	fi || { cat "$NGT_DIR/db.log" >&2; fail "nfq-gate-db build"; }
}

# The gate's config for the tests: short greet pause, CN dropped, state
# in our directory, no privilege drop (there is no nfq-gate user here).
# Extra "key = value" lines as arguments.
ngt_gate_conf() {	# [lines...]
	NGT_CONF=$NGT_DIR/nfq-gate.conf
	mkdir -p "$NGT_DIR/state"
	{
		echo "# written by tests/netns.sh"
		echo "greet_pause = 2s"
		echo "country CN = drop"
		echo "database = $NGT_DB"
		echo "state_dir = $NGT_DIR/state"
		echo "user = root"
		for l; do echo "$l"; done
	} >"$NGT_CONF"
}

ngt_gate_start() {	# conf [extra args]
	conf=$1; shift
	# Not through ngt_in: a function in the background is a subshell,
	# and $! would be the subshell, not the gate.  "ip netns exec"
	# execs the command, so $! is the gate itself (kill -9 must hit it).
	# $NGT_GATE_WRAP (e.g. valgrind and its options) runs in front.
	ip netns exec "$NGT_GATE_NS" $NGT_GATE_WRAP "$GATE" -c "$conf" -q 0 \
	    -f --no-syslog "$@" >>"$NGT_GATELOG" 2>&1 &
	NGT_GATE_PID=$!
	# Bound to the queue when it logs its start line or, failing a line,
	# after a short settle; a dead gate is an error either way.
	n=0
	while [ $n -lt 30 ]; do
		kill -0 "$NGT_GATE_PID" 2>/dev/null ||
		    { cat "$NGT_GATELOG" >&2; fail "nfq-gate exited"; }
		grep -qiE 'start|listen|queue' "$NGT_GATELOG" 2>/dev/null &&
		    break
		n=$((n + 1))
		sleep 0.1
	done
	sleep 0.2
	kill -0 "$NGT_GATE_PID" 2>/dev/null ||
	    { cat "$NGT_GATELOG" >&2; fail "nfq-gate exited"; }
}

# SIGTERM, then wait up to S seconds for the exit; its status in $NGT_RC.
ngt_gate_stop() {	# [seconds]
	kill -TERM "$NGT_GATE_PID" || fail "SIGTERM"
	n=0 lim=$(( ${1:-10} * 10 ))
	while kill -0 "$NGT_GATE_PID" 2>/dev/null; do
		n=$((n + 1))
		[ $n -lt $lim ] || { kill -9 "$NGT_GATE_PID";
		    fail "no exit ${1:-10} s after SIGTERM"; }
		sleep 0.1
	done
	wait "$NGT_GATE_PID"
	NGT_RC=$?
	NGT_GATE_PID=
}

# How rules/nfq-gate.service starts the gate: never root, user nobody in
# the group postfix, CAP_NET_ADMIN as its only (ambient) capability.  A
# $NGT_GATE_WRAP value; more wrappers may follow.
ngt_unit_wrap() {	# [wrapper...]
	echo "setpriv --reuid=nobody --regid=nogroup --groups=postfix" \
	    "--inh-caps=-all,+net_admin --ambient-caps=-all,+net_admin" \
	    "--bounding-set=-all,+net_admin $*"
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

ngt_gate_kill() {	# [signal]
	[ -n "$NGT_GATE_PID" ] || return 0
	kill -"${1:-TERM}" "$NGT_GATE_PID" 2>/dev/null
	n=0
	while kill -0 "$NGT_GATE_PID" 2>/dev/null; do
		n=$((n + 1))
		[ $n -lt 50 ] || { kill -9 "$NGT_GATE_PID" 2>/dev/null; }
		[ $n -lt 60 ] || break
		sleep 0.1
	done
	wait "$NGT_GATE_PID" 2>/dev/null
	NGT_GATE_PID=
}

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

# Assertions on a log, with the log shown when they fail.
# A bot must come back reset.
ngt_bot_reset() {	# src dst label [wait seconds]
	out=$(ngt_bot "$1" "$2" "${4:-6}")
	echo "$3: $out"
	case $out in *result=reset*) ;; *) fail "$3: not reset: $out" ;; esac
}

ngt_expect_log() {	# file regex what [seconds]
	ngt_wait_log "$1" "$2" "${4:-5}" && return 0
	echo "--- $1:" >&2
	tail -n 40 "$1" >&2
	fail "$3: no line /$2/ in $(basename "$1")"
}

ngt_expect_gate() {	# regex what [seconds]
	ngt_expect_log "$NGT_GATELOG" "$1" "$2" "$3"
}

ngt_expect_maillog() {	# regex what [seconds]
	ngt_expect_log "$NGT_PF/maillog" "$1" "$2" "$3"
}

# An address as a basic regex fragment: dots literal.
ngt_re() { echo "$1" | sed 's/\./\\./g'; }

ngt_wait_log() {	# file regex [seconds]
	n=0 lim=$(( ${3:-10} * 10 ))
	until grep -qE "$2" "$1" 2>/dev/null; do
		n=$((n + 1))
		[ $n -lt $lim ] || return 1
		sleep 0.1
	done
}

# Milliseconds since the epoch, for timing a session.
ngt_ms() { date +%s%3N; }

ngt_cleanup() {
	rc=$?
	trap - EXIT INT TERM HUP
	# A failed test shows both sides of the story in its log.
	if [ "$rc" -ne 0 ] && [ "$rc" -ne 77 ] && [ -n "$NGT_DIR" ]; then
		for f in "$NGT_GATELOG" "$NGT_PF/maillog"; do
			[ -s "$f" ] || continue
			echo "--- last lines of $f:" >&2
			tail -n 25 "$f" >&2
		done
	fi
	[ -n "$NGT_TAIL_PID" ] && kill "$NGT_TAIL_PID" 2>/dev/null
	ngt_gate_kill TERM
	ngt_postfix_stop
	for ns in $NGT_NETNS_LIST; do
		# Any process still in there (a stray smtpd, a bot) goes first.
		for p in $(ip netns pids "$ns" 2>/dev/null); do
			kill -9 "$p" 2>/dev/null
		done
		ip netns del "$ns" 2>/dev/null
	done
	NGT_NETNS_LIST=
	rm -rf "$TMP"
	exit $rc
}

# ---- A sending Postfix and a DNS server in the client namespace --------
# (added for the greylisting and nolisting tests)
#
# Greylisting and nolisting are only proven when a real MTA's queue
# manager retries and walks the MX list, so these start a second private
# Postfix in the client namespace (no listener; mail goes in through
# sendmail -C) and dnsmasq answering for test.domain on the client's
# loopback.  The client namespace's resolv.conf comes from
# /etc/netns/$NGT_CLI/, which "ip netns exec" bind-mounts over
# /etc/resolv.conf for that namespace only; the host's file is untouched.
#
#   ngt_cpf_start [main.cf lines]  sending Postfix, log in $NGT_CPF/maillog
#   ngt_cpf_send LABEL             one mail to u@test.domain via sendmail
#   ngt_dns_start [dnsmasq args]   dnsmasq on 127.0.0.1 in the client ns
#   ngt_cleanup_client             the above away, then ngt_cleanup;
#                                  install it as the EXIT trap

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

# ---- Counters and memory of the running gate -------------------------
# (added for the fault and flood tests)
#
#   ngt_prom NAME [DIR]   value of nfq_gate_NAME in DIR/nfq-gate.prom
#                         (state_dir by default; needs stats_interval)
#   ngt_prom_wait NAME MIN [S]  wait until that value is >= MIN
#   ngt_gate_usr1         SIGUSR1, wait for the statistics lines
#   ngt_gate_rss          the gate's VmRSS in kB

# A SYN flood from the client namespace (tests/bench/synflood):
#   ngt_need_flood        skip unless it is built; sets NGT_FLOOD
#   ngt_flood_notrack     its SYNs skip conntrack in the server namespace
#                         (all but the test clients' /24); sets NGT_SRV_MAC
#   ngt_gate_events ADDR  the gate's GREYLIST/PASS events for ADDR, "A,B,"
ngt_need_flood() {
	NGT_FLOOD=$NG_BUILD/bench/synflood
	[ -x "$NGT_FLOOD" ] || skip "$NGT_FLOOD not built (make B=... \$B/bench/synflood)"
}

ngt_flood_notrack() {
	ngt_in "$NGT_SRV" iptables -w -t raw -A PREROUTING -p tcp --dport 25 \
	    ! -s 198.51.100.0/24 -j CT --notrack || fail "raw notrack rule"
	NGT_SRV_MAC=$(ip -n "$NGT_SRV" -br link show eth0 | awk '{ print $3 }')
}

ngt_gate_events() {	# addr
	grep -oE "(GREYLIST PASS|GREYLIST|PASS NEW|PASS OLD) \[$(ngt_re "$1")\]" \
	    "$NGT_GATELOG" | sed 's/ \[.*//' | tr '\n' ,
}

ngt_prom() {	# name [dir]
	awk -v m="nfq_gate_$1" '$1 == m { print $2; f = 1 } END { if (!f) print 0 }' \
	    "${2:-$NGT_DIR/state}/nfq-gate.prom" 2>/dev/null
}

ngt_prom_wait() {	# name min [seconds]
	n=0 lim=$(( ${3:-5} * 10 ))
	until [ "$(ngt_prom "$1")" -ge "$2" ] 2>/dev/null; do
		n=$((n + 1))
		[ $n -lt $lim ] || return 1
		sleep 0.1
	done
}

ngt_gate_usr1() {
	before=$(grep -c "statistics: queue" "$NGT_GATELOG")
	kill -USR1 "$NGT_GATE_PID" || fail "SIGUSR1"
	n=0
	until [ "$(grep -c "statistics: queue" "$NGT_GATELOG")" -gt "$before" ]; do
		n=$((n + 1))
		[ $n -lt 30 ] || fail "no statistics after SIGUSR1"
		sleep 0.1
	done
}

ngt_gate_rss() {
	awk '/^VmRSS:/ { print $2 }' "/proc/$NGT_GATE_PID/status"
}
