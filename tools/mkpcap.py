#!/usr/bin/env python3
# mkpcap.py - write pcap/pcapng captures of SMTP scenarios for the tests.
#
# The replay tests need captures whose right answer is known: polite
# MTAs, pre-greeting bots, hangups, reordered captures, IPv6 extension
# headers, malformed packets mixed into good flows, Ethernet padding,
# every link type the replay decodes, and thousands of interleaved flows.
# Real captures cover few of those, and tcpdump in a namespace is slow and
# timing-dependent, so this builds them byte by byte: pure python3, no
# scapy, with correct IP lengths and IP/TCP checksums.
#
# CLI:
#   mkpcap.py gen OUT [options] SPEC...     OUT "-" is stdout
#   mkpcap.py bench OUT --flows N           1M+ packets for replay_bench
# SPEC is KIND@ADDR:PORT[,key=val...], IPv6 as [ADDR]:PORT.  Kinds:
#   polite   SYN, SYN-ACK, ACK, 220, EHLO after it, ... (split=1 sends the
#            greeting in two segments, retrans=1 retransmits it, greet=SEC)
#   bot      talks first: mode=after (EHLO after the handshake ACK, the
#            default), ack (EHLO in the ACK), crlf (a bare CRLF), tfo
#            (EHLO in the SYN)
#   hangup   closes without a byte: mode=rst (default) or fin
#   reorder  EHLO whose ACK covers the greeting, timestamped before it
#   other    a polite session to another port (dport=587 by default)
#   udp      a DNS-ish UDP datagram (not TCP)
#   frag     a polite session, then an EHLO sent as two fragments
#   arp      an ARP frame (Ethernet-family links only)
#   syn      a lone SYN (a first try refused at its SYN: greylisted)
# Flow options: server=ADDR, sport=N, ext=hbh+rt+dst+frag (IPv6 extension
# headers on every packet), bad=1 (malformed packets from the client,
# carrying "EHLO", mixed into the flow before the greeting), at=SEC (start).
# --many N adds N interleaved flows (every 4th a bot) from 10.0.0.0/8.
# --synflood N adds N forged SYNs (never answered, never followed) from
# random IPv4 sources, evenly from --synflood-at SEC for --synflood-secs.
import argparse
import array
import ipaddress
import random
import struct
import sys

FIN, SYN, RST, PSH, ACK = 0x01, 0x02, 0x04, 0x08, 0x10

SERVER4 = "203.0.113.25"
SERVER6 = "2001:db8:25::25"

LINKTYPES = {
    "ether": 1, "vlan": 1, "qinq": 1, "sll": 113, "sll2": 276,
    "raw": 101, "ipv4": 228, "ipv6": 229, "null": 0, "loop": 108,
}

GARBAGE = b"\r\nEHLO pad\r\n"  # a frame-length parser would call it payload


def checksum(data):
    """Internet checksum, as bytes in network order."""
    if len(data) % 2:
        data += b"\0"
    s = sum(array.array("H", data))
    s = (s & 0xFFFF) + (s >> 16)
    s = (s & 0xFFFF) + (s >> 16)
    return struct.pack("=H", ~s & 0xFFFF)


def tcp_segment(src, dst, sport, dport, flags, seq, ack, payload, opts=b""):
    """TCP header + payload with the checksum over the pseudo-header."""
    opts += b"\0" * (-len(opts) % 4)
    doff = (20 + len(opts)) // 4
    hdr = struct.pack("!HHIIBBHHH", sport, dport, seq & 0xFFFFFFFF,
                      ack & 0xFFFFFFFF, doff << 4, flags, 65535, 0, 0) + opts
    seg = hdr + payload
    if src.version == 4:
        pseudo = src.packed + dst.packed + struct.pack("!BBH", 0, 6, len(seg))
    else:
        pseudo = src.packed + dst.packed + struct.pack("!IxxxB", len(seg), 6)
    c = checksum(pseudo + seg)
    return seg[:16] + c + seg[18:]


def ext_header(kind, nh):
    """An 8-byte IPv6 extension header; returns (its protocol number, bytes)."""
    if kind == "hbh":
        return 0, struct.pack("!BB", nh, 0) + b"\x01\x04\0\0\0\0"
    if kind == "dst":
        return 60, struct.pack("!BB", nh, 0) + b"\x01\x04\0\0\0\0"
    if kind == "rt":  # type 0, segments left 0: final destination here
        return 43, struct.pack("!BBBBI", nh, 0, 0, 0, 0)
    if kind == "frag":  # an atomic fragment: offset 0, no more fragments
        return 44, struct.pack("!BBHI", nh, 0, 0, 0x1234)
    raise ValueError("unknown extension header " + kind)


def ip_packet(src, dst, proto, body, ext=(), ident=1, frag=0):
    """An IPv4 or IPv6 header in front of body (a TCP segment, say)."""
    if src.version == 4:
        hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(body), ident,
                          frag, 64, proto, 0, src.packed, dst.packed)
        return hdr[:10] + checksum(hdr) + hdr[12:] + body
    nh, chain = proto, b""
    if frag:  # the IPv4 flags/offset word, as an IPv6 fragment header
        off, more = frag & 0x1FFF, 1 if frag & 0x2000 else 0
        chain = struct.pack("!BBHI", nh, 0, off << 3 | more, ident)
        nh = 44
    for kind in reversed(list(ext)):
        nh, h = ext_header(kind, nh)
        chain = h + chain
    hdr = struct.pack("!IHBB", 0x60000000, len(chain) + len(body), nh, 64)
    return hdr + src.packed + dst.packed + chain + body


def tcp_packet(src, dst, sport, dport, flags, seq, ack, payload=b"", ext=(),
               opts=b""):
    seg = tcp_segment(src, dst, sport, dport, flags, seq, ack, payload, opts)
    return ip_packet(src, dst, 6, seg, ext)


class Pkt:
    """One captured packet: time, IP datagram, and how it is captured."""
    __slots__ = ("t", "ip", "cut", "frame")

    def __init__(self, t, ip, cut=None, frame=None):
        self.t = t          # seconds
        self.ip = ip        # bytes from the IP header (None for frame)
        self.cut = cut      # keep only this many IP bytes (snaplen)
        self.frame = frame  # a whole non-IP Ethernet frame


class Flow:
    """One TCP connection; tracks both ends' sequence numbers."""

    def __init__(self, client, cport, server=None, sport=25, t0=0.0,
                 ext=(), cisn=1000, sisn=5000):
        self.c = ipaddress.ip_address(client)
        if server is None:
            server = SERVER4 if self.c.version == 4 else SERVER6
        self.s = ipaddress.ip_address(server)
        self.cport, self.sport, self.t0 = cport, sport, t0
        self.ext = ext if self.c.version == 6 else ()
        self.cnext, self.snext = cisn, sisn
        self.pkts = []

    def _send(self, from_client, t, flags, payload=b"", seq=None, ack=None,
              opts=b""):
        mine = self.cnext if from_client else self.snext
        theirs = self.snext if from_client else self.cnext
        if seq is None:
            seq = mine
            adv = len(payload) + (1 if flags & (SYN | FIN) else 0)
            if from_client:
                self.cnext += adv
            else:
                self.snext += adv
        if ack is None:
            ack = theirs if flags & ACK else 0
        if from_client:
            ip = tcp_packet(self.c, self.s, self.cport, self.sport, flags,
                            seq, ack, payload, self.ext, opts)
        else:
            ip = tcp_packet(self.s, self.c, self.sport, self.cport, flags,
                            seq, ack, payload, self.ext, opts)
        p = Pkt(self.t0 + t, ip)
        self.pkts.append(p)
        return p

    def cli(self, t, flags, payload=b"", **kw):
        return self._send(True, t, flags, payload, **kw)

    def srv(self, t, flags, payload=b"", **kw):
        return self._send(False, t, flags, payload, **kw)

    def handshake(self, syn_payload=b"", syn_opts=b""):
        self.cli(0.000, SYN, syn_payload, opts=syn_opts)
        self.srv(0.001, SYN | ACK)
        return self

    def rest_of_session(self, t):
        """Server reply, QUIT, 221, and the close, from time t on."""
        self.srv(t, PSH | ACK, b"250-mx.example.net\r\n250 PIPELINING\r\n")
        self.cli(t + 0.01, ACK)
        self.cli(t + 0.02, PSH | ACK, b"QUIT\r\n")
        self.srv(t + 0.03, PSH | ACK, b"221 2.0.0 Bye\r\n")
        self.srv(t + 0.04, FIN | ACK)
        self.cli(t + 0.05, FIN | ACK)
        self.srv(t + 0.06, ACK)


GREETING = b"220 mx.example.net ESMTP\r\n"
EHLO = b"EHLO client.example\r\n"
BOT_EHLO = b"EHLO bot\r\n"


def polite(f, split=False, retrans=False, greet=0.05, ehlo=EHLO):
    f.handshake()
    f.cli(0.002, ACK)
    if split:
        g1 = f.srv(greet, PSH | ACK, GREETING[:10])
        f.srv(greet + 0.001, PSH | ACK, GREETING[10:])
    else:
        g1 = f.srv(greet, PSH | ACK, GREETING)
    f.cli(greet + 0.02, ACK)
    f.cli(greet + 0.05, PSH | ACK, ehlo)
    f.rest_of_session(greet + 0.06)
    if retrans:  # a copy of the first greeting segment, 200 ms on
        f.pkts.append(Pkt(g1.t + 0.2, g1.ip))
    return f


def bot(f, mode="after", greet=0.05):
    if mode == "tfo":  # Fast Open: cookie option, data in the SYN
        f.handshake(BOT_EHLO, syn_opts=b"\x22\x02")
        f.cli(0.002, ACK)
    elif mode == "ack":
        f.handshake()
        f.cli(0.002, PSH | ACK, BOT_EHLO)
    elif mode in ("after", "crlf"):
        f.handshake()
        f.cli(0.002, ACK)
        f.cli(0.010, PSH | ACK, BOT_EHLO if mode == "after" else b"\r\n")
    else:
        raise ValueError("bot mode " + mode)
    f.srv(greet, PSH | ACK, GREETING)
    f.cli(greet + 0.02, ACK)
    f.rest_of_session(greet + 0.03)
    return f


def hangup(f, mode="rst"):
    f.handshake()
    f.cli(0.002, ACK)
    if mode == "rst":
        f.cli(0.010, RST | ACK)
    else:
        f.cli(0.010, FIN | ACK)
        f.srv(0.050, PSH | ACK, GREETING)
        f.srv(0.051, FIN | ACK)
        f.cli(0.052, ACK)
    return f


def reorder(f):
    """The client's EHLO acks the greeting but is stamped 10 ms before it."""
    f.handshake()
    f.cli(0.002, ACK)
    greet_seq = f.snext
    ack = greet_seq + len(GREETING)
    f.cli(0.040, PSH | ACK, EHLO, ack=ack)
    f.srv(0.050, PSH | ACK, GREETING, seq=greet_seq)
    f.snext = ack
    f.rest_of_session(0.06)
    return f


def malformed(f, t):
    """Broken client packets carrying "EHLO evil": none may count."""
    ip = tcp_packet(f.c, f.s, f.cport, f.sport, PSH | ACK, f.cnext, f.snext,
                    b"EHLO evil\r\n", f.ext)
    bad = []
    if f.c.version == 4:
        bad.append(bytes([0x43]) + ip[1:])                     # IHL 3
        tot = struct.pack("!H", len(ip) + 100)
        bad.append(ip[:2] + tot + ip[4:])                      # beyond frame
        th = 20
    else:
        pl = struct.pack("!H", len(ip) - 40 + 100)
        bad.append(ip[:4] + pl + ip[6:])                       # beyond frame
        # hop-by-hop after a destination options header is illegal
        _, d = ext_header("dst", 0)
        _, h = ext_header("hbh", 6)
        body = ip[40 + 8 * len(f.ext):]
        hdr = struct.pack("!IHBB", 0x60000000, len(body) + 16, 60, 64)
        bad.append(hdr + ip[8:40] + d + h + body)
        th = 40 + 8 * len(f.ext)
    bad.append(ip[:th + 12] + bytes([0x30]) + ip[th + 13:])    # doff 3
    bad.append(bytes([0x50]) + ip[1:])                         # version 5
    for i, b in enumerate(bad):
        f.pkts.append(Pkt(f.t0 + t + i * 0.001, b))
    f.pkts.append(Pkt(f.t0 + t + len(bad) * 0.001, ip, cut=th + 10))
    return len(bad) + 1


def udp(f):
    body = struct.pack("!HHHH", 53000, 53, 8 + 12, 0) + b"\0" * 12
    f.pkts.append(Pkt(f.t0, ip_packet(f.c, f.s, 17, body)))
    return f


def frag(f):
    """A polite session, then a fragmented EHLO: fragments are skipped."""
    polite(f)
    seg = tcp_segment(f.c, f.s, f.cport, f.sport, PSH | ACK, f.cnext, f.snext,
                      b"EHLO fragmented.example\r\n")
    a, b = seg[:16], seg[16:]
    f.pkts.append(Pkt(f.t0 + 0.3, ip_packet(f.c, f.s, 6, a, ident=7,
                                            frag=0x2000)))
    f.pkts.append(Pkt(f.t0 + 0.301, ip_packet(f.c, f.s, 6, b, ident=7,
                                              frag=2)))
    return f


def arp(f):
    frame = (b"\xff" * 6 + b"\x00\x00\x5e\x00\x53\x01" + b"\x08\x06" +
             struct.pack("!HHBBH", 1, 0x0800, 6, 4, 1) + b"\0" * 20)
    f.pkts.append(Pkt(f.t0, None, frame=frame))
    return f


# ---- link layers and file formats ----------------------------------------

def link_header(link, ip, outbound, af6):
    v6 = ip[0] >> 4 == 6
    etype = b"\x86\xdd" if v6 else b"\x08\x00"
    macs = (b"\x00\x00\x5e\x00\x53\x01\x00\x00\x5e\x00\x53\x02" if outbound
            else b"\x00\x00\x5e\x00\x53\x02\x00\x00\x5e\x00\x53\x01")
    if link == "ether":
        return macs + etype
    if link == "vlan":
        return macs + b"\x81\x00\x00\x64" + etype
    if link == "qinq":
        return macs + b"\x88\xa8\x00\xc8\x81\x00\x00\x64" + etype
    if link == "sll":
        return (struct.pack("!HHH", 4 if outbound else 0, 1, 6) +
                macs[6:12] + b"\0\0" + etype)
    if link == "sll2":
        return (etype + b"\0\0" + struct.pack("!IHBB", 2, 1,
                                              4 if outbound else 0, 6) +
                macs[6:12] + b"\0\0")
    if link in ("raw", "ipv4", "ipv6"):
        return b""
    if link == "null":  # host order: little-endian, as x86 writes it
        return struct.pack("<I", af6 if v6 else 2)
    if link == "loop":
        return struct.pack("!I", af6 if v6 else 2)
    raise ValueError("unknown link " + link)


def frame_of(link, p, pad, af6):
    """(frame bytes as captured, original length) for one packet."""
    if p.frame is not None:
        return p.frame, len(p.frame)
    outbound = from_server(p)
    hdr = link_header(link, p.ip, outbound, af6)
    frame = hdr + p.ip
    if link in ("ether", "vlan", "qinq") and len(frame) < 60 and pad != "none":
        n = 60 - len(frame)
        fill = b"\0" * n if pad == "zero" else (GARBAGE * 8)[:n]
        frame += fill
    orig = len(frame)
    if p.cut is not None:
        frame = frame[:len(hdr) + p.cut]
    return frame, orig


def pcap_bytes(records, linktype, big=False, nsec=False):
    e = ">" if big else "<"
    magic, scale = (0xA1B23C4D, 1000000000) if nsec else (0xA1B2C3D4, 1000000)
    out = [struct.pack(e + "IHHiIII", magic, 2, 4, 0, 0, 262144, linktype)]
    for t, frame, orig in records:
        ticks = int(round(t * 1e6)) * (scale // 1000000)
        out.append(struct.pack(e + "IIII", ticks // scale, ticks % scale,
                               len(frame), orig))
        out.append(frame)
    return b"".join(out)


def pcapng_block(btype, body):
    body += b"\0" * (-len(body) % 4)
    n = len(body) + 12
    return struct.pack("<II", btype, n) + body + struct.pack("<I", n)


def pcapng_bytes(records, linktype, nsec=False):
    shb = struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1)
    idb = struct.pack("<HHI", linktype, 0, 262144)
    scale = 1
    if nsec:  # if_tsresol = 9: nanoseconds, then opt_endofopt
        idb += struct.pack("<HHB3x", 9, 1, 9) + struct.pack("<HH", 0, 0)
        scale = 1000
    out = [pcapng_block(0x0A0D0D0A, shb), pcapng_block(1, idb)]
    for t, frame, orig in records:
        ticks = int(round(t * 1e6)) * scale
        epb = struct.pack("<IIIII", 0, ticks >> 32, ticks & 0xFFFFFFFF,
                          len(frame), orig) + frame
        out.append(pcapng_block(6, epb))
    return b"".join(out)


def write_capture(out, pkts, link="ether", fmt="pcap", pad="none", af6=30,
                  big=False, start=1700000000.0, nsec=False):
    """Sort packets by time (stably) and write them out."""
    linktype = LINKTYPES[link]
    order = sorted(range(len(pkts)), key=lambda i: pkts[i].t)
    records = []
    for i in order:
        p = pkts[i]
        if p.frame is not None and link not in ("ether", "vlan", "qinq"):
            continue
        if p.ip is not None:
            if link == "ipv4" and p.ip[0] >> 4 != 4:
                continue
            if link == "ipv6" and p.ip[0] >> 4 != 6:
                continue
        frame, orig = frame_of(link, p, pad, af6)
        records.append((start + p.t, frame, orig))
    data = (pcapng_bytes(records, linktype, nsec) if fmt == "pcapng"
            else pcap_bytes(records, linktype, big, nsec))
    if out == "-":
        sys.stdout.buffer.write(data)
    else:
        with open(out, "wb") as fh:
            fh.write(data)
    return len(records)


_SERVERS = set()


def from_server(p):
    """Sent by a server? The link header's direction fields say so."""
    src = p.ip[12:16] if p.ip[0] >> 4 == 4 else p.ip[8:24]
    return src in _SERVERS


# ---- the CLI --------------------------------------------------------------

def parse_spec(spec):
    kind, _, rest = spec.partition("@")
    opts = {}
    parts = rest.split(",")
    ep = parts[0]
    for kv in parts[1:]:
        k, _, v = kv.partition("=")
        opts[k] = v
    if ep.startswith("["):
        addr, _, port = ep[1:].partition("]:")
    else:
        addr, _, port = ep.rpartition(":")
    return kind, addr, int(port), opts


def build_flow(kind, addr, port, opts, t0):
    ext = tuple(x for x in opts.get("ext", "").split("+") if x)
    server = opts.get("server")
    sport = int(opts.get("sport", "587" if kind == "other" else "25"))
    if "dport" in opts:
        sport = int(opts["dport"])
    f = Flow(addr, port, server, sport, float(opts.get("at", t0)), ext)
    _SERVERS.add(f.s.packed)
    greet = float(opts.get("greet", "0.05"))
    if kind in ("polite", "other"):
        polite(f, opts.get("split") == "1", opts.get("retrans") == "1", greet)
    elif kind == "bot":
        bot(f, opts.get("mode", "after"), greet)
    elif kind == "hangup":
        hangup(f, opts.get("mode", "rst"))
    elif kind == "reorder":
        reorder(f)
    elif kind == "udp":
        udp(f)
    elif kind == "frag":
        frag(f)
    elif kind == "arp":
        arp(f)
    elif kind == "syn":
        f.cli(0.0, SYN)
    else:
        raise SystemExit("mkpcap: unknown kind " + kind)
    if opts.get("bad") == "1":
        malformed(f, 0.003)
    return f


def many_flows(n, t0=0.0, spacing=0.001, bots_every=4):
    """n interleaved flows from 10.0.0.0/8; every bots_every-th is a bot."""
    pkts = []
    base = int(ipaddress.ip_address("10.0.0.1"))
    _SERVERS.add(ipaddress.ip_address(SERVER4).packed)
    for i in range(n):
        f = Flow(str(ipaddress.ip_address(base + i)), 10000 + i % 50000,
                 t0=t0 + i * spacing, cisn=1000 + i, sisn=900000 + 7 * i)
        if i % bots_every == bots_every - 1:
            bot(f)
        else:
            polite(f)
        pkts.extend(f.pkts)
    return pkts


def synflood(n, t0, secs, seed=11):
    """n SYNs from random unicast IPv4 sources (not 198.51.100.0/24 or
    203.0.113.0/24, where the tests' clients and server live), evenly
    spaced over secs from t0: what an off-path spoofer sends."""
    rnd = random.Random(seed)
    server = ipaddress.ip_address(SERVER4)
    _SERVERS.add(server.packed)
    pkts = []
    for i in range(n):
        while True:
            a = rnd.getrandbits(32)
            top, net = a >> 24, a >> 8
            if 0 < top < 224 and top != 127 and net not in (0xc63364,
                                                            0xcb0071):
                break
        src = ipaddress.IPv4Address(a)
        ip = tcp_packet(src, server, 1024 + rnd.getrandbits(15), 25, SYN,
                        rnd.getrandbits(32), 0)
        pkts.append(Pkt(t0 + secs * i / n, ip))
    return pkts


def main(argv):
    cmd = argv[0] if argv else ""
    if cmd == "gen":
        g = argparse.ArgumentParser(prog="mkpcap.py gen",
                                    description="a capture of the flows")
        g.add_argument("out")
        g.add_argument("specs", nargs="*")
        g.add_argument("--link", default="ether", choices=sorted(LINKTYPES))
        g.add_argument("--format", default="pcap",
                       choices=["pcap", "pcapng"])
        g.add_argument("--pad", default="none",
                       choices=["none", "zero", "garbage"])
        g.add_argument("--spacing", type=float, default=1.0,
                       help="seconds between flow starts")
        g.add_argument("--many", type=int, default=0)
        g.add_argument("--synflood", type=int, default=0)
        g.add_argument("--synflood-at", type=float, default=0.0)
        g.add_argument("--synflood-secs", type=float, default=1.0)
        g.add_argument("--af6", type=int, default=30)
        g.add_argument("--big-endian", action="store_true")
        g.add_argument("--nsec", action="store_true",
                       help="nanosecond timestamps")
        g.add_argument("--linktype", type=int,
                       help="override the file's link type")
        a = g.parse_intermixed_args(argv[1:])
    elif cmd == "bench":
        b = argparse.ArgumentParser(prog="mkpcap.py bench",
                                    description="a 1M+ packet capture")
        b.add_argument("out")
        b.add_argument("--flows", type=int, default=80000)
        b.add_argument("--link", default="ether", choices=sorted(LINKTYPES))
        a = b.parse_args(argv[1:])
    else:
        print("usage: mkpcap.py gen OUT [options] SPEC...\n"
              "       mkpcap.py bench OUT [--flows N]", file=sys.stderr)
        return 64

    if cmd == "bench":
        pkts = many_flows(a.flows, spacing=0.0005)
        n = write_capture(a.out, pkts, a.link, "pcap", "garbage")
        print("mkpcap: %d packets, %d flows" % (n, a.flows), file=sys.stderr)
        return 0
    pkts = []
    for i, spec in enumerate(a.specs):
        kind, addr, port, opts = parse_spec(spec)
        pkts.extend(build_flow(kind, addr, port, opts, i * a.spacing).pkts)
    if a.many:
        pkts.extend(many_flows(a.many, t0=len(a.specs) * a.spacing))
    if a.synflood:
        pkts.extend(synflood(a.synflood, a.synflood_at, a.synflood_secs))
    if a.linktype is not None:
        LINKTYPES[a.link] = a.linktype
    write_capture(a.out, pkts, a.link, a.format, a.pad, a.af6, a.big_endian,
                  nsec=a.nsec)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
