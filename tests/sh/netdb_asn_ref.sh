# netdb_asn_ref.sh - country + AS number + owner lookups on the whole
# shared data against an independent reader written here.
#
# The database is built from the geo-whois-asn-country CSVs (country)
# and the ip-location-db asn CSVs (AS number and organisation), both
# families.  The reference reads the same CSVs with Python's csv module
# and answers each field on its own by the documented rule (the covering
# row that starts last wins, then the narrowest, then the later line),
# found with a bisect and each row's enclosing row (blanks around an
# organisation, quoted or not, are not part of it).  The CSVs are the
# truth: on >= 1M random addresses, every row boundary +-1 and the
# middle of every nested row, not one field may disagree, in the text
# output and (on a sample) in --json.
. "$(dirname "$0")/../lib.sh"
need_shared geo-whois-asn-country
need_shared asn
need_cmd python3
G="$NFQG_SHARED_DATA/geo-whois-asn-country"
A="$NFQG_SHARED_DATA/asn"
[ -x "$GATEDB" ] || fail "$GATEDB not built"

ng_run "$GATEDB" build -o "$TMP/full.db" "$G/geo-whois-asn-country-ipv4.csv" \
    "$G/geo-whois-asn-country-ipv6.csv" "$A/asn-ipv4.csv" "$A/asn-ipv6.csv" \
    >"$TMP/build.out" 2>&1 || fail "build: $(cat "$TMP/build.out")"
cat "$TMP/build.out"
# The asn files are detected as such, every row giving an AS and an owner.
grep -q 'asn-ipv4.csv: asn, 411961 ipv4 rows' "$TMP/build.out" ||
    fail "asn-ipv4.csv not read as asn"
grep -q 'asn-ipv6.csv: asn, 0 ipv4 rows, 103197 ipv6 rows' "$TMP/build.out" ||
    fail "asn-ipv6.csv not read as asn"

python3 - "$GATEDB" "$TMP/full.db" "$G/geo-whois-asn-country-ipv4.csv" \
    "$G/geo-whois-asn-country-ipv6.csv" "$A/asn-ipv4.csv" "$A/asn-ipv6.csv" \
    "$TMP" <<'PY' || fail "reference comparison"
import bisect, csv, json, random, socket, subprocess, sys, time

gatedb, db, cc4, cc6, asn4, asn6, tmp = sys.argv[1:]
t0 = time.time()

def v4(s):
    return int.from_bytes(socket.inet_pton(socket.AF_INET, s), "big")

def v6(s):
    return int.from_bytes(socket.inet_pton(socket.AF_INET6, s), "big")

class Ref:
    """Rows (lo, hi, value); get(x) is the value of the best covering row."""
    def __init__(self, rows):
        order = sorted(range(len(rows)),
                       key=lambda i: (rows[i][0], rows[i][0] - rows[i][1], i))
        self.lo = [rows[i][0] for i in order]
        self.hi = [rows[i][1] for i in order]
        self.val = [rows[i][2] for i in order]
        # parent[j]: the last row before j still covering j's start.
        self.parent = [-1] * len(order)
        stack = []
        for j in range(len(order)):
            while stack and self.hi[stack[-1]] < self.lo[j]:
                stack.pop()
            if stack:
                self.parent[j] = stack[-1]
            stack.append(j)
        self.nested = [j for j in range(len(order)) if self.parent[j] >= 0]

    def get(self, x):
        j = bisect.bisect_right(self.lo, x) - 1
        hi, parent = self.hi, self.parent
        while j >= 0 and hi[j] < x:
            j = parent[j]
        return self.val[j] if j >= 0 else None

def read(path, conv, asn):
    rows = []
    with open(path, newline="", encoding="utf-8") as f:
        for r in csv.reader(f):
            if not r or r[0].startswith("#"):
                continue
            if asn:
                # Blanks around a field are not part of it (documented):
                # a few organisations end in a blank upstream.
                org = r[3].strip(" \t")
                rows.append((conv(r[0]), conv(r[1]),
                             (int(r[2]), org if org != "" else None)))
            else:
                rows.append((conv(r[0]), conv(r[1]), r[2]))
    return Ref(rows)

fam = {4: (read(cc4, v4, False), read(asn4, v4, True), 2**32 - 1),
       6: (read(cc6, v6, False), read(asn6, v6, True), 2**128 - 1)}
print("read the CSVs in %.1fs" % (time.time() - t0))

random.seed(17)
queries = {}
for f, (cref, aref, top) in fam.items():
    q = set()
    for ref in (cref, aref):
        for lo, hi in zip(ref.lo, ref.hi):
            q.update((lo, hi))
            if lo > 0:
                q.add(lo - 1)
            if hi < top:
                q.add(hi + 1)
        for j in ref.nested:
            q.add((ref.lo[j] + ref.hi[j]) // 2)
    nb = len(q)
    if f == 4:
        q.update(random.getrandbits(32) for _ in range(600000))
    else:
        starts = cref.lo + aref.lo
        for _ in range(400000):	# near the data: a start's /32, any rest
            s = random.choice(starts)
            q.add((s >> 96 << 96) | random.getrandbits(96))
        for _ in range(100000):	# anywhere in 2000::/3
            q.add((1 << 125) | random.getrandbits(125))
    queries[f] = sorted(q)
    print("ipv%d: %d boundary/nested queries, %d in all (%d nested rows)"
          % (f, nb, len(q), len(cref.nested) + len(aref.nested)))
nrandom = sum(len(v) for v in queries.values())

def text(f, x):
    if f == 4:
        return socket.inet_ntop(socket.AF_INET, x.to_bytes(4, "big"))
    return socket.inet_ntop(socket.AF_INET6, x.to_bytes(16, "big"))

def want(f, x):
    cref, aref = fam[f][0], fam[f][1]
    cc = cref.get(x)
    a = aref.get(x)
    return (cc, a[0] if a else None, a[1] if a else None)

bad = 0
total = 0
for f in (4, 6):
    qs = queries[f]
    inp = "%s/q%d" % (tmp, f)
    with open(inp, "w") as fp:
        fp.write("\n".join(text(f, x) for x in qs))
        fp.write("\n")
    with open(inp) as fin:
        out = subprocess.run([gatedb, "lookup", db], stdin=fin,
                             stdout=subprocess.PIPE, check=True).stdout
    lines = out.decode("utf-8").split("\n")
    if lines[-1] == "":
        lines.pop()
    if len(lines) != len(qs):
        print("ipv%d: %d answers for %d queries" % (f, len(lines), len(qs)))
        sys.exit(1)
    nbad = 0
    for x, line in zip(qs, lines):
        _, cc, asn, owner = line.split(" ", 3)
        w = want(f, x)
        got = (None if cc == "--" else cc,
               None if asn == "--" else int(asn[2:]),
               None if owner == "--" else owner)
        if got != w or (asn != "--" and not asn.startswith("AS")):
            nbad += 1
            if nbad <= 10:
                print("ipv%d %s: got %r, want %r" % (f, text(f, x), line, w))
    print("ipv%d: %d checked, %d disagreements" % (f, len(qs), nbad))
    bad += nbad
    total += len(qs)

    # --json on a sample: the same answers, valid JSON, nulls for unknown.
    sample = random.sample(qs, 20000)
    out = subprocess.run([gatedb, "lookup", "--json", db] +
                         [text(f, x) for x in sample[:2000]],
                         stdout=subprocess.PIPE, check=True).stdout
    inp = "%s/j%d" % (tmp, f)
    with open(inp, "w") as fp:
        fp.write("\n".join(text(f, x) for x in sample[2000:]) + "\n")
    with open(inp) as fin:
        out += subprocess.run([gatedb, "lookup", "--json", db], stdin=fin,
                              stdout=subprocess.PIPE, check=True).stdout
    objs = [json.loads(l) for l in out.decode("utf-8").splitlines()]
    jbad = 0
    for x, o in zip(sample, objs):
        if (o["addr"] != text(f, x) or
                (o["country"], o["asn"], o["owner"]) != want(f, x)):
            jbad += 1
            if jbad <= 5:
                print("json ipv%d %s: %r, want %r" % (f, text(f, x), o,
                                                     want(f, x)))
    if len(objs) != len(sample):
        jbad += 1
    print("ipv%d --json: %d checked, %d disagreements" % (f, len(objs), jbad))
    bad += jbad

print("total: %d checked, %d disagreements, %.1fs" % (total, bad,
                                                      time.time() - t0))
sys.exit(1 if bad or total < 1000000 else 0)
PY
