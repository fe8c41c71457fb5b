/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * frames.c - build captured frames for unit tests (see frames.h).
 *
 * This writes trusted, test-made bytes through a small bounded writer;
 * nothing here reads untrusted input.
 */
#include "config.h"

#include <arpa/inet.h>
#include <string.h>

#include "frames.h"

struct wr {
	uint8_t *p;
	size_t len, cap;
	bool err;
};

static void put(struct wr *w, const void *b, size_t n)
{
	if (w->err || n > w->cap - w->len) {
		w->err = true;
		return;
	}
	if (n)
		memcpy(w->p + w->len, b, n);
	w->len += n;
}

static void put8(struct wr *w, unsigned v)
{
	uint8_t b = (uint8_t)v;
	put(w, &b, 1);
}

static void put16(struct wr *w, unsigned v)
{
	put8(w, v >> 8);
	put8(w, v);
}

static void put32(struct wr *w, uint32_t v)
{
	put16(w, v >> 16);
	put16(w, v & 0xffff);
}

static void put32le(struct wr *w, uint32_t v)
{
	put8(w, v);
	put8(w, v >> 8);
	put8(w, v >> 16);
	put8(w, v >> 24);
}

static void fill(struct wr *w, unsigned byte, size_t n)
{
	for (size_t i = 0; i < n; i++)
		put8(w, byte);
}

/* Patch a 16-bit value at offset off (already written). */
static void patch16(struct wr *w, size_t off, unsigned v)
{
	if (w->err || off + 2 > w->len)
		return;
	w->p[off] = (uint8_t)(v >> 8);
	w->p[off + 1] = (uint8_t)v;
}

static uint32_t sum16(const uint8_t *p, size_t n, uint32_t acc)
{
	for (size_t i = 0; i + 1 < n; i += 2)
		acc += (uint32_t)p[i] << 8 | p[i + 1];
	if (n & 1)
		acc += (uint32_t)p[n - 1] << 8;
	return acc;
}

static uint16_t fold(uint32_t acc)
{
	while (acc >> 16)
		acc = (acc & 0xffff) + (acc >> 16);
	return (uint16_t)~acc;
}

bool td_frame_addr(struct td_addr *a, const char *text)
{
	memset(a, 0, sizeof *a);
	if (!text)
		return false;
	if (inet_pton(AF_INET, text, a->b) == 1) {
		a->family = 4;
		return true;
	}
	if (inet_pton(AF_INET6, text, a->b) == 1) {
		a->family = 6;
		return true;
	}
	return false;
}

void td_frame_spec_init(struct td_frame_spec *s, enum td_link link, const char *src,
			uint16_t sport, const char *dst, uint16_t dport)
{
	memset(s, 0, sizeof *s);
	s->link = link;
	s->src = src;
	s->dst = dst;
	s->sport = sport;
	s->dport = dport;
	s->flags = TD_TCP_ACK | TD_TCP_PSH;
	s->window = 65535;
}

static size_t round4(size_t n)
{
	return (n + 3) & ~(size_t)3;
}

static size_t v6_ext_len(uint8_t type)
{
	switch (type) {
	case 43: return 24;
	case 60: return 16;
	case 51: return 24;
	case 59: return 0;
	default: return 8;
	}
}

static size_t tcp_hdr_len(const struct td_frame_spec *s)
{
	if (s->ip_proto && s->ip_proto != 6)
		return 0;
	return 20 + round4(s->tcp_opt_len);
}

static size_t link_len(const struct td_frame_spec *s)
{
	switch (s->link) {
	case TD_LINK_ETHERNET: return 14 + 4 * s->vlan_count;
	case TD_LINK_SLL: return 16 + 4 * s->vlan_count;
	case TD_LINK_SLL2: return 20 + 4 * s->vlan_count;
	case TD_LINK_NULL:
	case TD_LINK_LOOP: return 4;
	case TD_LINK_PPP: return s->ppp_short ? 1 : 4;
	default: return 0;
	}
}

static size_t ip_hdr_len(const struct td_frame_spec *s, int version)
{
	if (version == 4)
		return 20 + round4(s->ipv4_opt_len);
	size_t n = 40;
	for (size_t i = 0; i < s->v6_ext_count; i++)
		n += v6_ext_len(s->v6_ext[i]);
	return n;
}

static bool valid(const struct td_frame_spec *s, struct td_addr *src, struct td_addr *dst)
{
	return td_frame_addr(src, s->src) && td_frame_addr(dst, s->dst) &&
	       src->family == dst->family && s->vlan_count <= TD_FRAME_MAX_VLAN &&
	       s->v6_ext_count <= TD_FRAME_MAX_EXT && s->ipv4_opt_len <= 40 &&
	       s->tcp_opt_len <= 40;
}

size_t td_frame_header_len(const struct td_frame_spec *s)
{
	struct td_addr src, dst;
	if (!valid(s, &src, &dst))
		return 0;
	return link_len(s) + ip_hdr_len(s, src.family) + tcp_hdr_len(s);
}

static void link_header(struct wr *w, const struct td_frame_spec *s, int version)
{
	static const uint8_t mac_dst[6] = { 0x02, 0, 0, 0, 0, 0x02 };
	static const uint8_t mac_src[6] = { 0x02, 0, 0, 0, 0, 0x01 };
	unsigned type = s->ethertype ? s->ethertype : version == 4 ? 0x0800 : 0x86dd;
	uint32_t af = s->bsd_af ? s->bsd_af : version == 4 ? 2 : 30;

	/* For SLL and SLL2 the protocol field holds the first tag's TPID. */
	unsigned first = s->vlan_count ? (s->vlan_tpid[0] ? s->vlan_tpid[0] : 0x8100) : type;
	switch (s->link) {
	case TD_LINK_ETHERNET:
		put(w, mac_dst, 6);
		put(w, mac_src, 6);
		put16(w, first);
		break;
	case TD_LINK_SLL:
		put16(w, 0);       /* packet type: to us */
		put16(w, 1);       /* ARPHRD_ETHER */
		put16(w, 6);       /* address length */
		put(w, mac_src, 6);
		fill(w, 0, 2);
		put16(w, first);
		break;
	case TD_LINK_SLL2:
		put16(w, first);
		put16(w, 0);       /* reserved */
		put32(w, 2);       /* interface index */
		put16(w, 1);       /* ARPHRD_ETHER */
		put8(w, 0);        /* packet type */
		put8(w, 6);        /* address length */
		put(w, mac_src, 6);
		fill(w, 0, 2);
		break;
	case TD_LINK_NULL:
		if (s->null_big_endian)
			put32(w, af);
		else
			put32le(w, af);
		return;
	case TD_LINK_LOOP:
		put32(w, af);
		return;
	case TD_LINK_PPP:
		/* RFC 1662 framing and a full protocol, or neither (RFC 1661
		 * address/control and protocol field compression). */
		if (s->ppp_short) {
			put8(w, version == 4 ? 0x21 : 0x57);
		} else {
			put8(w, 0xff);
			put8(w, 0x03);
			put16(w, s->ppp_proto ? s->ppp_proto : version == 4 ? 0x0021 : 0x0057);
		}
		return;
	default:
		return;
	}
	for (size_t i = 0; i < s->vlan_count; i++) {
		put16(w, (unsigned)(s->vlan_id[i] & 0x0fff));
		unsigned next = i + 1 < s->vlan_count ?
			(s->vlan_tpid[i + 1] ? s->vlan_tpid[i + 1] : 0x8100) : type;
		put16(w, next);
	}
}

static void v6_ext(struct wr *w, uint8_t type, uint8_t next, uint16_t frag)
{
	switch (type) {
	case 43:  /* routing, type 0, no segments left, one address */
		put8(w, next); put8(w, 2); put8(w, 0); put8(w, 0);
		fill(w, 0, 4 + 16);
		break;
	case 60:  /* destination options: PadN over 14 bytes */
		put8(w, next); put8(w, 1); put8(w, 1); put8(w, 12);
		fill(w, 0, 12);
		break;
	case 44:  /* fragment */
		put8(w, next); put8(w, 0); put16(w, frag); put32(w, 0x12345678);
		break;
	case 51:  /* AH: payload length 4 -> (4 + 2) * 4 = 24 bytes */
		put8(w, next); put8(w, 4); put16(w, 0);
		put32(w, 0x1000);  /* SPI */
		put32(w, 1);       /* sequence */
		fill(w, 0xaa, 12); /* ICV */
		break;
	case 50:  /* ESP: SPI and sequence, then encrypted bytes */
		put32(w, 0x2000); put32(w, 1);
		break;
	case 59:
		break;
	default:  /* hop-by-hop and generic: PadN over 6 bytes */
		put8(w, next); put8(w, 0); put8(w, 1); put8(w, 4);
		fill(w, 0, 4);
		break;
	}
}

size_t td_frame_build(uint8_t *out, size_t outlen, const struct td_frame_spec *s)
{
	struct td_addr src, dst;
	if (!valid(s, &src, &dst))
		return 0;
	struct wr w = { out, 0, outlen, false };
	int version = src.family;
	uint8_t proto = s->ip_proto ? s->ip_proto : 6;
	size_t alen = version == 4 ? 4 : 16;
	size_t iph = ip_hdr_len(s, version);
	size_t th = tcp_hdr_len(s);
	size_t ip_total = iph + th + s->payload_len;

	link_header(&w, s, version);
	size_t ip_off = w.len;
	if (version == 4) {
		size_t opt = round4(s->ipv4_opt_len);
		put8(&w, 0x40 | (unsigned)(iph / 4));
		put8(&w, 0);
		put16(&w, s->ipv4_total_override ? s->ipv4_total_override : (unsigned)ip_total);
		put16(&w, 0x1234);
		put16(&w, s->ipv4_frag);
		put8(&w, 64);
		put8(&w, proto);
		put16(&w, 0);  /* checksum, patched below */
		put(&w, src.b, 4);
		put(&w, dst.b, 4);
		fill(&w, 1, opt);  /* NOP options */
		if (!w.err)
			patch16(&w, ip_off + 10, fold(sum16(w.p + ip_off, iph, 0)));
	} else {
		put32(&w, 0x60000000u);
		put16(&w, (unsigned)(ip_total - 40));
		put8(&w, s->v6_ext_count ? s->v6_ext[0] : proto);
		put8(&w, 64);
		put(&w, src.b, 16);
		put(&w, dst.b, 16);
		for (size_t i = 0; i < s->v6_ext_count; i++) {
			uint8_t next = i + 1 < s->v6_ext_count ? s->v6_ext[i + 1] : proto;
			v6_ext(&w, s->v6_ext[i], next, s->v6_frag);
		}
	}

	size_t tcp_off = w.len;
	if (th) {
		unsigned doff = s->tcp_doff_override ? s->tcp_doff_override : (unsigned)(th / 4);
		put16(&w, s->sport);
		put16(&w, s->dport);
		put32(&w, s->seq);
		put32(&w, s->ack);
		put8(&w, (doff & 0x0f) << 4);
		put8(&w, s->flags);
		put16(&w, s->window);
		put16(&w, 0);  /* checksum, patched below */
		put16(&w, 0);  /* urgent pointer */
		fill(&w, 1, th - 20);
	}
	put(&w, s->payload, s->payload_len);
	if (th && !w.err) {
		/* Pseudo-header: addresses, protocol, TCP length. */
		size_t tlen = th + s->payload_len;
		uint32_t acc = sum16(src.b, alen, 0);
		acc = sum16(dst.b, alen, acc);
		acc += 6;
		acc += (uint32_t)(tlen >> 16) + (uint32_t)(tlen & 0xffff);
		acc = sum16(w.p + tcp_off, tlen, acc);
		patch16(&w, tcp_off + 16, fold(acc));
	}
	fill(&w, 0, s->trailer_len);
	return w.err ? 0 : w.len;
}
