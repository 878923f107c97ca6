#!/bin/sh
# config_check.sh - nfq-gate -n: the start's checks, nothing started.
#
#   - a good config (the sample database, an existing user, a state_dir
#     that user owns) is 0 with one "config ok" line naming the file, the
#     database's ranges, the user and the state_dir;
#   - each broken one is 78 and names its problem with the file (and the
#     line, when a line sets the key): a syntax error, a missing, a
#     truncated and a corrupted database, an unknown user, a state_dir the
#     user cannot write (root's, 0755, user nobody), a missing policy
#     socket directory, an unknown policy_socket_owner, clashing marks;
#   - several problems in one file are all reported, each once, the lines
#     after a syntax error still parsed; warnings (587, no 25) fail nothing;
#   - -n never starts the gate: -n with -q is a usage error (64); run as
#     root in an empty network namespace it leaves no nft table and no
#     bound queue, makes no missing state_dir and chowns nothing; run as
#     nobody with no capabilities at all it gives the same answers.

. "$(dirname "$0")/../lib.sh"
[ -x "$GATE" ] && [ -x "$GATEDB" ] || fail "build first"
ROOT=0
[ "$(id -u)" = 0 ] && ROOT=1

check() {	# want label conf: runs nfq-gate -n, output in $TMP/out
	ng_run "$GATE" -n -c "$3" >"$TMP/out" 2>&1
	rc=$?
	[ "$rc" = "$1" ] || { cat "$TMP/out"; fail "$2: exit $rc, want $1"; }
	echo "$2: exit $rc"
}

has() {		# label fixed-string: the last output holds it
	grep -qF -- "$2" "$TMP/out" || { cat "$TMP/out"; fail "$1: no \"$2\""; }
}

"$GATEDB" build -o "$TMP/db" "$NG_ROOT/rules/netblocks-sample.csv" \
    >"$TMP/db.log" 2>&1 || { cat "$TMP/db.log"; fail "nfq-gate-db build"; }
chmod 755 "$TMP"
chmod 644 "$TMP/db"

# The user the good config names: nobody as root (it owns the state_dir),
# else whoever runs the test, who can own one without root.
if [ "$ROOT" = 1 ]; then
	id nobody >/dev/null 2>&1 || skip "no user nobody"
	U=nobody
else
	U=$(id -un)
fi
mkdir -m 750 "$TMP/state"
[ "$ROOT" = 1 ] && chown "$U:$(id -gn "$U")" "$TMP/state"

good() {	# the good config's lines
	cat <<EOF
# a good config
greet_pause = 6s
database = $TMP/db
state_dir = $TMP/state
user = $U
country CN = drop
EOF
}

# ---- good ----
good >"$TMP/good.conf"
check 0 "good" "$TMP/good.conf"
# The ranges nfq-gate-db info counts ("ranges: ipv4 49, ipv6 16").
ranges=$("$GATEDB" info "$TMP/db" |
    sed -n 's/^ranges: ipv4 \([0-9]*\), ipv6 \([0-9]*\)$/\1 + \2/p')
[ -n "$ranges" ] || fail "nfq-gate-db info: no ranges line"
has good "nfq-gate: $TMP/good.conf: config ok: database $TMP/db ($(($ranges)) ranges), user $U (uid $(id -u "$U")), state_dir $TMP/state, ports 25"
[ "$(wc -l <"$TMP/out")" = 1 ] || { cat "$TMP/out"; fail "good: not one line"; }
echo "good: $(cat "$TMP/out")"

# A warning fails nothing.
{ good; echo "ports = 2525 587"; } >"$TMP/warn.conf"
check 0 "warnings only" "$TMP/warn.conf"
has "warnings only" "nfq-gate: warning: $TMP/warn.conf:7: ports: 587 is submission"
has "warnings only" "nfq-gate: warning: $TMP/warn.conf:7: ports: 25 is not judged"
has "warnings only" "config ok"
has "warnings only" "2 warnings"

# A hint's weight that alone reaches the reject threshold is named.
{ good; echo "rdns_none_weight = 2"; echo "dnsbl_threshold = 2"; } \
    >"$TMP/weight.conf"
check 0 "weight alone" "$TMP/weight.conf"
has "weight alone" "nfq-gate: warning: $TMP/weight.conf: rdns_none_weight = 2 alone reaches dnsbl_threshold = 2: every such client is rejected on that fact alone"
{ good; echo "rdns_none_weight = 1"; echo "dnsbl_threshold = 2"; } \
    >"$TMP/weight.conf"
check 0 "weight below" "$TMP/weight.conf"
if grep -q "alone reaches" "$TMP/out"; then fail "weight below: warned"; fi

# ---- one problem each ----
good | sed 's/^greet_pause = .*/greet_pause = 6x/' >"$TMP/syntax.conf"
check 78 "syntax" "$TMP/syntax.conf"
has syntax "nfq-gate: $TMP/syntax.conf:2: greet_pause: bad duration \"6x\""
has syntax "1 problem: the gate would not start"

good | sed "s|^database = .*|database = $TMP/nodb|" >"$TMP/nodb.conf"
check 78 "missing database" "$TMP/nodb.conf"
has "missing database" "nfq-gate: $TMP/nodb.conf:3: database: $TMP/nodb: No such file"

head -c 100 "$TMP/db" >"$TMP/short.db"
good | sed "s|^database = .*|database = $TMP/short.db|" >"$TMP/short.conf"
check 78 "truncated database" "$TMP/short.conf"
has "truncated database" "nfq-gate: $TMP/short.conf:3: database: $TMP/short.db: "

cp "$TMP/db" "$TMP/flip.db"
size=$(wc -c <"$TMP/flip.db")
printf '\377\377\377\377' | dd of="$TMP/flip.db" bs=1 seek=$((size / 2)) \
    conv=notrunc 2>/dev/null
cmp -s "$TMP/db" "$TMP/flip.db" && fail "the bytes did not flip"
good | sed "s|^database = .*|database = $TMP/flip.db|" >"$TMP/flip.conf"
check 78 "corrupt database" "$TMP/flip.conf"
has "corrupt database" "nfq-gate: $TMP/flip.conf:3: database: $TMP/flip.db: "

good | sed 's/^user = .*/user = nfqg-no-such-user/' >"$TMP/nouser.conf"
check 78 "unknown user" "$TMP/nouser.conf"
has "unknown user" "nfq-gate: $TMP/nouser.conf:5: user: no user \"nfqg-no-such-user\""

{ good; echo "policy_socket = $TMP/nodir/policy"; } >"$TMP/nosock.conf"
check 78 "policy socket directory" "$TMP/nosock.conf"
has "policy socket directory" \
    "nfq-gate: $TMP/nosock.conf:7: policy_socket: directory $TMP/nodir: No such file"
mkdir "$TMP/sockdir"
{ good; echo "policy_socket = $TMP/sockdir/policy"
  echo "policy_socket_owner = $U:nfqg-no-such-group"; } >"$TMP/owner.conf"
check 78 "policy socket owner" "$TMP/owner.conf"
has "policy socket owner" \
    "nfq-gate: $TMP/owner.conf:8: policy_socket_owner: no group \"nfqg-no-such-group\""
[ "$(grep -c 'nfq-gate: [^w]' "$TMP/out")" = 2 ] ||
    { cat "$TMP/out"; fail "policy socket owner: the socket dir was blamed"; }

# A bad owner pattern names its line and the regex library's reason; the
# line is blanked and the rest still checked (the asn line after it).
{ good; echo "owner /dsl(/ in BR = greylist"; echo "asn 0 = drop"; } \
    >"$TMP/regex.conf"
check 78 "bad owner pattern" "$TMP/regex.conf"
has "bad owner pattern" "nfq-gate: $TMP/regex.conf:7: owner: bad pattern: "
has "bad owner pattern" "nfq-gate: $TMP/regex.conf:8: asn: bad AS number \"0\""

{ good; echo "mark_pass = 0x200"; } >"$TMP/marks.conf"
check 78 "marks" "$TMP/marks.conf"
has marks "nfq-gate: $TMP/marks.conf:7: mark_pass and mark_reset must differ"

if [ "$ROOT" = 1 ]; then
	mkdir -m 755 "$TMP/rootstate"
	good | sed "s|^state_dir = .*|state_dir = $TMP/rootstate|" \
	    >"$TMP/rootst.conf"
	check 78 "state_dir root's" "$TMP/rootst.conf"
	has "state_dir root's" "nfq-gate: $TMP/rootst.conf:4: state_dir: $TMP/rootstate: not writable by user nobody"
	[ "$(stat -c '%u %a' "$TMP/rootstate")" = "0 755" ] ||
	    fail "state_dir root's: changed by the check"
else
	echo "state_dir root's: skipped (not root)"
fi
mkdir -m 777 "$TMP/open"
good | sed "s|^state_dir = .*|state_dir = $TMP/open|" >"$TMP/open.conf"
check 78 "state_dir open" "$TMP/open.conf"
has "state_dir open" "state_dir: $TMP/open: writable by group or others (mode 0777)"

# ---- three problems at once: every one named, each once ----
good | sed -e 's/^greet_pause = .*/greet_pause = 6x/' \
    -e "s|^database = .*|database = $TMP/nodb|" \
    -e 's/^user = .*/user = nfqg-no-such-user/' >"$TMP/three.conf"
check 78 "three problems" "$TMP/three.conf"
cat "$TMP/out"
has "three problems" "nfq-gate: $TMP/three.conf:2: greet_pause: bad duration \"6x\""
has "three problems" "nfq-gate: $TMP/three.conf:3: database: $TMP/nodb: No such file"
has "three problems" "nfq-gate: $TMP/three.conf:5: user: no user \"nfqg-no-such-user\""
has "three problems" "3 problems: the gate would not start"
[ "$(wc -l <"$TMP/out")" = 4 ] || fail "three problems: not 3 lines and a count"

# A syntax error does not hide the lines after it, nor blame their keys'
# defaults: the refused user line is not checked as "nfq-gate".
printf 'greet_pause = 6x\nbogus = 1\nuser = a:b\nstate_dir = %s\n' \
    "$TMP/state" >"$TMP/lines.conf"
check 78 "lines after" "$TMP/lines.conf"
has "lines after" "$TMP/lines.conf:1: greet_pause"
has "lines after" "$TMP/lines.conf:2: unknown setting \"bogus\""
has "lines after" "$TMP/lines.conf:3: user: bad user name \"a:b\""
grep -q 'no user' "$TMP/out" && { cat "$TMP/out"; fail "lines after: the default user was checked"; }
has "lines after" "3 problems"

# A bad line in an allow_file (relative to the config's directory) is
# blamed on that file, and the config line naming it is left out.
mkdir "$TMP/etc"
printf '192.0.2.0/24\nnot-an-address\n' >"$TMP/etc/allow.txt"
{ good; echo "allow_file = allow.txt"; echo "user = nfqg-no-such-user"; } |
    sed '/^user = '"$U"'$/d' >"$TMP/etc/allow.conf"
check 78 "allow_file" "$TMP/etc/allow.conf"
has allow_file "nfq-gate: $TMP/etc/allow.txt:2: bad address or prefix \"not-an-address\""
has allow_file "nfq-gate: $TMP/etc/allow.conf:7: user: no user"

check 78 "no such config" "$TMP/none.conf"
has "no such config" "nfq-gate: $TMP/none.conf: cannot open"

# ---- nothing started, nothing made ----
ng_run "$GATE" -n -q 0 -c "$TMP/good.conf" >"$TMP/out" 2>&1
[ $? = 64 ] || { cat "$TMP/out"; fail "-n -q: not a usage error"; }
echo "-n -q: exit 64"
good | sed "s|^state_dir = .*|state_dir = $TMP/new/deeper|" >"$TMP/new.conf"
check 0 "state_dir to be made" "$TMP/new.conf"
has "state_dir to be made" "state_dir $TMP/new/deeper (to be made)"
[ -e "$TMP/new" ] && fail "the check made the state_dir"

[ "$ROOT" = 1 ] || { echo "config_check: passed (root parts skipped)"; exit 0; }
need_cmd setpriv unshare nft
if unshare -n true 2>/dev/null; then
	unshare -n sh -c '"$1" -n -c "$2" >/dev/null 2>&1; echo "rc=$?"
	    nft list ruleset; cat /proc/net/netfilter/nfnetlink_queue 2>/dev/null' \
	    sh "$GATE" "$TMP/good.conf" >"$TMP/ns.out" 2>&1
	[ "$(cat "$TMP/ns.out")" = "rc=0" ] ||
	    { cat "$TMP/ns.out"; fail "netns: the check left a table or a queue"; }
	echo "netns: no nft table, no queue bound"
fi
setpriv --reuid=nobody --regid="$(id -gn nobody)" --clear-groups \
    --inh-caps=-all --bounding-set=-all \
    "$GATE" -n -c "$TMP/good.conf" >"$TMP/out" 2>&1
rc=$?
[ $rc = 0 ] || { cat "$TMP/out"; fail "as nobody: exit $rc, want 0"; }
has "as nobody" "config ok: database $TMP/db"
echo "as nobody: $(cat "$TMP/out")"
setpriv --reuid=nobody --regid="$(id -gn nobody)" --clear-groups \
    --inh-caps=-all --bounding-set=-all \
    "$GATE" -n -c "$TMP/three.conf" >"$TMP/out" 2>&1
rc=$?
[ $rc = 78 ] || { cat "$TMP/out"; fail "as nobody, three: exit $rc"; }
has "as nobody, three" "3 problems"
echo "config_check: every check passed"
exit 0
