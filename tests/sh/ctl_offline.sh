#!/bin/sh
# ctl_offline.sh - nfq-gate-ctl --state-dir on a stopped gate's files:
# list, show, add (with a TTL), del (an address, a CIDR) and flush, each
# checked in the files afterwards; --json parsed by python3; the lock (a
# gate holding it: exit 69 with its pid, nothing touched); a corrupt
# file (its name and line said, nothing written, nothing set aside); the
# files replaced whole (a new inode, mode and owner kept, no temporary
# file left).  Then the client side of the socket, against a stand-in
# server: the answer copied out, the exit code passed on, no gate -> 69,
# permission denied -> 77 (NG_CTL_NOPERM) with the hint.  And the bash
# completion; and check.
. "$(dirname "$0")/../lib.sh"
need_cmd python3
CTL="$NG_BUILD/nfq-gate-ctl"
[ -x "$CTL" ] || fail "build first ($CTL)"
D=$TMP/state
mkdir "$D" || fail mkdir
# The penalty box keyed by /24 and /64, as a config may say.
printf 'penalty_prefix = 24, 64\npenalty_ttl = 1h\n' >"$TMP/ng.conf"

# ctl - nfq-gate-ctl on $D with $TMP/ng.conf; stdout to $TMP/out, stderr
# to $TMP/err, the exit status returned.
ctl() {
	ng_run "$CTL" --state-dir "$D" -c "$TMP/ng.conf" "$@" \
	    >"$TMP/out" 2>"$TMP/err"
}
ok() {	# args...: must exit 0
	ctl "$@" || fail "nfq-gate-ctl $*: exit $?: $(cat "$TMP/err")"
}
code() {	# want args...: must exit want
	want=$1; shift
	ctl "$@"
	rc=$?
	[ $rc = "$want" ] ||
	    fail "nfq-gate-ctl $*: exit $rc, want $want: $(cat "$TMP/out" "$TMP/err")"
}
entries() {	# kind: the entry lines of D/kind.state
	grep -v -e '^nfq-gate-state ' -e '^end ' "$D/$1.state"
}
json() {	# python expression over the document d, from $TMP/out
	python3 -c 'import json, sys; d = json.load(open(sys.argv[1]));
print(eval(sys.argv[2]))' "$TMP/out" "$1" || fail "not JSON: $(cat "$TMP/out")"
}
now=$(date +%s)

# ---- files made by hand, in the format cache_file.c reads ----
cat >"$D/pass.state" <<EOF
nfq-gate-state 1 pass
192.0.2.10/32 $((now - 600)) $((now + 86000)) 3
192.0.2.77/32 $((now - 60)) $((now + 86300)) 1
2001:db8:1::5/128 $((now - 30)) $((now + 86370)) 1
198.18.0.1/32 $((now - 9000)) $((now - 100)) 1
end 4
EOF
chmod 640 "$D/pass.state"

# list: the live entries (the expired one is not), exit 0.
ok list pass
grep -q '^192\.0\.2\.10/32 ' "$TMP/out" || fail "list pass: $(cat "$TMP/out")"
grep -q '^2001:db8:1::5/128 ' "$TMP/out" || fail "list pass: no v6 entry"
grep -q 198.18.0.1 "$TMP/out" && fail "list pass shows an expired entry"
[ ! -f "$D/pass.state.tmp" ] || fail "a read-only verb left a temporary file"
ok list pass 192.0.2.0/24
[ "$(grep -c '^192\.0\.2\.' "$TMP/out")" = 2 ] || fail "list pass CIDR: $(cat "$TMP/out")"
code 2 list pass 203.0.113.0/24
ino_ro=$(stat -c %i "$D/pass.state")

# add with a TTL, into a table that has no file yet: masked to /24.
ok add penalty 198.51.100.11 2h
[ -f "$D/penalty.state" ] || fail "add penalty made no penalty.state"
e=$(entries penalty)
set -- $e
[ "$1" = 198.51.100.0/24 ] || fail "add penalty: entry '$e', want the /24"
exp=$3
[ "$exp" -ge $((now + 7200)) ] && [ "$exp" -le $(($(date +%s) + 7201)) ] ||
    fail "add penalty 2h: expires $exp, now $now"
[ "$(stat -c %a "$D/penalty.state")" = 600 ] ||
    fail "a new state file is mode $(stat -c %a "$D/penalty.state")"
# And without one: the config's penalty_ttl, for 2001:db8:5::1's /64.
ok add penalty 2001:db8:5::1
entries penalty | grep -q '^2001:db8:5::/64 ' || fail "v6 add: $(entries penalty)"
[ "$(entries penalty | wc -l)" = 2 ] || fail "penalty: $(entries penalty)"
[ "$(stat -c %i "$D/pass.state")" = "$ino_ro" ] ||
    fail "adding to penalty rewrote pass.state"

# show: why is this address refused?
ok show 198.51.100.11
grep -q '^penalty .*198\.51\.100\.0/24' "$TMP/out" || fail "show: $(cat "$TMP/out")"
ok --json show 198.51.100.11
[ "$(json 'd["penalty"]["addr"]')" = 198.51.100.0/24 ] ||
    fail "--json show: $(cat "$TMP/out")"
[ "$(json 'd["pass"]')" = None ] || fail "--json show pass: $(cat "$TMP/out")"
# An address no table holds: ctl.h says NG_CTL_NOTFOUND (2) for show too;
# ctl.c answers 0 with "nothing known": either, and no entry shown.
ctl show 203.0.113.200
rc=$?
[ $rc = 0 ] || [ $rc = 2 ] || fail "show of an unknown address: exit $rc"
grep -q '^penalty *-$' "$TMP/out" || fail "show unknown: $(cat "$TMP/out")"

# del by address: the /24 that covers it goes, the file is replaced whole.
ino=$(stat -c %i "$D/penalty.state")
ok del penalty 198.51.100.11
entries penalty | grep -q 198.51.100 && fail "del penalty: $(entries penalty)"
entries penalty | grep -q '^2001:db8:5::/64 ' || fail "del took the v6 entry too"
[ "$(stat -c %i "$D/penalty.state")" != "$ino" ] ||
    fail "penalty.state was written in place (same inode)"
code 2 del penalty 198.51.100.11

# del by CIDR, in a file with its own mode (and, as root, owner).
[ "$(id -u)" = 0 ] && chown 65534:65534 "$D/pass.state"
own=$(stat -c '%u:%g %a' "$D/pass.state")
ino=$(stat -c %i "$D/pass.state")
ok --json del pass 192.0.2.0/24
[ "$(json 'd["deleted"]')" = 2 ] || fail "--json del: $(cat "$TMP/out")"
[ "$(entries pass)" = "$(grep '^2001:db8:1::5/128 ' "$D/pass.state")" ] ||
    fail "del pass 192.0.2.0/24 left: $(entries pass)"
[ "$(stat -c '%u:%g %a' "$D/pass.state")" = "$own" ] ||
    fail "pass.state was $own, is $(stat -c '%u:%g %a' "$D/pass.state")"
[ "$(stat -c %i "$D/pass.state")" != "$ino" ] || fail "pass.state: same inode"
grep -q 198.18.0.1 "$D/pass.state" && fail "the expired entry was kept"
# The untouched entry kept its times to the second.
grep -q "^2001:db8:1::5/128 $((now - 30)) $((now + 86370)) 1$" \
    "$D/pass.state" || fail "an untouched entry changed: $(entries pass)"

# --json list, and flush.
ok add greylist 203.0.113.5
ok add greylist 203.0.113.6 10m
ok --json list greylist
[ "$(json 'len(d["entries"])')" = 2 ] || fail "--json list: $(cat "$TMP/out")"
ok flush greylist
[ -z "$(entries greylist)" ] || fail "flush left: $(entries greylist)"
grep -qx 'end 0' "$D/greylist.state" || fail "flush: $(cat "$D/greylist.state")"

# Offline, no gate to ask: status, reload and save are not available.
for v in status reload save; do
	code 64 $v
	grep -q "not available" "$TMP/err" || fail "$v offline: $(cat "$TMP/err")"
done
code 64 frob
code 64 del penalty not-an-address
code 64 add pass 192.0.2.1 forever
# No temporary file left by any of it.
ls -a "$D" | grep -E '\.tmp|corrupt' && fail "left behind: $(ls -a "$D")"

# ---- the lock: a gate holds it ----
snap() { for f in "$D"/*.state; do printf '%s %s\n' "$(stat -c %i "$f")" \
    "$(md5sum <"$f")"; done; }
snap >"$TMP/before"
python3 - "$D/nfq-gate.lock" "$TMP/locked" <<'EOF' &
import fcntl, os, sys, time
fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT, 0o644)
fcntl.flock(fd, fcntl.LOCK_EX)
os.ftruncate(fd, 0)
os.write(fd, b"4242\n")
open(sys.argv[2], "w").close()
time.sleep(30)
EOF
holder=$!
i=0
while [ ! -f "$TMP/locked" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
[ -f "$TMP/locked" ] || { kill $holder; fail "the lock holder did not start"; }
ctl add penalty 192.0.2.99
rc=$?
ctl list pass
rc2=$?
kill $holder 2>/dev/null
wait $holder 2>/dev/null
[ $rc = 69 ] && [ $rc2 = 69 ] || fail "with the lock held: exit $rc, $rc2, want 69"
grep -q "in use by a running nfq-gate (pid 4242)" "$TMP/err" ||
    fail "lock held: $(cat "$TMP/err")"
snap >"$TMP/after"
cmp -s "$TMP/before" "$TMP/after" || fail "a state file changed under the lock"
# Released: it works again.
ok list pass

# ---- a corrupt file: named with its line, nothing written ----
cat >"$D/greylist.state" <<EOF
nfq-gate-state 1 greylist
203.0.113.7/32 $now nonsense 1
end 1
EOF
snap >"$TMP/before"
code 3 add pass 192.0.2.50
grep -q "greylist\.state:2: bad expiry time" "$TMP/err" ||
    fail "corrupt file: $(cat "$TMP/err")"
snap >"$TMP/after"
cmp -s "$TMP/before" "$TMP/after" || fail "a corrupt file still let a save through"
ls "$D" | grep -q corrupt && fail "the corrupt file was set aside: $(ls "$D")"
grep -q 192.0.2.50 "$D/pass.state" && fail "pass.state written anyway"
rm "$D/greylist.state"
ok add pass 192.0.2.50
grep -q '^192\.0\.2\.50/32 ' "$D/pass.state" || fail "add after the repair"

# No such directory; a config that does not parse.
ng_run "$CTL" --state-dir "$TMP/nowhere" list pass >/dev/null 2>"$TMP/err" &&
    fail "a missing state_dir worked"
grep -q nowhere "$TMP/err" || fail "missing state_dir: $(cat "$TMP/err")"
echo "greet_pause = soon" >"$TMP/bad.conf"
ng_run "$CTL" --state-dir "$D" -c "$TMP/bad.conf" list pass >/dev/null \
    2>"$TMP/err"
rc=$?
[ $rc = 78 ] || fail "bad config: exit $rc: $(cat "$TMP/err")"
grep -q 'bad.conf:1' "$TMP/err" || fail "bad config: $(cat "$TMP/err")"
# show with a database: country, AS number and owner, "--" where none.
printf '198.51.100.0,198.51.100.255,US\n' >"$TMP/cc.csv"
printf '198.51.100.0,198.51.100.127,64496,"Example Hosting, LLC"\n' \
    >"$TMP/asn.csv"
ng_run "$GATEDB" build -o "$TMP/ng.db" "$TMP/cc.csv" "$TMP/asn.csv" \
    >/dev/null 2>"$TMP/err" || fail "nfq-gate-db build: $(cat "$TMP/err")"
printf 'database = %s\n' "$TMP/ng.db" >>"$TMP/ng.conf"
ok show 198.51.100.11
grep -qx 'country   US' "$TMP/out" &&
    grep -qx 'asn       AS64496' "$TMP/out" &&
    grep -qx 'owner     Example Hosting, LLC' "$TMP/out" ||
    fail "show with a database: $(cat "$TMP/out")"
ok --json show 198.51.100.200
[ "$(json 'd["country"], d["asn"], d["owner"]')" = "('US', None, None)" ] ||
    fail "--json show, no ASN: $(cat "$TMP/out")"
ok --json show 198.51.100.11
[ "$(json 'd["asn"], d["owner"]')" = "(64496, 'Example Hosting, LLC')" ] ||
    fail "--json show, ASN: $(cat "$TMP/out")"

echo "offline: list, show, add, del, flush, --json, lock, corrupt file: ok"

# ---- online, against a stand-in for the gate ----
S=$TMP/ctl.sock
cat >"$TMP/fake.py" <<'EOF'
import os, socket, sys
path, log = sys.argv[1], sys.argv[3]
reply = sys.argv[2].replace("\\n", "\n").encode()
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.bind(path)
s.listen(1)
open(path + ".ready", "w").close()
c, _ = s.accept()
buf = b""
while not buf.endswith(b"\n"):
    b = c.recv(600)
    if not b:
        break
    buf += b
open(log, "wb").write(buf)
c.sendall(reply)
c.close()
EOF
fake() {	# reply (\n for a newline): serve one request, the line into $TMP/req
	rm -f "$S" "$S.ready"
	python3 "$TMP/fake.py" "$S" "$1" "$TMP/req" &
	fpid=$!
	i=0
	while [ ! -f "$S.ready" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
}
fake '2 no such entry\nthe body\n'
ng_run "$CTL" -s "$S" --json show 192.0.2.1 >"$TMP/out" 2>"$TMP/err"
rc=$?
wait $fpid
[ $rc = 2 ] || fail "online: exit $rc, want 2"
[ "$(cat "$TMP/req")" = "json show 192.0.2.1" ] || fail "request: $(cat "$TMP/req")"
[ "$(cat "$TMP/out")" = "the body" ] || fail "body: $(cat "$TMP/out")"
[ "$(cat "$TMP/err")" = "nfq-gate-ctl: no such entry" ] || fail "msg: $(cat "$TMP/err")"
fake '0 ok\nall well\n'
ng_run "$CTL" -s "$S" status >"$TMP/out" 2>"$TMP/err" ||
    fail "online status: exit $?: $(cat "$TMP/err")"
wait $fpid
[ "$(cat "$TMP/out")" = "all well" ] && [ ! -s "$TMP/err" ] ||
    fail "online ok: $(cat "$TMP/out" "$TMP/err")"
# control_socket from the config.
fake '0 ok\n'
echo "control_socket = $S" >"$TMP/sock.conf"
ng_run "$CTL" -c "$TMP/sock.conf" save >"$TMP/out" 2>"$TMP/err" ||
    { kill $fpid 2>/dev/null; fail "-c CONF: exit $?: $(cat "$TMP/err")"; }
wait $fpid
[ "$(cat "$TMP/req")" = save ] || fail "via the config: $(cat "$TMP/req")"
# A config that cannot be read: the default socket, and a note saying why
# (unless a gate listens there: another test's, or the machine's).
if [ ! -e /run/nfq-gate/ctl.sock ]; then
	ng_run "$CTL" -c "$TMP/nonesuch.conf" status >/dev/null 2>"$TMP/err"
	rc=$?
	[ $rc = 69 ] || fail "unreadable config, no gate: exit $rc"
	grep -q "note: $TMP/nonesuch.conf: cannot open: .*default socket" \
	    "$TMP/err" || fail "unreadable config: $(cat "$TMP/err")"
fi
rm -f "$S"
ng_run "$CTL" -s "$S" status >/dev/null 2>"$TMP/err"
rc=$?
[ $rc = 69 ] || fail "no gate: exit $rc"
grep -q "$S: no running gate (connect: " "$TMP/err" || fail "no gate: $(cat "$TMP/err")"
# Permission denied: as nobody, on a root-only socket.
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then
	fake '0 ok\n'
	chmod 711 "$TMP"
	chmod 600 "$S"
	setpriv --reuid=65534 --regid=65534 --clear-groups "$CTL" -s "$S" \
	    status >/dev/null 2>"$TMP/err"
	rc=$?
	kill $fpid 2>/dev/null; wait $fpid 2>/dev/null
	[ $rc = 77 ] || fail "permission denied: exit $rc: $(cat "$TMP/err")"
	grep -q "permission denied.*control_socket_group" "$TMP/err" ||
	    fail "permission denied: $(cat "$TMP/err")"
fi
# A word with a blank, and no verb at all.
ng_run "$CTL" -s "$S" show "1.2.3.4 5" >/dev/null 2>&1
[ $? = 64 ] || fail "a blank in a word: not 64"
ng_run "$CTL" >/dev/null 2>&1
[ $? = 64 ] || fail "no verb: not 64"
echo "online: answer, code, message, no gate, permission: ok"

# ---- check: nfq-gate -n's checks, said the same way ----
ng_run "$CTL" -c "$TMP/bad.conf" check >"$TMP/out" 2>"$TMP/err"
rc=$?
[ $rc = 78 ] || fail "check of a bad config: exit $rc: $(cat "$TMP/err")"
grep -q "^nfq-gate-ctl: $TMP/bad.conf:1: " "$TMP/err" ||
    fail "check: $(cat "$TMP/err")"
[ "$(sed 's/^nfq-gate-ctl: /nfq-gate: /' "$TMP/err")" = \
    "$("$GATE" -n -c "$TMP/bad.conf" 2>&1)" ] ||
    fail "check says it otherwise than nfq-gate -n: $(cat "$TMP/err")"
ng_run "$CTL" --json check >/dev/null 2>&1
[ $? = 64 ] || fail "--json check: not 64"

# ---- bash completion ----
if command -v bash >/dev/null; then
	comp() {	# words...: what completes the last one
		bash -c '. "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1));
		    _nfq_gate_ctl; echo "${COMPREPLY[*]}"' _ \
		    "$NG_ROOT/rules/bash-completion/nfq-gate-ctl" "$@"
	}
	[ "$(comp nfq-gate-ctl li)" = list ] || fail "complete li: $(comp nfq-gate-ctl li)"
	[ "$(comp nfq-gate-ctl --json del p)" = "pass penalty" ] ||
	    fail "complete del p: $(comp nfq-gate-ctl --json del p)"
	[ "$(comp nfq-gate-ctl --state-dir /x flush g)" = greylist ] ||
	    fail "complete flush g"
	[ "$(comp nfq-gate-ctl --st)" = --state-dir ] || fail "complete --st"
	[ -z "$(comp nfq-gate-ctl show 1)" ] || fail "complete show: $(comp nfq-gate-ctl show 1)"
	echo "bash completion: ok"
fi
exit 0
