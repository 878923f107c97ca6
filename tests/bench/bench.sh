# tests/bench/bench.sh - sourced by the benchmark parts (tests/bench/*.sh).
#
# Each part measures one thing against its baseline in the same run and
# prints finished Markdown table rows on stdout:
#     | what | ours | baseline | ratio | goal |
# and its diagnostics on stderr.  A part that cannot run prints its rows
# with "n/a (reason)" and exits 0, so one missing piece never hides the
# others.  tests/bench/run collects the rows.
#
# NG_BENCH_OUT  where a part may keep files between its steps ($TMP)

. "$(dirname "$0")/../lib.sh"

BENCH="$NG_BUILD/bench"
HELPERS="$NG_BUILD/tests/helpers"
WHOIS="$NFQG_SHARED_DATA/geo-whois-asn-country"
SAMPLE_CSV="$NG_ROOT/rules/netblocks-sample.csv"

say() { echo "bench: $*" >&2; }

row() {	# what ours baseline ratio goal
	printf '| %s | %s | %s | %s | %s |\n' "$1" "$2" "$3" "$4" "$5"
}

na() {	# what reason goal
	row "$1" "n/a ($2)" "" "" "$3"
}

# Arithmetic on decimals, which sh cannot do.
calc() {	# awk-expression [format]
	awk "BEGIN { v = $1; printf \"${2:-%.2f}\", v }"
}

ratio() {	# a b -> a/b, "—" when b is zero or empty
	awk -v a="$1" -v b="$2" \
	    'BEGIN { if (b + 0 == 0) print "—"; else printf "%.2f", a / b }'
}

min() {	# best-so-far new -> the smaller (best-so-far may be empty)
	awk -v a="$1" -v b="$2" \
	    'BEGIN { if (a == "" || b + 0 < a + 0) print b; else print a }'
}

max() {	# best-so-far new -> the larger
	awk -v a="$1" -v b="$2" \
	    'BEGIN { if (a == "" || b + 0 > a + 0) print b; else print a }'
}

# "12345678" -> "12.3 M"; for rates and counts.
human() {
	awk -v v="$1" 'BEGIN {
		if (v >= 1e9) printf "%.2f G", v / 1e9;
		else if (v >= 1e6) printf "%.1f M", v / 1e6;
		else if (v >= 1e4) printf "%.1f k", v / 1e3;
		else printf "%g", v }'
}

# A goal text with its verdict: met "≥ 0.9 ✓", missed "≥ 0.9 ✗".
goal_ge() {	# value target [text]
	awk -v v="$1" -v g="$2" -v t="${3:-≥ $2}" \
	    'BEGIN { printf "%s %s", t, (v + 0 >= g + 0) ? "✓" : "✗" }'
}
goal_le() {	# value target [text]
	awk -v v="$1" -v g="$2" -v t="${3:-≤ $2}" \
	    'BEGIN { printf "%s %s", t, (v + 0 <= g + 0 && v != "") ? "✓" : "✗" }'
}

# The value of key=value on stdin.
kv() { sed -n "s/^$1=//p" | tail -n 1; }

now() { date +%s.%N; }
elapsed() { calc "$(now) - $1" "%.3f"; }	# start

# The whole whois database when the shared data is there, else the
# sample; built once per run and kept in NG_BENCH_OUT.
bench_db() {
	db="${NG_BENCH_OUT:-$TMP}/whois.db"
	if [ ! -s "$db" ]; then
		if [ -d "$WHOIS" ]; then
			"$GATEDB" build -o "$db" \
			    "$WHOIS/geo-whois-asn-country-ipv4.csv" \
			    "$WHOIS/geo-whois-asn-country-ipv6.csv" >&2
		else
			"$GATEDB" build -o "$db" "$SAMPLE_CSV" >&2
		fi || return 1
	fi
	echo "$db"
}

# Which data bench_db used, for the table.
bench_db_name() {
	if [ -d "$WHOIS" ]; then echo "full whois"; else echo "sample"; fi
}

have() { [ -x "$1" ]; }

# Does the gate binary run the live front-end yet?
have_live() {
	have "$GATE" && grep -q ng_live_main "$NG_ROOT/nfq-gate/cli/gate_main.c" &&
	    ls "$NG_ROOT"/nfq-gate/daemon/live*.c >/dev/null 2>&1
}

# VmRSS of a process in kB.
rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status" 2>/dev/null; }

# The gate's own pid in its namespace (NGT_GATE_PID may be the subshell
# that started it), for signals and /proc.
gate_pid() {
	for p in $(ip netns pids "$NGT_GATE_NS" 2>/dev/null); do
		[ "$(cat "/proc/$p/comm" 2>/dev/null)" = nfq-gate ] &&
		    { echo "$p"; return 0; }
	done
	return 1
}

# The gate's engine packet count: SIGUSR1, then its "statistics:
# packets=N" log line.
gate_packets() {	# pid
	n0=$(grep -c 'statistics: packets=' "$NGT_GATELOG")
	kill -USR1 "$1" || return 1
	i=0
	while [ "$(grep -c 'statistics: packets=' "$NGT_GATELOG")" -le "$n0" ]; do
		i=$((i + 1))
		[ $i -lt 50 ] || return 1
		sleep 0.1
	done
	sed -n 's/.*statistics: packets=\([0-9]*\).*/\1/p' "$NGT_GATELOG" |
	    tail -n 1
}

# Stop the gate and wait until it is gone (it releases what it holds).
gate_stop() {	# pid
	kill -TERM "$1" 2>/dev/null
	i=0
	while kill -0 "$1" 2>/dev/null && [ $i -lt 100 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	kill -KILL "$1" 2>/dev/null
	ngt_gate_kill TERM
}

# A gate config in $TMP: the database, state in $TMP, no privilege drop,
# then the part's own "key = value" lines.  Sets NGT_CONF.
gate_conf() {	# db [lines...]
	NGT_CONF=$TMP/nfq-gate.conf
	mkdir -p "$TMP/state"
	{
		echo "database = $1"
		echo "state_dir = $TMP/state"
		echo "control_socket = $TMP/ctl.sock"
		echo "user = root"
		shift
		for l; do echo "$l"; done
	} >"$NGT_CONF"
}
