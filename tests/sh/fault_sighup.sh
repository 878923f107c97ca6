#!/bin/sh
# fault_sighup.sh - SIGHUP with a broken config, then with a corrupt
# database, then a good reload.
#
# A reload that cannot be completed must change nothing: the gate logs
# why and keeps the configuration and the database already in force, so
# a country drop still applies.  The corrupt database arrives the way an
# updater installs a new one (written beside, renamed over the old
# name); the old file stays mapped.  A good reload afterwards (CN now
# passes) takes effect at once.  Evidence: the gate's log, the
# Prometheus counters, and a CN client that times out or gets through.

. "$(dirname "$0")/../lib.sh"
. "$NG_ROOT/tests/netns.sh"
ngt_need_live

ngt_init
ngt_topology local
ngt_postfix_start
ngt_rules_install --family 4
ngt_db_build
conf() {	# CN action
	ngt_gate_conf "stats_interval = 1s"
	sed -i -e "s/^greet_pause = .*/greet_pause = 1s/" \
	    -e "s/^country CN = .*/country CN = $1/" "$NGT_CONF"
}
conf drop
ngt_gate_start "$NGT_CONF"
cn_re=$(ngt_re "$NGT_CN_A4")

cn_dropped() {	# label
	out=$(ngt_in "$NGT_CLI" python3 "$NG_ROOT/tests/helpers/bot.py" \
	    --source "$NGT_CN_A4" --connect-timeout 2 --wait 1 \
	    "$NGT_SRV_A4" 25)
	echo "cn $1: $out"
	case $out in
	connect=timeout*) ;;
	*) fail "cn $1: not dropped: $out" ;;
	esac
}
hup() {	# regex what
	before=$(grep -cE "$1" "$NGT_GATELOG")
	kill -HUP "$NGT_GATE_PID" || fail "SIGHUP"
	n=0
	until [ "$(grep -cE "$1" "$NGT_GATELOG")" -gt "$before" ]; do
		n=$((n + 1))
		[ $n -lt 50 ] || { tail "$NGT_GATELOG" >&2; fail "$2: no /$1/"; }
		sleep 0.1
	done
	kill -0 "$NGT_GATE_PID" || fail "$2: the gate died"
	grep -E "$1" "$NGT_GATELOG" | tail -n 1
}

cn_dropped before
ngt_expect_gate "DROP \[$cn_re\]:[0-9]+ country=CN" "first drop"

# 1. A broken config: a bad duration on line 2.
cp "$NGT_CONF" "$NGT_DIR/good.conf"
sed -i '2s/.*/greet_pause = soon/' "$NGT_CONF"
hup "reload failed, old configuration kept: .*nfq-gate\.conf:2: greet_pause: bad duration" "broken config"
cn_dropped "after broken config"
ngt_mail_ok "$NGT_CLI_A4" "$NGT_SRV_A4" broken-conf
[ "$MS" -ge 900 ] || fail "broken-conf: ${MS} ms: greet pause not in force"

# 2. A corrupt database under the configured name (new inode, the way
# an updater renames a new file in); the config itself is good.
cp "$NGT_DIR/good.conf" "$NGT_CONF"
cp "$NGT_DB" "$NGT_DIR/db.good"
cp "$NGT_DB" "$NGT_DIR/db.new"	# full size, damaged body
dd if=/dev/urandom of="$NGT_DIR/db.new" bs=1 seek=4096 count=512 \
    conv=notrunc 2>/dev/null
mv "$NGT_DIR/db.new" "$NGT_DB"
hup "reload failed, old configuration kept: .*netblocks\.db" "corrupt database"
cn_dropped "after corrupt database"
[ "$(grep -cE "DROP \[$cn_re\]:[0-9]+ country=CN" "$NGT_GATELOG")" -ge 3 ] ||
    fail "the drops were not logged"

# 3. An empty database file.
: >"$NGT_DIR/db.new"
mv "$NGT_DIR/db.new" "$NGT_DB"
hup "reload failed, old configuration kept: .*netblocks\.db" "empty database"
cn_dropped "after empty database"

ngt_prom_wait reload_errors_total 3 3 ||
    fail "reload_errors_total $(ngt_prom reload_errors_total), want 3"
[ "$(ngt_prom reloads_total)" = 0 ] || fail "a failed reload was counted good"

# 4. A good reload: the database back, CN now passes.
mv "$NGT_DIR/db.good" "$NGT_DB"
conf pass
hup "reloaded .*nfq-gate\.conf" "good reload"
ngt_mail_ok "$NGT_CN_A4" "$NGT_SRV_A4" cn-passes
ngt_expect_gate "PASS (NEW|COUNTRY) \[$cn_re\]:[0-9]+" "CN passes after the good reload"
ngt_prom_wait reloads_total 1 3 || fail "reloads_total not 1"
echo "reload_errors_total=$(ngt_prom reload_errors_total) reloads_total=$(ngt_prom reloads_total)"
echo "sighup fault test passed"
exit 0
