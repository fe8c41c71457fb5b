/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * pcapng.c - the pcapng block walker (see pcapng.h): Decryption Secrets
 * Blocks picked out of a stream that libpcap reads beside it.
 *
 * The walker sees the bytes in whatever pieces stdio reads them, so it
 * is a small state machine: the block header (8 bytes, 12 for an SHB,
 * whose byte-order magic decides how the lengths read), then the body,
 * kept for a DSB (up to TD_CAP_DSB_BYTES) and passed over otherwise,
 * then the trailing length, which must repeat the leading one.  A block
 * that breaks the format (a length below the minimum or not a multiple
 * of 4, an unknown byte-order magic, trailing and leading lengths that
 * differ) stops the walk for good: the walker cannot find the next
 * block, and libpcap, which checks the same things, stops there too.
 * Nothing is allocated except a DSB's body.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "caps.h"
#include "dynbuf.h"
#include "pcapng.h"
#include "reader.h"

/* Smallest blocks: an SHB has type, length, magic, versions, section
 * length and trailer (section 4.1); any other block type, length and
 * trailer; a DSB's body starts with its secrets type and length. */
#define SHB_MIN     28u
#define BLOCK_MIN   12u
#define DSB_FIXED   8u

enum wstate {
	W_HEAD,   /* reading a block header into head */
	W_KEEP,   /* a DSB's body: into keep */
	W_SKIP,   /* another block's body: passed over */
	W_TRAIL,  /* the trailing length, into head */
	W_OFF,    /* not pcapng, or the walk stopped */
};

struct td_pcapng_walk {
	td_pcapng_secrets_fn fn;
	void *ctx;
	enum wstate state;
	uint8_t head[12];      /* header (or trailer) bytes read so far */
	size_t head_have;
	bool started;          /* the first block's type has been checked */
	bool big;              /* the section is big-endian */
	uint32_t type, total;  /* the current block */
	uint64_t left;         /* its body bytes still to come */
	bool dsb;              /* it is a DSB being kept */
	bool after_packets;    /* a packet block came before */
	struct td_dynbuf keep; /* a DSB's body */
	struct td_pcapng_stats st;
};

struct td_pcapng_walk *td_pcapng_walk_new(td_pcapng_secrets_fn fn, void *ctx)
{
	struct td_pcapng_walk *w = calloc(1, sizeof *w);
	if (!w)
		return NULL;
	w->fn = fn;
	w->ctx = ctx;
	td_dynbuf_init(&w->keep, TD_CAP_DSB_BYTES);
	return w;
}

void td_pcapng_walk_free(struct td_pcapng_walk *w)
{
	if (!w)
		return;
	td_dynbuf_cleanup(&w->keep);
	free(w);
}

void td_pcapng_walk_stats(const struct td_pcapng_walk *w, struct td_pcapng_stats *st)
{
	*st = w->st;
}

/* A 32-bit field in the section's byte order. */
static uint32_t rd_u32(struct td_reader *r, bool big)
{
	uint32_t v = td_rd_u32(r);
	if (!big)
		v = (v >> 24) | ((v >> 8) & 0xff00u) | ((v << 8) & 0xff0000u) | (v << 24);
	return v;
}

static void stop(struct td_pcapng_walk *w, const char *why)
{
	w->st.stopped = why;
	w->state = W_OFF;
	td_dynbuf_reset(&w->keep);
}

static bool is_packet(uint32_t type)
{
	return type == TD_PCAPNG_EPB || type == TD_PCAPNG_SPB || type == TD_PCAPNG_PB;
}

/* The header is complete: check it and choose how to read the body. */
static void header_done(struct td_pcapng_walk *w, bool shb)
{
	struct td_reader r = td_rd_make(w->head, w->head_have);
	if (shb) {
		struct td_reader m = td_rd_make(w->head + 8, 4);
		uint32_t bom = td_rd_u32(&m);
		if (bom == TD_PCAPNG_BOM)
			w->big = true;
		else if (bom == 0x4D3C2B1Au)
			w->big = false;
		else {
			stop(w, "a Section Header Block with an unknown byte-order magic");
			return;
		}
		w->st.pcapng = true;
	}
	w->type = rd_u32(&r, w->big);
	w->total = rd_u32(&r, w->big);
	if (w->total < (shb ? SHB_MIN : BLOCK_MIN)) {
		stop(w, "a block shorter than its header and trailer");
		return;
	}
	if (w->total % 4u != 0) {
		stop(w, "a block length that is not a multiple of 4");
		return;
	}
	w->left = (uint64_t)w->total - w->head_have - 4u;
	if (is_packet(w->type))
		w->after_packets = true;
	w->dsb = false;
	if (w->type == TD_PCAPNG_DSB) {
		if (w->left > TD_CAP_DSB_BYTES)
			w->st.dropped_blocks++;
		else
			w->dsb = true;
	}
	w->state = w->left == 0 ? W_TRAIL : (w->dsb ? W_KEEP : W_SKIP);
	w->head_have = 0;
}

/* A whole DSB body (its trailer checked): hand a TLS key log over. */
static void dsb_done(struct td_pcapng_walk *w)
{
	struct td_reader r = td_rd_make(w->keep.data, w->keep.len);
	uint32_t stype = rd_u32(&r, w->big);
	uint32_t slen = rd_u32(&r, w->big);
	const uint8_t *secrets = td_rd_bytes(&r, slen);
	if (!td_rd_ok(&r))
		w->st.malformed_blocks++;
	else if (stype != TD_PCAPNG_SECRETS_TLS) {
		w->st.other_blocks++;
		w->st.other_type = stype;
	} else {
		w->st.tls_blocks++;
		w->st.tls_bytes += slen;
		if (w->fn)
			w->fn(w->ctx, secrets, slen, w->after_packets);
	}
	td_dynbuf_reset(&w->keep);
}

/* The trailer is complete: it must repeat the total length. */
static void trailer_done(struct td_pcapng_walk *w)
{
	struct td_reader r = td_rd_make(w->head, 4);
	if (rd_u32(&r, w->big) != w->total) {
		stop(w, "a block whose trailing length differs from its leading length");
		return;
	}
	w->st.blocks++;
	if (w->dsb)
		dsb_done(w);
	w->dsb = false;
	w->head_have = 0;
	w->state = W_HEAD;
}

void td_pcapng_walk_feed(struct td_pcapng_walk *w, const uint8_t *p, size_t n)
{
	struct td_reader in = td_rd_make(p, n);
	while (td_rd_left(&in) > 0 && w->state != W_OFF) {
		size_t left = td_rd_left(&in);
		switch (w->state) {
		case W_HEAD:
		case W_TRAIL: {
			/* A header is read in two steps: its type (4 bytes), then
			 * the rest: 4 more, or 8 for an SHB (its byte-order magic). */
			bool shb = w->head_have >= 4 && memcmp(w->head, "\x0A\x0D\x0D\x0A", 4) == 0;
			size_t want = w->state == W_TRAIL ? 4u : w->head_have < 4 ? 4u : shb ? 12u : 8u;
			size_t take = want - w->head_have < left ? want - w->head_have : left;
			const uint8_t *b = td_rd_bytes(&in, take);
			memcpy(w->head + w->head_have, b, take);
			w->head_have += take;
			if (w->head_have < want)
				break;
			if (w->state == W_TRAIL) {
				trailer_done(w);
			} else if (want == 4u) {
				if (!w->started && memcmp(w->head, "\x0A\x0D\x0D\x0A", 4) != 0)
					w->state = W_OFF;  /* classic pcap: nothing to walk */
				w->started = true;
			} else {
				header_done(w, shb);
			}
			break;
		}
		case W_KEEP:
		case W_SKIP: {
			size_t take = w->left < left ? (size_t)w->left : left;
			const uint8_t *b = td_rd_bytes(&in, take);
			if (w->state == W_KEEP && td_dynbuf_add(&w->keep, b, take) != TD_OK) {
				/* Out of memory (the cap was checked at the header). */
				w->st.dropped_blocks++;
				w->dsb = false;
				td_dynbuf_reset(&w->keep);
				w->state = W_SKIP;
			}
			w->left -= take;
			if (w->left == 0)
				w->state = W_TRAIL;
			break;
		}
		case W_OFF:
			break;
		}
	}
}

void td_pcapng_walk_end(struct td_pcapng_walk *w)
{
	if (w->state != W_OFF && w->dsb)
		w->st.cut_blocks++;
	w->dsb = false;
	td_dynbuf_reset(&w->keep);
	w->state = W_OFF;
}
