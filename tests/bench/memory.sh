#!/bin/sh
# tests/bench/memory.sh - resident memory with the whole database open and
# a million flows in the flow table (mem_bench), against the same process
# before it did anything.

. "$(dirname "$0")/bench.sh"

W="RSS: $(bench_db_name) database + 1M flows in the flow table vs an empty process"
have "$BENCH/mem_bench" || { na "$W" "mem_bench not built" "—"; exit 0; }
db=$(bench_db) || { na "$W" "database build failed" "—"; exit 0; }
"$BENCH/mem_bench" "$db" 1000000 >"$TMP/mem" || {
	na "$W" "mem_bench failed" "—"
	exit 0
}
cat "$TMP/mem" >&2
v() { kv "$1" <"$TMP/mem"; }
mb() { calc "$1 / 1024" "%.1f MB"; }
empty=$(v rss_empty_kb) db_kb=$(v rss_db_kb) full=$(v rss_full_kb)
flows=$(v flows_now)
row "$W (database alone $(mb "$((db_kb - empty))"), $(calc "($full - $db_kb) * 1024 / $flows" "%.0f") B per flow)" \
    "$(mb "$full")" "$(mb "$empty")" "$(ratio "$full" "$empty")" "—"
