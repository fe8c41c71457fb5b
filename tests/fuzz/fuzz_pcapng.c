/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fuzz_pcapng.c - libFuzzer harness: the pcapng block walker (pcapng.h),
 * checked against a reference model.
 *
 * Input: piece 1 byte  the walker is fed pieces of (piece % 64) + 1 bytes
 *        stream        the rest: a byte stream as libpcap would read it
 *
 * The walker is run twice, on the whole stream at once and in pieces:
 * both must hand over the same secrets and count the same.  The
 * reference model walks the whole stream as the specification states it,
 * with no state machine: blocks one after the other, the byte order from
 * each SHB's magic, a block length of at least 12 (28 for an SHB), a
 * multiple of 4, repeated at the block's end; a DSB's secrets (type
 * TLSK, length within the body, body within TD_CAP_DSB_BYTES) handed
 * over.  The walker must hand over exactly the model's secrets.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "caps.h"
#include "fuzz_common.h"
#include "pcapng.h"

struct sink {
	uint8_t *buf;
	size_t len, cap, calls;
};

static void put(struct sink *s, const uint8_t *p, size_t n)
{
	if (s->len + n + 4 > s->cap) {
		size_t cap = (s->len + n + 4) * 2;
		uint8_t *b = realloc(s->buf, cap);
		if (!b)
			abort();
		s->buf = b;
		s->cap = cap;
	}
	/* Each hand-over with its length, so that the split is compared too. */
	s->buf[s->len++] = (uint8_t)(n >> 24);
	s->buf[s->len++] = (uint8_t)(n >> 16);
	s->buf[s->len++] = (uint8_t)(n >> 8);
	s->buf[s->len++] = (uint8_t)n;
	if (n)
		memcpy(s->buf + s->len, p, n);
	s->len += n;
	s->calls++;
}

static void on_secrets(void *ctx, const uint8_t *p, size_t n, bool after)
{
	(void)after;
	if (n > TD_CAP_DSB_BYTES)
		td_fuzz_fail("secrets of %zu bytes handed over, over the cap", n);
	put(ctx, p, n);
}

static uint32_t get32(const uint8_t *p, bool big)
{
	return big ? (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]
		   : (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

/* The reference: the whole stream, block by block. */
static void model(const uint8_t *d, size_t n, struct sink *out)
{
	size_t off = 0;
	bool big = false;
	if (n < 4 || memcmp(d, "\x0A\x0D\x0D\x0A", 4) != 0)
		return;
	while (n - off >= 8) {
		bool shb = memcmp(d + off, "\x0A\x0D\x0D\x0A", 4) == 0;
		if (shb) {
			if (n - off < 12)
				return;
			uint32_t bom = get32(d + off + 8, true);
			if (bom == 0x1A2B3C4Du)
				big = true;
			else if (bom == 0x4D3C2B1Au)
				big = false;
			else
				return;
		}
		uint32_t type = get32(d + off, big), total = get32(d + off + 4, big);
		if (total < (shb ? 28u : 12u) || total % 4 != 0 || total > n - off)
			return;
		if (get32(d + off + total - 4, big) != total)
			return;
		size_t body = total - 12u;
		if (type == TD_PCAPNG_DSB && body <= TD_CAP_DSB_BYTES && body >= 8) {
			uint32_t stype = get32(d + off + 8, big), slen = get32(d + off + 12, big);
			if (slen <= body - 8 && stype == TD_PCAPNG_SECRETS_TLS)
				put(out, d + off + 16, slen);
		}
		off += total;
	}
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	size_t piece = (size_t)(data[0] % 64) + 1;
	data++;
	size--;
	struct sink whole = { 0 }, parts = { 0 }, ref = { 0 };
	struct td_pcapng_stats sw, sp;

	struct td_pcapng_walk *w = td_pcapng_walk_new(on_secrets, &whole);
	if (!w)
		return 0;
	td_pcapng_walk_feed(w, data, size);
	td_pcapng_walk_end(w);
	td_pcapng_walk_stats(w, &sw);
	td_pcapng_walk_free(w);

	w = td_pcapng_walk_new(on_secrets, &parts);
	if (!w)
		return 0;
	for (size_t off = 0; off < size; off += piece)
		td_pcapng_walk_feed(w, data + off, size - off < piece ? size - off : piece);
	td_pcapng_walk_end(w);
	td_pcapng_walk_stats(w, &sp);
	td_pcapng_walk_free(w);

	model(data, size, &ref);
	if (whole.len != parts.len || (whole.len && memcmp(whole.buf, parts.buf, whole.len) != 0))
		td_fuzz_fail("the secrets differ between one feed and pieces of %zu", piece);
	if (sw.blocks != sp.blocks || sw.tls_blocks != sp.tls_blocks || sw.tls_bytes != sp.tls_bytes ||
	    sw.other_blocks != sp.other_blocks || sw.dropped_blocks != sp.dropped_blocks ||
	    sw.malformed_blocks != sp.malformed_blocks || sw.cut_blocks != sp.cut_blocks ||
	    (sw.stopped == NULL) != (sp.stopped == NULL))
		td_fuzz_fail("the counts differ between one feed and pieces of %zu", piece);
	if (sw.tls_blocks != whole.calls)
		td_fuzz_fail("%llu TLS blocks counted, %zu handed over",
			     (unsigned long long)sw.tls_blocks, whole.calls);
	if (ref.len != whole.len || (ref.len && memcmp(ref.buf, whole.buf, ref.len) != 0))
		td_fuzz_fail("the walker's secrets differ from the reference model's (%zu vs %zu bytes)",
			     whole.len, ref.len);
	free(whole.buf);
	free(parts.buf);
	free(ref.buf);
	return 0;
}
