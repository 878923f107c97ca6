#!/bin/sh
# layout: the rooms of nfq-gate/ and their one-way arrows hold (README
# "Layout", tools/layout-check), and the check really catches a breach:
# an engine file that includes a daemon header, a greeting test that
# calls back into the engine, a function without its "name - " line.
. "$(dirname "$0")/../lib.sh"
need_cmd python3

CHECK="$NG_ROOT/tools/layout-check"
"$CHECK" "$NG_ROOT" || fail "layout-check found the problems above"

# A copy of the tree, broken one way at a time.
breach() {	# file, sed expression, what the check must say
	rm -rf "$TMP/tree"
	mkdir -p "$TMP/tree"
	cp -r "$NG_ROOT/nfq-gate" "$TMP/tree/" || fail "copy"
	sed -i "$2" "$TMP/tree/nfq-gate/$1" || fail "sed $1"
	if out=$("$CHECK" "$TMP/tree" 2>&1); then
		fail "a breach in $1 went unnoticed"
	fi
	echo "$out" | grep -q "$3" || fail "$1: expected '$3', got: $out"
	echo "caught: $(echo "$out" | grep "$3" | head -1)"
}

breach engine/flow.c '0,/^#include "engine/s||#include "daemon/nfq.h"\n&|' \
    'engine -> daemon: the arrow points the wrong way'
breach netdb/netdb.c '0,/^#include "netdb/s||#include "engine/engine.h"\n&|' \
    'netdb -> engine: the arrow points the wrong way'
breach base/addr.c '0,/^#include "base/s||#include "conf/config.h"\n&|' \
    'base -> conf: the arrow points the wrong way'
breach engine/early.c '0,/^#include "engine/s||#include "engine/engine_impl.h"\n&|' \
    'a test of the engine includes engine/engine_impl.h'
breach engine/admit.c 's|^\(ng_admit_syn(.*\)|\1\n/* ng_engine_stats(e) */|' \
    'a test of the engine calls back into it'
breach engine/timerq.c 's|^/\* ng_timerq_count - .*\*/$||' \
    'ng_timerq_count() opens with no'
breach base/addr.c 's|#include "base/addr.h"|#include "addr.h"|' \
    'names no room'
exit 0
