# tests/lib.sh - sourced by tests/sh/*.sh.
#
# NG_BUILD   build directory holding nfq-gate, nfq-gate-db, tests/
# NG_ROOT    repository root
# NFQG_SHARED_DATA  real third-party data (skip when absent)
# NG_VALGRIND=1     run our binaries under valgrind (tests/run sets it)

NG_ROOT=${NG_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
NG_BUILD=${NG_BUILD:-build}
case "$NG_BUILD" in /*) ;; *) NG_BUILD="$NG_ROOT/$NG_BUILD" ;; esac
NFQG_SHARED_DATA=${NFQG_SHARED_DATA:-$NG_ROOT/../shared/data}
GATE="$NG_BUILD/nfq-gate"
GATEDB="$NG_BUILD/nfq-gate-db"
TMP=$(mktemp -d "${TMPDIR:-/tmp}/ngtest.XXXXXX")
trap 'rm -rf "$TMP"' EXIT

fail() { echo "FAIL: $*" >&2; exit 1; }
skip() { echo "SKIP: $*" >&2; exit 77; }

# Run one of our binaries, under valgrind when asked.
ng_run() {
	if [ -n "$NG_VALGRIND" ]; then
		valgrind -q --error-exitcode=99 --leak-check=full \
		    --errors-for-leak-kinds=definite,indirect "$@"
	else
		"$@"
	fi
}

need_shared() {	# subdir
	[ -d "$NFQG_SHARED_DATA/$1" ] ||
	    skip "shared data $NFQG_SHARED_DATA/$1 absent (set NFQG_SHARED_DATA)"
}

need_cmd() {	# command...: skip unless each one is installed
	for c; do
		command -v "$c" >/dev/null || skip "$c not installed"
	done
}

need_root() {
	[ "$(id -u)" = 0 ] || skip "needs root for network namespaces"
}
