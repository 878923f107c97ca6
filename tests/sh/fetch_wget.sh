# fetch_wget.sh - tools/nfq-gate-fetch with wget (the fallback when curl
# is absent) over HTTP: a bounded Python web server on 127.0.0.1 inside a
# private network namespace serves the real AFRINIC and LACNIC files.
# Success replaces the database; a 404 for one .md5 keeps the old one.
. "$(dirname "$0")/../lib.sh"
need_root
need_shared rir
[ -x "$GATEDB" ] || fail "$GATEDB not built"
command -v wget >/dev/null || skip "wget not installed"
FETCH="$NG_ROOT/tools/nfq-gate-fetch"
NS=ngtest-fetch-$$
ip netns add "$NS" || skip "cannot create a network namespace"
SRV=
trap '[ -n "$SRV" ] && kill "$SRV" 2>/dev/null; ip netns del "$NS" 2>/dev/null; rm -rf "$TMP"' EXIT
nsx() { ip netns exec "$NS" "$@"; }
nsx ip link set lo up || fail "lo up"

M="$TMP/mirror"
mkdir -p "$M" "$TMP/var"
cp "$NFQG_SHARED_DATA"/rir/delegated-afrinic-extended-latest* \
    "$NFQG_SHARED_DATA"/rir/delegated-lacnic-extended-latest* "$M/"
PORT=8080
nsx timeout 120 python3 -m http.server --bind 127.0.0.1 --directory "$M" \
    "$PORT" >"$TMP/srv.log" 2>&1 &
SRV=$!
i=0
until nsx wget -q -O /dev/null "http://127.0.0.1:$PORT/" 2>/dev/null; do
	i=$((i + 1))
	[ $i -lt 50 ] || fail "web server did not start: $(cat "$TMP/srv.log")"
	sleep 0.1
done

DB="$TMP/var/netblocks.db"
echo "old database" >"$DB"
run_fetch() {
	nsx env NFQG_FETCH_WITH=wget sh "$FETCH" -t "$GATEDB" -o "$DB" \
	    --base "http://127.0.0.1:$PORT" --rirs "afrinic lacnic" \
	    >"$TMP/log" 2>&1
}

mv "$M/delegated-lacnic-extended-latest.md5" "$TMP/"
run_fetch && fail "404 for an .md5: exit 0"
grep -q "lacnic: download of .*md5 failed" "$TMP/log" ||
    fail "404 not reported: $(cat "$TMP/log")"
[ "$(cat "$DB")" = "old database" ] || fail "404: old database replaced"
mv "$TMP/delegated-lacnic-extended-latest.md5" "$M/"

run_fetch || fail "wget fetch: $(cat "$TMP/log")"
[ "$(cat "$DB")" = "old database" ] && fail "database not replaced"
[ "$(ls "$TMP/var")" = netblocks.db ] || fail "left $(ls "$TMP/var")"
"$GATEDB" lookup "$DB" 41.0.0.1 | grep -qw ZA || fail "41.0.0.1 not ZA"
exit 0
