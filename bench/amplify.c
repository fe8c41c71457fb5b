/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * amplify.c - turn one seed capture into a large benchmark workload.
 *
 * Reads a seed capture (real traffic: the lab's openssl servers and clients
 * recorded by bench/seed.sh, merged by bench/run.sh with real QUIC and
 * STARTTLS captures of captures/) and writes COPIES copies of it into one
 * pcap file, each copy a distinct set of flows:
 *
 *   copy i (0-based):  client address  10.a.b.c  with a.b.c = i + 1 (24 bits)
 *                      client port     the seed's, moved into 49152..65535
 *                                      (first-seen order, so two client ports
 *                                      of the seed never collide; the IANA
 *                                      dynamic range keeps tshark from taking
 *                                      an ephemeral port for another protocol;
 *                                      one map for TCP and UDP)
 *                      server address  unchanged, except 127.x.y.z -> 172.16.y.z
 *                      server port     unchanged
 *                      timestamps      shifted by i * STRIDE
 *
 * IPv4 TCP and UDP (QUIC) are rewritten so.  The server side of a TCP
 * packet is the endpoint whose port received a SYN in the seed, of a UDP
 * datagram the endpoint whose port the first datagram of its flow went to
 * (a port that is neither's ports yet: the client's Initial for QUIC);
 * else the lower port.  IPv4 header checksums are recomputed; TCP and UDP
 * checksums are recomputed over the whole segment or datagram (a seed
 * recorded on loopback carries offloaded, not yet computed ones), or
 * updated incrementally (RFC 1624) when the packet was captured short; a
 * UDP checksum of 0 (none, RFC 768) stays 0.  Other IPv4 packets (and
 * fragments) get the addresses of the copy, ports untouched.  Packets that
 * are not IPv4 are dropped and counted.
 *
 * What a copy leaves as it was: the payloads.  A QUIC connection's IDs are
 * the same in every copy (tlsdiag keys a QUIC flow by its UDP 4-tuple, as
 * a TCP one, so the copies are distinct connections to it; src/engine/
 * quic_in.c), and so are TLS session IDs, tickets and randoms.
 *
 * STRIDE = seed duration / OVERLAP, so about OVERLAP copies are in flight at
 * any moment: the output has OVERLAP times the seed's concurrency whatever
 * COPIES is, and twice the copies make a capture twice as long, not twice
 * as wide.  The copies are merged in time order with a heap of OVERLAP+1
 * readers of the seed file, so the output is streamed: memory does not
 * depend on COPIES or on the output's size, and the output may be "-"
 * (standard output) to feed another program without touching the disk.
 *
 * Usage: amplify -n COPIES [-k OVERLAP] [-o OUT] SEED
 * Prints one line on standard error:
 *   amplify: copies=N overlap=K stride_us=S packets=P bytes=B
 *            clienthellos=H seed_clienthellos=h syns=Y quic_flows=Q
 *            seed_quic_flows=q dropped=D duration_s=T
 * where bytes is the size of the output file, clienthellos counts the
 * TCP segments that begin with a TLS handshake record holding a
 * ClientHello (the seed's clients put each in one segment; direct TLS and
 * STARTTLS alike), syns the TCP SYNs without ACK (connection attempts),
 * and quic_flows the UDP flows (told apart by client port) whose client's
 * first datagram begins with a QUIC version 1 or 2 Initial packet; the
 * seed_ figures are one copy's.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <pcap/pcap.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_COPIES    ((1u << 24) - 1u)  /* client addresses 10.0.0.1 .. 10.255.255.255 */
#define MAX_OVERLAP   4096u
#define PORT_BASE     49152u
#define PORT_SPAN     16384u
#define OUT_BUFFER    (4u << 20)
#define ETH_IPV4      0x0800u
#define ETH_VLAN      0x8100u
#define ETH_QINQ      0x88a8u
#define IPPROTO_TCP_  6u
#define IPPROTO_UDP_  17u
#define QUIC_V1       0x00000001u
#define QUIC_V2       0x6b3343cfu
#define TLS_HANDSHAKE 22u
#define TLS_CLIENT_HELLO 1u

struct seed {
	const char *path;
	int linktype;
	int snaplen;
	uint64_t first_us, last_us;
	uint64_t packets;            /* packets kept (IPv4) per copy */
	uint64_t bytes;              /* their bytes in the output, headers included */
	uint64_t dropped;            /* per copy */
	uint64_t client_hellos;      /* per copy */
	uint64_t syns;               /* per copy: TCP SYNs without ACK */
	uint64_t quic_flows;         /* per copy: UDP flows opened by a QUIC Initial */
	bool server_port[2][65536];  /* [TCP]: ports that received a SYN;
					[UDP]: ports a flow's first datagram went to */
	bool udp_client_seen[65536]; /* UDP client ports seen (quic_flows) */
	uint16_t port_map[65536];    /* client port (TCP or UDP) -> new port, 0 = not seen */
	uint32_t next_port;
};

struct reader {
	pcap_t *p;
	uint32_t copy;
	uint64_t ts;                 /* shifted timestamp of the head packet, us */
	struct pcap_pkthdr *h;
	const u_char *d;
};

static uint16_t get16(const uint8_t *p) { return (uint16_t)((p[0] << 8) | p[1]); }

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static uint64_t ts_us(const struct pcap_pkthdr *h)
{
	return (uint64_t)h->ts.tv_sec * 1000000u + (uint64_t)h->ts.tv_usec;
}

/* Where the IPv4 header starts, or false for anything else. */
static bool ipv4_offset(int linktype, const uint8_t *d, size_t caplen, size_t *off)
{
	size_t o;
	uint16_t type;
	switch (linktype) {
	case DLT_EN10MB:
		if (caplen < 14)
			return false;
		o = 14;
		type = get16(d + 12);
		while ((type == ETH_VLAN || type == ETH_QINQ) && caplen - o >= 4) {
			type = get16(d + o + 2);
			o += 4;
		}
		break;
	case DLT_LINUX_SLL:
		if (caplen < 16)
			return false;
		o = 16;
		type = get16(d + 14);
		break;
#ifdef DLT_LINUX_SLL2
	case DLT_LINUX_SLL2:
		if (caplen < 20)
			return false;
		o = 20;
		type = get16(d);
		break;
#endif
	case DLT_NULL:
	case DLT_LOOP:
		if (caplen < 4)
			return false;
		o = 4;   /* AF_INET is 2 in either byte order's low or high byte */
		type = (d[0] == 2 || d[3] == 2) ? ETH_IPV4 : 0;
		break;
	case DLT_RAW:
#ifdef DLT_IPV4
	case DLT_IPV4:
#endif
		o = 0;
		type = ETH_IPV4;
		break;
	default:
		return false;
	}
	if (type != ETH_IPV4 || caplen - o < 20 || (d[o] >> 4) != 4)
		return false;
	*off = o;
	return true;
}

enum l4 { L4_TCP, L4_UDP, L4_NONE };

/* The pieces of an IPv4 packet that amplify looks at. */
struct ip4 {
	size_t ip;        /* offset of the IPv4 header */
	size_t ihl;       /* its length */
	enum l4 proto;    /* L4_NONE: neither TCP nor UDP, or a fragment */
	size_t l4;        /* offset of the TCP or UDP header, 0 if L4_NONE */
	size_t l4_len;    /* TCP or UDP header + payload per the IP total length */
	size_t avail;     /* of those, bytes captured */
};

static bool parse_ip4(int linktype, const uint8_t *d, size_t caplen, struct ip4 *ip)
{
	memset(ip, 0, sizeof *ip);
	if (!ipv4_offset(linktype, d, caplen, &ip->ip))
		return false;
	const uint8_t *h = d + ip->ip;
	size_t left = caplen - ip->ip;
	ip->ihl = (size_t)(h[0] & 0x0f) * 4u;
	if (ip->ihl < 20 || ip->ihl > left)
		return false;
	size_t total = get16(h + 2);
	bool fragment = (get16(h + 6) & 0x3fffu) != 0;
	size_t hdr = h[9] == IPPROTO_TCP_ ? 20u : 8u;
	ip->proto = L4_NONE;
	if ((h[9] == IPPROTO_TCP_ || h[9] == IPPROTO_UDP_) && !fragment &&
	    total >= ip->ihl + hdr && left - ip->ihl >= hdr) {
		ip->proto = h[9] == IPPROTO_TCP_ ? L4_TCP : L4_UDP;
		ip->l4 = ip->ip + ip->ihl;
		ip->l4_len = total - ip->ihl;
		ip->avail = left - ip->ihl < ip->l4_len ? left - ip->ihl : ip->l4_len;
	}
	return true;
}

/* One's complement sum in native byte order (RFC 1071: the fold is then
 * stored as is, whatever the host's byte order). */
static uint64_t csum_add(uint64_t acc, const uint8_t *p, size_t n)
{
	while (n >= 4) {
		uint32_t w;
		memcpy(&w, p, 4);
		acc += w;
		p += 4;
		n -= 4;
	}
	if (n >= 2) {
		uint16_t w;
		memcpy(&w, p, 2);
		acc += w;
		p += 2;
		n -= 2;
	}
	if (n) {
		uint8_t b[2] = { p[0], 0 };
		uint16_t w;
		memcpy(&w, b, 2);
		acc += w;
	}
	return acc;
}

static uint16_t csum_fold(uint64_t s)
{
	while (s >> 16)
		s = (s & 0xffffu) + (s >> 16);
	return (uint16_t)s;
}

static void ip_checksum(uint8_t *h, size_t ihl)
{
	h[10] = h[11] = 0;
	uint16_t c = (uint16_t)~csum_fold(csum_add(0, h, ihl));
	memcpy(h + 10, &c, 2);
}

/* Where the checksum sits in the TCP or UDP header. */
static size_t csum_at(enum l4 proto)
{
	return proto == L4_TCP ? 16u : 6u;
}

/* UDP sends a computed checksum of 0 as 0xffff (RFC 768: 0 means none). */
static void put_l4_checksum(uint8_t *l4, enum l4 proto, uint16_t c)
{
	if (proto == L4_UDP && c == 0)
		c = 0xffffu;
	memcpy(l4 + csum_at(proto), &c, 2);
}

static void l4_checksum_full(const uint8_t *iph, uint8_t *l4, enum l4 proto, size_t len)
{
	uint8_t pseudo[12];
	memcpy(pseudo, iph + 12, 8);
	pseudo[8] = 0;
	pseudo[9] = proto == L4_TCP ? IPPROTO_TCP_ : IPPROTO_UDP_;
	put16(pseudo + 10, (uint16_t)len);
	size_t at = csum_at(proto);
	l4[at] = l4[at + 1] = 0;
	put_l4_checksum(l4, proto, (uint16_t)~csum_fold(csum_add(csum_add(0, pseudo, 12), l4, len)));
}

/* RFC 1624 eqn. 3, HC' = ~(~HC + ~m + m'), for the 16-bit words of the
 * pseudo header and TCP or UDP header that changed (old and new: 12 bytes
 * each: source and destination address, source and destination port). */
static void l4_checksum_update(uint8_t *l4, enum l4 proto, const uint8_t *old12, const uint8_t *new12)
{
	uint16_t hc;
	memcpy(&hc, l4 + csum_at(proto), 2);
	uint64_t s = (uint16_t)~hc;
	for (size_t i = 0; i < 12; i += 2) {
		uint16_t m, m2;
		memcpy(&m, old12 + i, 2);
		memcpy(&m2, new12 + i, 2);
		s += (uint16_t)~m;
		s += m2;
	}
	put_l4_checksum(l4, proto, (uint16_t)~csum_fold(s));
}

/* Is the source the server?  TCP: the port that received a SYN is; UDP:
 * the port a flow's first datagram went to; else the lower. */
static bool src_is_server(const struct seed *s, enum l4 proto, uint16_t sport, uint16_t dport)
{
	const bool *server = s->server_port[proto == L4_UDP];
	if (server[sport] != server[dport])
		return server[sport];
	return sport < dport;
}

static bool is_client_hello(const uint8_t *d, const struct ip4 *ip)
{
	size_t doff = (size_t)(d[ip->l4 + 12] >> 4) * 4u;
	if (doff < 20 || doff > ip->avail || ip->avail - doff < 6)
		return false;
	const uint8_t *p = d + ip->l4 + doff;
	return p[0] == TLS_HANDSHAKE && p[1] == 3 && p[5] == TLS_CLIENT_HELLO;
}

/* A QUIC long-header Initial packet (RFC 9000 17.2.2; version 2's type
 * bits, RFC 9369 3.2) at the start of the UDP payload. */
static bool is_quic_initial(const uint8_t *d, const struct ip4 *ip)
{
	if (ip->avail < 8u + 5u)
		return false;
	const uint8_t *p = d + ip->l4 + 8;
	if ((p[0] & 0xc0u) != 0xc0u)
		return false;
	uint32_t v = (uint32_t)p[1] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 8 | p[4];
	unsigned type = (p[0] >> 4) & 3u;
	return (v == QUIC_V1 && type == 0) || (v == QUIC_V2 && type == 1);
}

static void map_addr(uint8_t *a, bool server, uint32_t copy)
{
	if (server) {
		if (a[0] == 127) {
			a[0] = 172;
			a[1] = 16;
		}
		return;
	}
	uint32_t c = copy + 1u;
	a[0] = 10;
	a[1] = (uint8_t)(c >> 16);
	a[2] = (uint8_t)(c >> 8);
	a[3] = (uint8_t)c;
}

static uint16_t map_port(struct seed *s, uint16_t port, bool assign)
{
	if (!s->port_map[port] && assign) {
		s->port_map[port] = (uint16_t)(PORT_BASE + s->next_port % PORT_SPAN);
		s->next_port++;
	}
	return s->port_map[port] ? s->port_map[port] : port;
}

/* Rewrite one packet of copy COPY in place; false: drop it (not IPv4). */
static bool rewrite(struct seed *s, uint32_t copy, uint8_t *d, size_t caplen)
{
	struct ip4 ip;
	if (!parse_ip4(s->linktype, d, caplen, &ip))
		return false;
	uint8_t *iph = d + ip.ip;
	uint8_t *l4 = d + ip.l4;
	uint8_t old12[12], new12[12];
	memcpy(old12, iph + 12, 8);
	bool src_server = true;
	if (ip.proto != L4_NONE) {
		uint16_t sport = get16(l4), dport = get16(l4 + 2);
		memcpy(old12 + 8, l4, 4);
		src_server = src_is_server(s, ip.proto, sport, dport);
		if (src_server)
			put16(l4 + 2, map_port(s, dport, false));
		else
			put16(l4, map_port(s, sport, false));
	}
	map_addr(iph + 12, src_server, copy);
	map_addr(iph + 16, !src_server, copy);
	ip_checksum(iph, ip.ihl);
	if (ip.proto == L4_UDP && get16(l4 + 6) == 0) {
		/* IPv4 UDP without a checksum (RFC 768): left without one */
	} else if (ip.proto != L4_NONE) {
		if (ip.avail == ip.l4_len) {
			l4_checksum_full(iph, l4, ip.proto, ip.l4_len);
		} else {
			memcpy(new12, iph + 12, 8);
			memcpy(new12 + 8, l4, 4);
			l4_checksum_update(l4, ip.proto, old12, new12);
		}
	}
	return true;
}

static pcap_t *open_seed(const char *path)
{
	char err[PCAP_ERRBUF_SIZE] = "";
	pcap_t *p = pcap_open_offline_with_tstamp_precision(path, PCAP_TSTAMP_PRECISION_MICRO, err);
	if (!p)
		fprintf(stderr, "amplify: %s: %s\n", path, err);
	return p;
}

/* Two passes over the seed: the server ports (SYN receivers), then the
 * client ports' new numbers, the time span and the counts. */
static bool scan_seed(struct seed *s)
{
	struct pcap_pkthdr *h;
	const u_char *d;
	struct ip4 ip;
	for (int pass = 0; pass < 2; pass++) {
		pcap_t *p = open_seed(s->path);
		if (!p)
			return false;
		s->linktype = pcap_datalink(p);
		s->snaplen = pcap_snapshot(p);
		bool first = true;
		int rc;
		while ((rc = pcap_next_ex(p, &h, &d)) == 1) {
			if (!parse_ip4(s->linktype, d, h->caplen, &ip)) {
				if (pass)
					s->dropped++;
				continue;
			}
			if (pass == 0) {
				uint16_t sp = ip.l4 ? get16(d + ip.l4) : 0, dp = ip.l4 ? get16(d + ip.l4 + 2) : 0;
				if (ip.proto == L4_TCP && (d[ip.l4 + 13] & 0x12u) == 0x02u)   /* SYN, no ACK */
					s->server_port[L4_TCP][dp] = true;
				else if (ip.proto == L4_UDP && !s->server_port[L4_UDP][sp] &&
					 !s->server_port[L4_UDP][dp])   /* a new flow's first datagram */
					s->server_port[L4_UDP][dp] = true;
				continue;
			}
			uint64_t t = ts_us(h);
			if (first || t < s->first_us)
				s->first_us = t;
			if (first || t > s->last_us)
				s->last_us = t;
			first = false;
			s->packets++;
			s->bytes += sizeof(uint32_t) * 4u + h->caplen;   /* pcap record header + data */
			if (ip.proto != L4_NONE) {
				uint16_t sport = get16(d + ip.l4), dport = get16(d + ip.l4 + 2);
				bool from_server = src_is_server(s, ip.proto, sport, dport);
				uint16_t client = from_server ? dport : sport;
				map_port(s, client, true);
				if (ip.proto == L4_TCP) {
					if (is_client_hello(d, &ip))
						s->client_hellos++;
					if ((d[ip.l4 + 13] & 0x12u) == 0x02u)
						s->syns++;
				} else if (!from_server && !s->udp_client_seen[client]) {
					s->udp_client_seen[client] = true;
					if (is_quic_initial(d, &ip))
						s->quic_flows++;
				}
			}
		}
		if (rc == PCAP_ERROR)
			fprintf(stderr, "amplify: %s: %s (using what was read)\n", s->path, pcap_geterr(p));
		pcap_close(p);
	}
	if (!s->packets) {
		fprintf(stderr, "amplify: %s: no IPv4 packet\n", s->path);
		return false;
	}
	return true;
}

/* --- a min-heap of readers on (timestamp, copy) --- */

static bool before(const struct reader *a, const struct reader *b)
{
	return a->ts < b->ts || (a->ts == b->ts && a->copy < b->copy);
}

static void sift_down(struct reader *heap, size_t n, size_t i)
{
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, m = i;
		if (l < n && before(&heap[l], &heap[m]))
			m = l;
		if (r < n && before(&heap[r], &heap[m]))
			m = r;
		if (m == i)
			return;
		struct reader t = heap[i];
		heap[i] = heap[m];
		heap[m] = t;
		i = m;
	}
}

static void sift_up(struct reader *heap, size_t i)
{
	while (i > 0 && before(&heap[i], &heap[(i - 1) / 2])) {
		struct reader t = heap[i];
		heap[i] = heap[(i - 1) / 2];
		heap[(i - 1) / 2] = t;
		i = (i - 1) / 2;
	}
}

static uint64_t shifted(const struct seed *s, uint64_t stride, uint32_t copy, const struct pcap_pkthdr *h)
{
	uint64_t t = ts_us(h);
	return (t > s->first_us ? t - s->first_us : 0) + s->first_us + (uint64_t)copy * stride;
}

static void usage(void)
{
	fprintf(stderr, "usage: amplify -n COPIES [-k OVERLAP] [-o OUT|-] SEED\n");
}

static bool parse_u32(const char *s, uint32_t min, uint32_t max, uint32_t *out)
{
	char *end;
	errno = 0;
	unsigned long v = strtoul(s, &end, 10);
	if (errno || end == s || *end || s[0] == '-' || v < min || v > max)
		return false;
	*out = (uint32_t)v;
	return true;
}

int main(int argc, char **argv)
{
	uint32_t copies = 0, overlap = 16;
	const char *out_path = "-";
	int c;
	while ((c = getopt(argc, argv, "n:k:o:")) != -1) {
		switch (c) {
		case 'n':
			if (!parse_u32(optarg, 1, MAX_COPIES, &copies)) {
				fprintf(stderr, "amplify: bad -n '%s' (1..%u)\n", optarg, MAX_COPIES);
				return 2;
			}
			break;
		case 'k':
			if (!parse_u32(optarg, 1, MAX_OVERLAP, &overlap)) {
				fprintf(stderr, "amplify: bad -k '%s' (1..%u)\n", optarg, MAX_OVERLAP);
				return 2;
			}
			break;
		case 'o': out_path = optarg; break;
		default: usage(); return 2;
		}
	}
	if (optind != argc - 1 || !copies) {
		usage();
		return 2;
	}

	int status = 2;
	struct reader *heap = NULL;
	size_t n = 0;
	pcap_t *dead = NULL;
	pcap_dumper_t *dump = NULL;
	FILE *out = NULL;
	uint8_t *buf = NULL;
	struct seed *s = calloc(1, sizeof *s);
	if (!s) {
		fprintf(stderr, "amplify: out of memory\n");
		goto out;
	}
	s->path = argv[optind];
	if (!scan_seed(s))
		goto out;
	/* One gap of a millisecond between a copy and the one OVERLAP later. */
	uint64_t stride = (s->last_us - s->first_us + 1000u) / overlap;
	if (!stride)
		stride = 1;

	/* Copies in flight at once: those that started within one seed span. */
	size_t cap = (size_t)((s->last_us - s->first_us) / stride) + 2u;
	heap = calloc(cap, sizeof *heap);
	buf = malloc(s->snaplen > 0 ? (size_t)s->snaplen : 262144u);
	if (!heap || !buf) {
		fprintf(stderr, "amplify: out of memory\n");
		goto out;
	}
	out = strcmp(out_path, "-") == 0 ? fdopen(dup(STDOUT_FILENO), "wb") : fopen(out_path, "wb");
	if (!out) {
		fprintf(stderr, "amplify: %s: %s\n", out_path, strerror(errno));
		goto out;
	}
	setvbuf(out, NULL, _IOFBF, OUT_BUFFER);
	dead = pcap_open_dead(s->linktype, s->snaplen > 0 ? s->snaplen : 262144);
	dump = dead ? pcap_dump_fopen(dead, out) : NULL;
	if (!dump) {
		fprintf(stderr, "amplify: %s: cannot write a pcap: %s\n", out_path,
			dead ? pcap_geterr(dead) : "out of memory");
		fclose(out);
		out = NULL;
		goto out;
	}
	out = NULL;   /* the dumper owns it now */

	uint32_t next = 0;
	uint64_t packets = 0, bytes = 24;   /* the pcap file header */
	for (;;) {
		/* Open every copy whose first packet is due before the heap's head:
		 * about OVERLAP + 1 readers at a time. */
		while (next < copies && n < cap &&
		       (n == 0 || s->first_us + (uint64_t)next * stride <= heap[0].ts)) {
			struct reader r = { .copy = next++ };
			r.p = open_seed(s->path);
			if (!r.p)
				goto out;
			if (pcap_next_ex(r.p, &r.h, &r.d) != 1) {
				pcap_close(r.p);
				continue;
			}
			r.ts = shifted(s, stride, r.copy, r.h);
			heap[n] = r;
			sift_up(heap, n++);
		}
		if (n == 0)
			break;
		struct reader *r = &heap[0];
		size_t len = r->h->caplen;
		memcpy(buf, r->d, len);
		if (rewrite(s, r->copy, buf, len)) {
			struct pcap_pkthdr oh = *r->h;
			oh.ts.tv_sec = (time_t)(r->ts / 1000000u);
			oh.ts.tv_usec = (suseconds_t)(r->ts % 1000000u);
			pcap_dump((u_char *)dump, &oh, buf);
			packets++;
			bytes += 16u + len;
		}
		if (pcap_next_ex(r->p, &r->h, &r->d) == 1) {
			r->ts = shifted(s, stride, r->copy, r->h);
		} else {
			pcap_close(r->p);
			heap[0] = heap[--n];
		}
		sift_down(heap, n, 0);
	}
	if (pcap_dump_flush(dump) != 0 || ferror(pcap_dump_file(dump))) {
		fprintf(stderr, "amplify: %s: write error: %s\n", out_path, strerror(errno));
		goto out;
	}
	fprintf(stderr, "amplify: copies=%" PRIu32 " overlap=%" PRIu32 " stride_us=%" PRIu64
		" packets=%" PRIu64 " bytes=%" PRIu64 " clienthellos=%" PRIu64
		" seed_clienthellos=%" PRIu64 " syns=%" PRIu64 " quic_flows=%" PRIu64
		" seed_quic_flows=%" PRIu64 " dropped=%" PRIu64 " duration_s=%.3f\n",
		copies, overlap, stride, packets, bytes, s->client_hellos * copies,
		s->client_hellos, s->syns * copies, s->quic_flows * copies, s->quic_flows,
		s->dropped * copies,
		(double)(s->last_us - s->first_us + (uint64_t)(copies - 1u) * stride) / 1e6);
	status = 0;
out:
	while (heap && n > 0)
		pcap_close(heap[--n].p);
	if (dump)
		pcap_dump_close(dump);
	if (out)
		fclose(out);
	if (dead)
		pcap_close(dead);
	free(buf);
	free(heap);
	free(s);
	return status;
}
