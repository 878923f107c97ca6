# tests/netns/mx.sh - several MX hosts sharing one memory: two receiving
# hosts, each a private Postfix behind its own gate, the Redis both
# gates share, a trap MX, and a DNS server publishing the site's MX
# records, for tests/sh/mx_shared.sh and "make demo-mx".  Part of
# tests/netns.sh (loaded last): it reuses the other parts by pointing
# their one-host variables (NGT_SRV, NGT_PF, NGT_GATELOG, ...) at one
# host at a time (ngt_mx_use).
#
# The site, one bridge (in its own namespace) joining four namespaces;
# nothing routes outside:
#
#   cli  198.51.100.10 the sending Postfix (dnsmasq for test.domain on its
#        127.0.0.1), .11-.19 swaks, bots and probes
#   mxa  203.0.113.10  nolisting address        MX 10 mx10.test.domain
#        203.0.113.25  Postfix A                MX 20 mxa.test.domain
#        192.0.2.1     to Redis; gate A (mx_name mx-a), local mode
#   mxb  203.0.113.26  Postfix B                MX 20 mxb.test.domain
#        203.0.113.30  trap MX: a smtpd of      MX 30 mx30.test.domain
#                      Postfix B that defers everything
#        192.0.2.2     to Redis; gate B (mx_name mx-b), local mode
#   red  192.0.2.6:6379 redis-server, an ACL user limited to the prefix
#
# The MX records are IPv4 (the hosts have IPv6 addresses too, for
# Postfix's listeners and the rules, but the sending Postfix is IPv4).
# Redis is reached over the network (a veth into the bridge), as a site's
# gates reach theirs, with AUTH user and password, not through a unix
# socket.  Both gates run the same config but for mx_name and their
# files: greylist everyone (a short greylist_delay), nolisting and
# trap_mx set, redis_url pointing at red.
#
#   ngt_mx_site [LINES]       namespaces, Redis, both Postfix hosts, rules,
#                             database, both gates (LINES added to both
#                             configs); ngt_mx_init first
#   ngt_mx_init               ngt_init, the names, the EXIT trap
#   ngt_mx_topology           namespaces, bridge, addresses, routes
#   ngt_mx_use a|b            point the one-host variables at that host
#   ngt_mx_postfix a|b        start its Postfix (B: with the trap listener)
#   ngt_mx_gate_conf a|b [LINES]  its gate's config; sets NGT_CONF
#   ngt_mx_has KEY            whether the gate knows that config key
#   ngt_mx_gate a|b           start its gate (conf first); NGT_GATE_PID
#   ngt_mx_ctl a|b ARGS...    nfq-gate-ctl against that gate
#   ngt_mx_prom a|b NAME      a counter of that gate
#   ngt_mx_dns                dnsmasq with the site's MX records (cli ns)
#   ngt_redis_start           redis-server in red, wait for PONG
#   ngt_redis_kill [SIG]      stop it (SIGKILL by default)
#   ngt_redis_cli ARGS...     redis-cli as the gates' user, in red
#   ngt_mx_probe SRC DST      one TCP connect: prints refused|open|timeout
#   ngt_mx_bot_prop SRC DST H TABLE  a bot; then ms until gate H lists it
#   ngt_mx_cleanup            everything away (the EXIT trap)
#
# Variables: NGT_MX_{NOLIST,A,B,TRAP} (the MX addresses), NGT_MX_SENDER
# (the sending Postfix's address), NGT_REDIS_{A4,PORT,USER,PASS,URL},
# NGT_MX_GREY (greylist_delay, seconds).

NGT_MX_NOLIST=203.0.113.10 NGT_MX_A=203.0.113.25 NGT_MX_B=203.0.113.26
NGT_MX_TRAP=203.0.113.30
NGT_MX_A6=2001:db8:25::25 NGT_MX_B6=2001:db8:25::26
NGT_MX_SENDER=198.51.100.10
NGT_MX_BACK_A=192.0.2.1 NGT_MX_BACK_B=192.0.2.2
NGT_REDIS_A4=192.0.2.6 NGT_REDIS_PORT=6379
NGT_REDIS_USER=nfqgate NGT_REDIS_PASS=mx-test-secret
NGT_REDIS_URL="redis://$NGT_REDIS_USER:$NGT_REDIS_PASS@$NGT_REDIS_A4:$NGT_REDIS_PORT/0"
NGT_MX_GREY=3

# ngt_init, the names of the site's namespaces, the EXIT trap.
ngt_mx_init() {
	ngt_init
	NGT_MXA=$NGT_ID-mxa NGT_MXB=$NGT_ID-mxb
	NGT_RED=$NGT_ID-red NGT_HUB=$NGT_ID-hub
	NGT_MX_CUR='' NGT_MX_PID_a='' NGT_MX_PID_b='' NGT_MX_PF_a='' NGT_MX_PF_b=''
	NGT_REDIS_PID=
	trap 'ngt_mx_cleanup' EXIT
}

# The hub's bridge, a veth from each host into it, addresses and routes.
# Different subnets share the one link: every route is on-link.
ngt_mx_topology() {
	NGT_MODE=local
	ngt_ns_add "$NGT_HUB"
	ip -n "$NGT_HUB" link add br0 type bridge || fail "bridge"
	ip -n "$NGT_HUB" link set br0 up
	for h in cli:"$NGT_CLI" mxa:"$NGT_MXA" mxb:"$NGT_MXB" red:"$NGT_RED"; do
		ns=${h#*:} port=p-${h%%:*}
		ngt_ns_add "$ns"
		ngt_link "$ns" eth0 "$NGT_HUB" "$port"
		ip -n "$NGT_HUB" link set "$port" master br0 ||
		    fail "$port into the bridge"
	done
	i=10 cli=
	while [ $i -le 19 ]; do
		cli="$cli 198.51.100.$i/24"
		i=$((i + 1))
	done
	ngt_addr "$NGT_CLI" eth0 $cli "$NGT_CLI_A6/64"
	ngt_addr "$NGT_MXA" eth0 "$NGT_MX_A/24" "$NGT_MX_NOLIST/24" \
	    "$NGT_MX_BACK_A/24" "$NGT_MX_A6/64"
	ngt_addr "$NGT_MXB" eth0 "$NGT_MX_B/24" "$NGT_MX_TRAP/24" \
	    "$NGT_MX_BACK_B/24" "$NGT_MX_B6/64"
	ngt_addr "$NGT_RED" eth0 "$NGT_REDIS_A4/24"
	ngt_route "$NGT_CLI" 203.0.113.0/24 eth0
	ngt_route "$NGT_CLI" 2001:db8:25::/64 eth0
	for ns in "$NGT_MXA" "$NGT_MXB"; do
		ngt_route "$ns" 198.51.100.0/24 eth0
		ngt_route "$ns" 2001:db8:1::/64 eth0
	done
}

# Point the one-host variables of the other parts at host a or b,
# keeping what they changed (gate pid, Postfix started) for the host we
# leave.  Call it in the test's own shell, not in $(...).
ngt_mx_use() {	# a|b
	case $NGT_MX_CUR in
	a|b) eval "NGT_MX_PID_$NGT_MX_CUR=\$NGT_GATE_PID" \
	    "NGT_MX_PF_$NGT_MX_CUR=\$NGT_PF_STARTED" ;;
	esac
	case $1 in
	a) NGT_SRV=$NGT_MXA NGT_SRV_A4=$NGT_MX_A NGT_SRV_A6=$NGT_MX_A6
	   NGT_MX_NAME=mx-a NGT_PF_MASTER= ;;
	b) NGT_SRV=$NGT_MXB NGT_SRV_A4=$NGT_MX_B NGT_SRV_A6=$NGT_MX_B6
	   NGT_MX_NAME=mx-b
	   # The trap MX: Postfix B listens there too, and defers anyone
	   # who ever gets to say something (with the gate, nobody does).
	   NGT_PF_MASTER="$NGT_MX_TRAP:smtp inet n - n - - smtpd -o syslog_name=postfix/trap -o smtpd_client_restrictions=defer" ;;
	*) fail "ngt_mx_use: host $1?" ;;
	esac
	NGT_MX_CUR=$1
	eval "NGT_GATE_PID=\$NGT_MX_PID_$1 NGT_PF_STARTED=\$NGT_MX_PF_$1"
	NGT_GATE_NS=$NGT_SRV
	NGT_PF=$NGT_DIR/postfix-$1
	NGT_GATELOG=$NGT_DIR/gate-$1.log
	NGT_CONF=$NGT_DIR/gate-$1.conf
	NGT_STATE=$NGT_DIR/state-$1
}

# Start host a's or b's Postfix (its log: $NGT_DIR/postfix-a|b/maillog).
ngt_mx_postfix() {	# a|b
	ngt_mx_use "$1"
	ngt_postfix_start
}

# The config of host a's or b's gate: the tests' usual lines (2 s pause,
# its own state_dir and control socket, no privilege drop), counters
# every second, greylisting for everyone, nolisting, the trap MX and the
# shared state (those two only if the gate knows their keys); extra
# lines after.  Sets NGT_CONF.
ngt_mx_gate_conf() {	# a|b [lines...]
	ngt_mx_use "$1"
	shift
	mkdir -p "$NGT_STATE"
	{
		echo "# written by tests/netns/mx.sh for $NGT_MX_NAME"
		echo "greet_pause = 2s"
		echo "database = $NGT_DB"
		echo "state_dir = $NGT_STATE"
		echo "control_socket = $NGT_DIR/ctl-$NGT_MX_CUR.sock"
		echo "user = root"
		echo "stats_interval = 1s"
		echo "default_action = greylist"
		echo "greylist_delay = ${NGT_MX_GREY}s"
		echo "greylist_window = 1h"
		echo "nolisting = $NGT_MX_NOLIST"
		if ngt_mx_has trap_mx; then
			echo "trap_mx = $NGT_MX_TRAP"
			echo "trap_window = 10m"
		fi
		if ngt_mx_has redis_url; then
			echo "redis_url = $NGT_REDIS_URL"
			echo "redis_timeout = 500ms"
			echo "mx_name = $NGT_MX_NAME"
		fi
		for l; do echo "$l"; done
	} >"$NGT_CONF"
	chmod 600 "$NGT_CONF"	# it holds the Redis password
}

# Whether the gate knows a config key (the shared state and the trap MX
# came in one issue; a gate without them runs the site on local state).
ngt_mx_has() {	# key
	"$GATE" --list-keys | grep -qx "$1"
}

# Start host a's or b's gate with its config.
ngt_mx_gate() {	# a|b
	ngt_mx_use "$1"
	ngt_gate_start "$NGT_CONF"
	ngt_mx_use "$1"		# keep its pid
}

# nfq-gate-ctl against host a's or b's running gate.
ngt_mx_ctl() {	# a|b args...
	h=$1; shift
	"$NG_BUILD/nfq-gate-ctl" -c "$NGT_DIR/gate-$h.conf" \
	    -s "$NGT_DIR/ctl-$h.sock" "$@"
}

# nfq_gate_NAME of host a's or b's gate (0 if absent).
ngt_mx_prom() {	# a|b name
	ngt_prom "$2" "$NGT_DIR/state-$1"
}

# Both receiving hosts, Redis, the rules, the database and both gates
# (LINES added to both configs).  ngt_mx_init first; the DNS and the
# sending Postfix are the caller's (they differ between test and demo).
ngt_mx_site() {	# [config lines...]
	ngt_mx_topology
	ngt_redis_start
	ngt_db_build
	for h in a b; do
		ngt_mx_postfix $h
		ngt_rules_install
		ngt_mx_gate_conf $h "$@"
		ngt_mx_gate $h
	done
}

# dnsmasq in the client namespace publishing the site: nolisting MX 10,
# the two real hosts at MX 20 (equal: a sender picks either), trap MX 30.
ngt_mx_dns() {
	ngt_dns_start \
	    --mx-host="$NGT_DOMAIN,mx10.$NGT_DOMAIN,10" \
	    --mx-host="$NGT_DOMAIN,mxa.$NGT_DOMAIN,20" \
	    --mx-host="$NGT_DOMAIN,mxb.$NGT_DOMAIN,20" \
	    --mx-host="$NGT_DOMAIN,mx30.$NGT_DOMAIN,30" \
	    --host-record="mx10.$NGT_DOMAIN,$NGT_MX_NOLIST" \
	    --host-record="mxa.$NGT_DOMAIN,$NGT_MX_A" \
	    --host-record="mxb.$NGT_DOMAIN,$NGT_MX_B" \
	    --host-record="mx30.$NGT_DOMAIN,$NGT_MX_TRAP"
}

# redis-server in the red namespace, nothing saved to disk, the default
# user off and one user for the gates that may touch only their prefix's
# keys and channels (ARGS: more redis-server options, say a unix
# socket); returns once it answers PING.
ngt_redis_start() {	# [redis-server options...]
	command -v redis-server >/dev/null ||
	    skip "redis-server not installed (Debian redis-server)"
	mkdir -p "$NGT_DIR/redis"
	ip netns exec "$NGT_RED" redis-server --bind "$NGT_REDIS_A4" \
	    --port "$NGT_REDIS_PORT" --save '' --appendonly no \
	    --dir "$NGT_DIR/redis" --logfile "$NGT_DIR/redis/redis.log" \
	    --user default off \
	    --user "$NGT_REDIS_USER" on ">$NGT_REDIS_PASS" '~nfq-gate:*' \
	    '&nfq-gate:*' '+@all' "$@" \
	    >>"$NGT_DIR/redis/stdout" 2>&1 &
	NGT_REDIS_PID=$!
	n=0
	until [ "$(ngt_redis_cli ping 2>/dev/null)" = PONG ]; do
		kill -0 "$NGT_REDIS_PID" 2>/dev/null ||
		    { cat "$NGT_DIR/redis/redis.log" >&2; fail "redis-server exited"; }
		n=$((n + 1))
		[ $n -lt 50 ] || fail "redis-server does not answer"
		sleep 0.1
	done
}

# Stop redis-server (SIGKILL unless told): what it held is gone.
ngt_redis_kill() {	# [signal]
	[ -n "$NGT_REDIS_PID" ] || return 0
	kill -"${1:-KILL}" "$NGT_REDIS_PID" 2>/dev/null
	wait "$NGT_REDIS_PID" 2>/dev/null
	NGT_REDIS_PID=
}

# redis-cli as the gates' user.
ngt_redis_cli() {	# args...
	ip netns exec "$NGT_RED" timeout 10 redis-cli -h "$NGT_REDIS_A4" \
	    -p "$NGT_REDIS_PORT" --user "$NGT_REDIS_USER" \
	    --pass "$NGT_REDIS_PASS" --no-auth-warning "$@"
}

# One TCP connect from SRC to DST:25, closed at once without a byte:
# prints "refused" (a reset at the SYN), "open" or "timeout" (2 s).
ngt_mx_probe() {	# src dst
	ngt_in "$NGT_CLI" python3 -c '
import socket, sys
s = socket.socket()
s.bind((sys.argv[1], 0))
s.settimeout(2)
try:
    s.connect((sys.argv[2], 25))
    print("open")
except ConnectionRefusedError:
    print("refused")
except OSError:
    print("timeout")
s.close()' "$1" "$2"
}

# A bot (connects from SRC to DST:25 and sends EHLO at once) while gate
# H's control socket is asked, over and over from before the bot
# connects, whether it lists SRC in TABLE.  Prints "result=reset|closed|
# data|timeout|refused ms=MS|none after=MS polls=N": MS from the bot's
# reset to the end of the first answer that listed it (at most 5 s),
# AFTER from the reset to the start of the last answer that did not (so
# the news reached the other gate's table between the two).
ngt_mx_bot_prop() {	# src dst h table
	ngt_in "$NGT_CLI" python3 -c '
import socket, sys, threading, time
src, dst, sock, table = sys.argv[1:5]
polls = []		# (asked, answered, listed)
stop = threading.Event()
def listed():
    c = socket.socket(socket.AF_UNIX)
    c.settimeout(2)
    c.connect(sock)
    c.sendall(("list %s %s\n" % (table, src)).encode())
    buf = b""
    while True:
        d = c.recv(65536)
        if not d:
            break
        buf += d
    c.close()
    return (src + "/").encode() in buf
def poll():
    while not stop.is_set():
        t = time.monotonic()
        hit = listed()
        polls.append((t, time.monotonic(), hit))
        if hit:
            return
        time.sleep(0.0002)
th = threading.Thread(target=poll)
th.start()
time.sleep(0.05)
s = socket.socket()
s.bind((src, 0))
s.settimeout(5)
res = "timeout"
try:
    s.connect((dst, 25))
    s.sendall(b"EHLO bot\r\n")
    d = s.recv(4096)
    res = "data" if d else "closed"
except ConnectionRefusedError:
    res = "refused"
except ConnectionResetError:
    res = "reset"
except OSError:
    pass
t0 = time.monotonic()
s.close()
th.join(5)
stop.set()
th.join()
hits = [p for p in polls if p[2]]
miss = [p for p in polls if not p[2] and p[1] <= (hits[0][0] if hits else 1e18)]
ms = "%.1f" % ((hits[0][1] - t0) * 1000) if hits else "none"
after = "%.1f" % ((miss[-1][0] - t0) * 1000) if miss else "none"
print("result=%s ms=%s after=%s polls=%d" % (res, ms, after, len(polls)))' \
	    "$1" "$2" "$NGT_DIR/ctl-$3.sock" "$4"
}

# The EXIT trap: on failure the tails of every log, then both gates and
# Postfix hosts, Redis, the sending Postfix and dnsmasq, the namespaces
# and $TMP away; exits with the status.
ngt_mx_cleanup() {
	rc=$?
	trap - EXIT INT TERM HUP
	if [ "$rc" -ne 0 ] && [ "$rc" -ne 77 ] && [ -n "$NGT_DIR" ]; then
		for f in "$NGT_DIR/gate-a.log" "$NGT_DIR/gate-b.log" \
		    "$NGT_DIR/postfix-a/maillog" "$NGT_DIR/postfix-b/maillog" \
		    "$NGT_DIR/redis/redis.log"; do
			[ -s "$f" ] || continue
			echo "--- last lines of $f:" >&2
			tail -n 25 "$f" >&2
		done
	fi
	for h in a b; do
		ngt_mx_use $h
		ngt_gate_kill TERM
		ngt_postfix_stop
	done
	ngt_redis_kill
	# Shown above already.
	NGT_GATELOG=/nonexistent NGT_PF=/nonexistent
	(exit $rc)
	ngt_cleanup_client
}
