/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fuzz_quic.c - libFuzzer harness: the QUIC packet layer (quic.h) on
 * bytes no key protects: the headers of the packets coalesced in a
 * datagram, the frames of a payload as if it had been decrypted, and the
 * CRYPTO stream that reassembles what those frames carry.  (Protected
 * payloads would stop at the AEAD: the engine's path is fuzzed by
 * fuzz_capture with the QUIC captures as seeds.)
 *
 * Input: mode   1 byte  bit 0: the rest is a datagram (headers); else
 *                       a decrypted payload (frames, then the stream)
 *        bytes  the rest
 *
 * Oracles, besides the sanitizers: a packet never claims more bytes than
 * the datagram has left; a frame's bytes lie inside the payload; the
 * stream delivers each offset once, in order, and counts every byte it
 * was given as delivered, held, duplicated or dropped; what it holds
 * stays under TD_CAP_QUIC_CRYPTO_AHEAD.
 */
#include "config.h"

#include <string.h>

#include "caps.h"
#include "fuzz_common.h"
#include "quic.h"

struct run {
	const uint8_t *lo, *hi;      /* the payload */
	struct td_quic_stream s;
	uint64_t given;              /* CRYPTO bytes handed to the stream */
	uint64_t delivered;          /* ...and delivered back */
};

static void deliver(void *ctx, const uint8_t *data, size_t len)
{
	struct run *r = ctx;
	(void)data;
	r->delivered += len;
}

static void crypto(void *ctx, uint64_t offset, const uint8_t *data, size_t len)
{
	struct run *r = ctx;
	if (len && (data < r->lo || data + len > r->hi))
		td_fuzz_fail("CRYPTO bytes outside the payload");
	r->given += len;
	uint64_t before = r->s.next;
	enum td_result res = td_quic_stream_add(&r->s, offset, data, len, deliver, r);
	if (res != TD_OK && res != TD_ERR_CAP && res != TD_ERR_NOMEM)
		td_fuzz_fail("td_quic_stream_add: result %d", (int)res);
	if (r->s.next < before)
		td_fuzz_fail("the stream went back from %llu to %llu", (unsigned long long)before,
			     (unsigned long long)r->s.next);
	if (r->s.held > TD_CAP_QUIC_CRYPTO_AHEAD)
		td_fuzz_fail("the stream holds %zu bytes", r->s.held);
}

static void close_frame(void *ctx, const struct td_quic_close *cl)
{
	struct run *r = ctx;
	if (cl->reason_len && (cl->reason < r->lo || cl->reason + cl->reason_len > r->hi))
		td_fuzz_fail("a reason phrase outside the payload");
}

static void headers(const uint8_t *d, size_t n)
{
	(void)td_quic_looks_initial(d, n);
	while (n > 0) {
		struct td_quic_hdr h;
		enum td_result r = td_quic_parse(d, n, &h);
		if (r == TD_SKIP) {
			d++, n--;
			continue;
		}
		if (r != TD_OK)
			return;
		if (h.size == 0 || h.size > n)
			td_fuzz_fail("a packet of %zu bytes in %zu", h.size, n);
		if (h.token_len && (h.token < d || h.token + h.token_len > d + n))
			td_fuzz_fail("a token outside the packet");
		if (h.n_versions && (h.versions < d || h.versions + 4 * h.n_versions > d + n))
			td_fuzz_fail("versions outside the packet");
		(void)td_quic_version_name(h.version);
		d += h.size, n -= h.size;
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
	const uint8_t *d = data + 1;
	size_t n = size - 1;
	if (data[0] & 1) {
		headers(d, n);
		return 0;
	}
	struct run r = { .lo = d, .hi = d + n };
	td_quic_stream_init(&r.s);
	struct td_quic_frame_cb cb = { .crypto = crypto, .close = close_frame, .ctx = &r };
	struct td_quic_frame_info info;
	memset(&info, 0, sizeof info);
	enum td_result res = td_quic_frames(d, n, &cb, &info);
	if (res != TD_OK && res != TD_SKIP && res != TD_ERR_MALFORMED && res != TD_ERR_TRUNCATED)
		td_fuzz_fail("td_quic_frames: result %d", (int)res);
	if (r.delivered != r.s.delivered)
		td_fuzz_fail("delivered %llu, the stream says %llu", (unsigned long long)r.delivered,
			     (unsigned long long)r.s.delivered);
	if (r.s.delivered > r.given)
		td_fuzz_fail("delivered %llu of %llu bytes given", (unsigned long long)r.s.delivered,
			     (unsigned long long)r.given);
	td_quic_stream_cleanup(&r.s);
	return 0;
}
