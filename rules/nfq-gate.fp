# nfq-gate.fp - SYN signatures: which stack sent a client's SYN.
#
# Set "fingerprints = /etc/nfq-gate/nfq-gate.fp" in nfq-gate.conf.  Each
# client SYN's fingerprint (TTL, window, MSS, TCP options and their
# order, quirks) is matched against the sig lines below; the first that
# matches gives the label of the block it is in, none gives "unknown".
# The class is shown (fp= in the log, "fp" and "fp_sig" in the replay's
# JSON) and is meant as a score's evidence, never a veto.
#
#   label = NAME     the class of the sig lines that follow
#                    (a-z first, then a-z 0-9 - _ .)
#   sig   = ver:ittl:olen:mss:wsize,scale:olayout:quirks:pclass
#   allow = CIDR... | LABEL...   never scored (class still shown)
#
# The fields are p0f v3's; "*" is a wildcard in any of them.
#   ver      4 or 6              olen   IP option bytes (v6: ext headers)
#   ittl     32, 64, 128, 255: the SYN's TTL rounded up to one of these
#   mss      MSS option value    wsize  N, mss*N, mtu*N, %N (multiple)
#   scale    window scale (0 when the option is absent)
#   olayout  options in order: mss nop ws sok sack ts eol+N ?KIND
#   quirks   exactly this set: df id+ id- ecn 0+ flow seq- ack+ uptr+
#            urgf+ pushf+ ts1- ts2+ opt+ exws bad (empty: none)
#   pclass   0 no payload, + payload
# "nfq-gate -r CAPTURE -c CONF --json" prints each SYN's raw signature
# ("fp_sig": "4:64+0:0:1460:mss*44,7:mss,sok,ts,nop,ws:df,id+:0"; ttl
# is printed as seen+distance) to write new lines from.
#
# Where each line comes from is said above it:
#   [observed]  captured here, Linux 6.x in network namespaces with the
#               sysctls named (tests/sh/fp_stacks.sh repeats it)
#   [capture]   seen in the shared test captures (README "SYN
#               fingerprints" names them)
#   [public]    not observable here: p0f v3.09's p0f.fp (Michal
#               Zalewski, https://lcamtuf.coredump.cx/p0f3/) and the
#               vendors' documented defaults, as cited

# ---------------------------------------------------------------------
label = linux
# [observed] Linux 6.18 defaults: window 64240 = mss*44 (v6: mss*45),
# scale 7 or 10 by tcp_rmem's max, DF with a nonzero IP ID.  Window and
# scale follow tcp_rmem, so they are wildcards; the option order
# (mss,sok,ts,nop,ws) is Linux's own since 2.6 [public: p0f "Linux
# 2.2.x-3.x (generic)" *:64:0:*:*,*:mss,sok,ts,nop,ws:df,id+:0].
# [capture] the same in suricata-verify smtp-simple-session,
# smtp-no-helo-quit, smtp-startssl (mss*44, scale 10/7) and snort3
# smtp-lorem (Linux 2.6: mss*3, scale 6).
sig = 4:64:0:*:*,*:mss,sok,ts,nop,ws:df,id+:0
# [observed] Linux over IPv6: no DF/ID, a flow label (auto_flowlabels).
sig = 6:64:0:*:*,*:mss,sok,ts,nop,ws:flow:0
sig = 6:64:0:*:*,*:mss,sok,ts,nop,ws::0
# [observed] net.ipv4.tcp_ecn=1: ECE+CWR on the SYN.
sig = 4:64:0:*:*,*:mss,sok,ts,nop,ws:df,id+,ecn:0
sig = 6:64:0:*:*,*:mss,sok,ts,nop,ws:flow,ecn:0
# [observed] tcp_timestamps=0: the TS slot becomes nop,nop.
sig = *:64:0:*:*,*:mss,nop,nop,sok,nop,ws:df,id+:0
sig = 6:64:0:*:*,*:mss,nop,nop,sok,nop,ws:flow:0
# [observed] tcp_window_scaling=0: no nop,ws; scale 0.
sig = *:64:0:*:*,0:mss,sok,ts:df,id+:0
sig = 6:64:0:*:*,0:mss,sok,ts:flow:0
# [observed] tcp_sack=0: sok's slot becomes nop,nop.
sig = *:64:0:*:*,*:mss,nop,nop,ts,nop,ws:df,id+:0
sig = 6:64:0:*:*,*:mss,nop,nop,ts,nop,ws:flow:0
# [observed] tcp_sack=0 and tcp_window_scaling=0.
# [capture] suricata-verify smtp-file-data-01 has this layout with TTL
# 32 and window 5792 (4 * 1448, Linux 2.4/2.6's initial window): a
# Linux with ip_default_ttl=32, or an emulator; classed linux on the
# layout, marked uncertain.
sig = 4:64:0:*:*,0:mss,nop,nop,ts:df,id+:0
sig = 4:32:0:*:5792,0:mss,nop,nop,ts:df,id+:0
# A Linux SYN with ip_default_ttl=128 (observed) matches none of these:
# "unknown".  That is deliberate: TTL 128 is Windows', and a Linux box
# pretending is no ordinary mail server.

# ---------------------------------------------------------------------
label = windows
# Windows stacks; the desktop and server editions share them, so this
# cannot say "desktop" alone (a score can weigh it with rDNS and DNSBL).
# [capture] Windows XP/2003: snort3 alert_before_server_response
# (16384) and appids_smtp, suricata-verify bug-3616 (65535).
# [public] p0f.fp "Windows XP": *:128:0:*:16384,0:mss,nop,nop,sok:df,id+:0
# and *:128:0:*:65535,0:mss,nop,nop,sok:df,id+:0.
sig = *:128:0:*:16384,0:mss,nop,nop,sok:df,id+:0
sig = *:128:0:*:65535,0:mss,nop,nop,sok:df,id+:0
# [capture] Windows 7: suricata-verify smtp-data-rejected (8192, scale 8).
# [public] p0f.fp "Windows 7 or 8": *:128:0:*:8192,0:mss,nop,nop,sok:
# df,id+:0, *:128:0:*:8192,2:..., *:128:0:*:8192,8:mss,nop,ws,nop,nop,
# sok:df,id+:0.
sig = *:128:0:*:8192,*:mss,nop,ws,nop,nop,sok:df,id+:0
sig = *:128:0:*:8192,0:mss,nop,nop,sok:df,id+:0
# [public] Windows 10/11 and Server 2016+: window 64240 (mss*44) or
# 65535, scale 8, the same option order (Microsoft's documented
# autotuning level "normal" gives scale 8: learn.microsoft.com,
# "Description of Windows TCP features"; the order as p0f's Windows 7).
sig = *:128:0:*:mss*44,8:mss,nop,ws,nop,nop,sok:df,id+:0
sig = *:128:0:*:65535,8:mss,nop,ws,nop,nop,sok:df,id+:0
sig = 6:128:0:*:*,8:mss,nop,ws,nop,nop,sok::0

# ---------------------------------------------------------------------
label = macos
# [capture] suricata-verify smtp-pipelining: lo0 (MSS 16344 = MTU
# 16384 - 40), window 65535, scale 5, IP ID 0 under DF, the option
# order mss,nop,ws,nop,nop,ts,sok,eol+1 (Darwin's own).
sig = *:64:0:*:65535,*:mss,nop,ws,nop,nop,ts,sok,eol+1:df:0
# [public] p0f.fp "Mac OS X 10.x": *:64:0:*:65535,1:mss,nop,ws,nop,nop,
# ts,sok,eol+1:df,id+:0 (scale 1, 3; newer releases 5, 6).
sig = *:64:0:*:65535,*:mss,nop,ws,nop,nop,ts,sok,eol+1:df,id+:0
sig = 6:64:0:*:65535,*:mss,nop,ws,nop,nop,ts,sok,eol+1::0

# ---------------------------------------------------------------------
label = freebsd
# [public] p0f.fp "FreeBSD 9.x or newer": *:64:0:*:65535,6:mss,nop,ws,
# sok,ts:df,id+:0, "FreeBSD 8.x": the same with scale 3.
sig = *:64:0:*:65535,*:mss,nop,ws,sok,ts:df,id+:0
sig = 6:64:0:*:65535,*:mss,nop,ws,sok,ts::0

# ---------------------------------------------------------------------
label = openbsd
# [public] p0f.fp "OpenBSD 3.x-5.x": *:64:0:*:16384,3:mss,nop,nop,sok,
# nop,ws,nop,nop,ts:df,id+:0 (scale 6 on newer releases).
sig = *:64:0:*:16384,*:mss,nop,nop,sok,nop,ws,nop,nop,ts:df,id+:0

# ---------------------------------------------------------------------
label = raw-tool
# [public] SYNs made by hand, not by a stack: no TCP options at all
# (masscan's default SYN: window 1024, no options; zmap's: window 65535,
# no options, IP ID 54321 without DF - their source code).  No operating
# system's stack sends a SYN without an MSS option.
sig = *:*:*:*:*,*::*:*

# ---------------------------------------------------------------------
# Never scored: add your own senders' networks or classes here, e.g.
#allow = 192.0.2.0/24 2001:db8::/32
#allow = freebsd
