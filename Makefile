# nfq-gate - early-connection SMTP gate.  See README.md.
#
# make            build nfq-gate, nfq-gate-db and nfq-gate-ctl into build/
# make check      install missing Debian packages, build with -Werror,
#                 run every test, then the unit and replay tests again
#                 under ASan+UBSan and valgrind
# make demo       the gate for real, in network namespaces, with Postfix
# make demo-mx    two MX hosts, each behind its own gate, sharing Redis
# make bench      benchmarks, side by side with their baselines
# make fuzz       every libFuzzer harness for FUZZ_SECONDS each
# make install    PREFIX=/usr/local DESTDIR=
# make preflight  name every missing tool or kernel feature and its package
# make deb        the Debian package, ../nfq-gate_*.deb (dpkg-buildpackage)
# make fresh-check  "make check" and "make demo" in a fresh Debian 12 root

PREFIX   ?= /usr/local
SBINDIR  ?= $(PREFIX)/sbin
MANDIR   ?= $(PREFIX)/share/man
SYSCONFDIR ?= /etc
DESTDIR  ?=
B        ?= build
CC       ?= cc
OPT      ?= -O2 -g
FUZZ_SECONDS ?= 60
FUZZ_SMOKE_SECONDS ?= 15

# The Debian packages the build and the tests need.  "make deps" installs
# whichever are missing (without Recommends); keep this list true, CI
# starts from a bare box, and "make fresh-check" proves it on one.
# libio-socket-inet6-perl: swaks speaks IPv6 only with it (a Recommends).
# man-db: make_install.sh renders every man page.  python3-systemd (a
# Recommends of fail2ban) and systemd-journal-remote: fail2ban_filter.sh
# reads the gate's lines from a journal file.  spamassassin: the
# SpamAssassin rule tests run Debian's real one.  DEBS_PKG: building the
# package and installing it into a fresh root (tests/sh/deb_package.sh;
# dpkg-buildpackage insists on build-essential, found missing on a fresh
# root).
DEBS_BUILD = gcc make pkg-config libnetfilter-queue-dev libmnl-dev \
	libpcap-dev zlib1g-dev libmaxminddb-dev libnftnl-dev libcap-dev \
	libseccomp-dev clang libclang-rt-14-dev valgrind libhiredis-dev \
	libc-ares-dev
DEBS_TEST = python3 iproute2 iptables nftables ipset tcpdump tcpreplay \
	postfix swaks mmdb-bin procps psmisc fail2ban dnsmasq-base curl wget \
	strace util-linux systemd libio-socket-inet6-perl man-db \
	python3-systemd systemd-journal-remote redis-server spamassassin
DEBS_PKG = build-essential dpkg-dev debhelper fakeroot lintian mmdebstrap git
DEBS = $(DEBS_BUILD) $(DEBS_TEST) $(DEBS_PKG)
# Installed before the rest (tools/install-deps): spamassassin's postinst
# imports its update keys with gpg and needs gpg-agent (gnupg is only
# its Recommends; the fresh root found the postinst failing without it).
DEBS_FIRST = gnupg

WARN     = -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
	-Wmissing-prototypes -Wpointer-arith -Wformat=2
CFLAGS  ?= $(OPT)
ALL_CFLAGS = -std=c11 -D_GNU_SOURCE $(WARN) $(CPPFLAGS) $(CFLAGS) $(XCFLAGS) -Infq-gate
LIBS     = -lnetfilter_queue -lmnl -lnftnl -lpcap -lz -lcap -lseccomp \
	-lhiredis -lcares -lm
TESTLIBS = $(LIBS) -lmaxminddb

# The rooms of nfq-gate/ (README "Layout"); cli/ holds the mains.
ROOMS    = base engine netdb conf daemon replay
LIB_SRC  = $(foreach r,$(ROOMS),$(wildcard nfq-gate/$(r)/*.c))
LIB_OBJ  = $(LIB_SRC:nfq-gate/%.c=$(B)/obj/%.o)
LIB_HDR  = $(wildcard nfq-gate/*/*.h)
UNIT_SRC = $(wildcard tests/unit/test_*.c)
UNIT_BIN = $(UNIT_SRC:tests/unit/%.c=$(B)/tests/%)
HELP_SRC = $(wildcard tests/helpers/*.c)
HELP_BIN = $(HELP_SRC:tests/helpers/%.c=$(B)/tests/helpers/%)
BENCH_SRC = $(wildcard tests/bench/*.c)
BENCH_BIN = $(BENCH_SRC:tests/bench/%.c=$(B)/bench/%)
FUZZ_SRC = $(wildcard tests/fuzz/fuzz_*.c)
PROGS    = $(B)/nfq-gate $(B)/nfq-gate-db $(B)/nfq-gate-ctl

.PHONY: all check deps tests demo demo-mx bench fuzz fuzz-build install clean \
	check-asan check-valgrind preflight deb fresh-check

all: $(PROGS)

$(B)/obj/%.o: nfq-gate/%.c $(LIB_HDR)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(B)/libnfqgate.a: $(LIB_OBJ)
	rm -f $@
	ar rcs $@ $^

$(B)/nfq-gate: nfq-gate/cli/gate_main.c $(B)/libnfqgate.a
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $< $(B)/libnfqgate.a $(LIBS)

$(B)/nfq-gate-db: nfq-gate/cli/db_main.c $(B)/libnfqgate.a
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $< $(B)/libnfqgate.a $(LIBS)

$(B)/nfq-gate-ctl: nfq-gate/cli/ctl_main.c $(B)/libnfqgate.a
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $< $(B)/libnfqgate.a $(LIBS)

$(B)/tests/%: tests/unit/%.c tests/unit/test.h $(B)/libnfqgate.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Itests/unit -o $@ $< $(B)/libnfqgate.a $(TESTLIBS)

$(B)/tests/helpers/%: tests/helpers/%.c $(B)/libnfqgate.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $< $(B)/libnfqgate.a $(TESTLIBS)

$(B)/bench/%: tests/bench/%.c $(B)/libnfqgate.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $< $(B)/libnfqgate.a $(TESTLIBS)

tests: $(PROGS) $(UNIT_BIN) $(HELP_BIN) $(B)/bench/synflood

deps:
	@tools/install-deps $(DEBS_FIRST) -- $(DEBS)

# Names what a test would otherwise trip over ten minutes in.
preflight:
	@tools/preflight -q --package

# Every test once, then the unit and replay tests under ASan+UBSan, then
# valgrind.  tests/run prints the closing "N passed, N failed" line.
check: deps
	@tools/preflight -q --package
	$(MAKE) tests
	$(MAKE) B=build/asan CC=clang OPT="-O1 -g -fno-omit-frame-pointer" \
		XCFLAGS="-fsanitize=address,undefined -fno-sanitize-recover=all" \
		tests
	$(MAKE) fuzz-build
	NG_BUILD=build NG_ASAN_BUILD=build/asan NG_FUZZ_BUILD=build/fuzz \
		NG_FUZZ_SECONDS=$(FUZZ_SMOKE_SECONDS) tests/run

check-asan:
	$(MAKE) B=build/asan CC=clang OPT="-O1 -g -fno-omit-frame-pointer" \
		XCFLAGS="-fsanitize=address,undefined -fno-sanitize-recover=all" \
		tests
	NG_BUILD=build/asan NG_SUITE=asan tests/run

# The build after the packages (not beside them: "make -j2 demo" on a
# bare machine would start compiling before gcc is there).
demo: deps
	$(MAKE) all
	@tools/preflight -q
	tests/demo/run-demo

demo-mx: deps
	$(MAKE) all
	@tools/preflight -q
	tests/demo/run-demo-mx

bench:
	@tools/install-deps $(DEBS_FIRST) -- $(DEBS)
	$(MAKE) B=build/bench-opt OPT="-O3 -march=native -g" all $(BENCH_BIN:$(B)/%=build/bench-opt/%) \
		$(HELP_BIN:$(B)/%=build/bench-opt/%)
	NG_BUILD=build/bench-opt tests/bench/run

# libFuzzer harnesses link the library built with clang and sanitizers.
FUZZ_B = build/fuzz
FUZZ_BIN = $(FUZZ_SRC:tests/fuzz/%.c=$(FUZZ_B)/%)
FUZZ_FLAGS = -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all

fuzz-build:
	$(MAKE) B=$(FUZZ_B) CC=clang OPT="-O1 -g" \
		XCFLAGS="-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all" \
		$(FUZZ_B)/libnfqgate.a
	@for f in $(FUZZ_SRC); do \
		n=$$(basename $$f .c); \
		$(MAKE) --no-print-directory $(FUZZ_B)/$$n || exit 1; \
	done

$(FUZZ_B)/fuzz_%: tests/fuzz/fuzz_%.c $(FUZZ_B)/libnfqgate.a
	clang -std=c11 -D_GNU_SOURCE $(WARN) -O1 -g $(FUZZ_FLAGS) -Infq-gate \
		-o $@ $< $(FUZZ_B)/libnfqgate.a $(LIBS)

fuzz: deps fuzz-build
	tools/run-fuzz $(FUZZ_B) $(FUZZ_SECONDS)

install: all
	install -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(SYSCONFDIR)/nfq-gate \
		$(DESTDIR)$(MANDIR)/man8 $(DESTDIR)$(MANDIR)/man5 \
		$(DESTDIR)$(PREFIX)/share/nfq-gate/rules/fail2ban/filter.d \
		$(DESTDIR)$(PREFIX)/share/nfq-gate/rules/fail2ban/jail.d \
		$(DESTDIR)$(PREFIX)/share/nfq-gate/rules/spamassassin \
		$(DESTDIR)$(PREFIX)/share/bash-completion/completions
	install -m 755 $(PROGS) $(DESTDIR)$(SBINDIR)/
	install -m 755 tools/nfq-gate-fetch tools/nfq-gate-rules \
		$(DESTDIR)$(SBINDIR)/
	install -m 644 $(filter-out rules/fail2ban rules/bash-completion \
		rules/spamassassin,$(wildcard rules/*)) \
		$(DESTDIR)$(PREFIX)/share/nfq-gate/rules/
	for u in rules/*.service; do \
		sed 's|/usr/local/sbin/|$(SBINDIR)/|g' $$u \
		    >$(DESTDIR)$(PREFIX)/share/nfq-gate/$$u || exit 1; \
	done
	install -m 644 rules/fail2ban/filter.d/* \
		$(DESTDIR)$(PREFIX)/share/nfq-gate/rules/fail2ban/filter.d/
	install -m 644 rules/fail2ban/jail.d/* \
		$(DESTDIR)$(PREFIX)/share/nfq-gate/rules/fail2ban/jail.d/
	install -m 644 rules/spamassassin/* \
		$(DESTDIR)$(PREFIX)/share/nfq-gate/rules/spamassassin/
	install -m 644 rules/bash-completion/* \
		$(DESTDIR)$(PREFIX)/share/bash-completion/completions/
	test -e $(DESTDIR)$(SYSCONFDIR)/nfq-gate/nfq-gate.conf || \
		install -m 644 rules/nfq-gate.conf \
		$(DESTDIR)$(SYSCONFDIR)/nfq-gate/nfq-gate.conf
	test -e $(DESTDIR)$(SYSCONFDIR)/nfq-gate/nfq-gate.fp || \
		install -m 644 rules/nfq-gate.fp \
		$(DESTDIR)$(SYSCONFDIR)/nfq-gate/nfq-gate.fp
	for m in man/*.8; do [ -e "$$m" ] && install -m 644 $$m $(DESTDIR)$(MANDIR)/man8/; done; true
	for m in man/*.5; do [ -e "$$m" ] && install -m 644 $$m $(DESTDIR)$(MANDIR)/man5/; done; true

# The Debian package (debian/), unsigned, into the parent directory.
deb:
	@tools/install-deps $(DEBS_BUILD) $(DEBS_PKG)
	dpkg-buildpackage -us -uc -b

# "make check" and "make demo" in a fresh mmdebstrap root with a clean
# clone of HEAD (tools/fresh-check; about 30 min, needs the network).
fresh-check:
	@tools/install-deps mmdebstrap git
	tools/fresh-check

# --one-file-system: never through a mount (a fresh-check root's /dev).
clean:
	rm -rf --one-file-system build
