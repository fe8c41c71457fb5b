/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fuzz_starttls.c - libFuzzer harness: the STARTTLS recogniser
 * (starttls.h) on a two-direction stream of plaintext preambles.
 *
 * Input: port   1 byte   the server port hint: 25, 21, 143, 110, 389,
 *                        5222, 5432, 3306 or another (by value % 9)
 *        then chunks: 1 byte (bit 0: direction, 1: server to client;
 *                        bit 1: fed a byte at a time), 1 byte length,
 *                        that many bytes (the last chunk may be cut)
 *
 * Oracles, besides the sanitizers: the bytes handed to TLS in a
 * direction never exceed those fed, and are the same bytes, in order,
 * at the end of what was fed (TLS starts once and runs to the end), or
 * the whole of it when no protocol was recognised; each step's text is
 * valid UTF-8 without control characters; the facts name a known
 * protocol and result; the steps stay under their cap (plus the ones
 * that decide).
 */
#include "config.h"

#include <string.h>

#include "caps.h"
#include "fuzz_common.h"
#include "starttls.h"

#define FED_MAX 65536u

struct run {
	uint8_t fed[2][FED_MAX];
	size_t n_fed[2];
	uint8_t tls[2][FED_MAX];
	size_t n_tls[2];
	size_t steps, deciding;
};

static struct run R;

static void on_tls(void *ctx, enum td_dir dir, const uint8_t *p, size_t n)
{
	struct run *r = ctx;
	if (n > FED_MAX - r->n_tls[dir])
		td_fuzz_fail("TLS got more bytes than fed (%zu + %zu)", r->n_tls[dir], n);
	memcpy(r->tls[dir] + r->n_tls[dir], p, n);
	r->n_tls[dir] += n;
}

static void on_step(void *ctx, enum td_dir dir, char *text, size_t bytes, enum td_stls_role role)
{
	struct run *r = ctx;
	(void)dir;
	(void)bytes;
	size_t bad;
	if (!td_fuzz_utf8_ok(text, strlen(text), true, &bad))
		td_fuzz_fail("step text not sanitized at %zu", bad);
	if (role == TD_STLS_STEP)
		r->steps++;
	else
		r->deciding++;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint16_t ports[] = { 25, 21, 143, 110, 389, 5222, 5432, 3306, 9999 };
	if (size < 1)
		return 0;
	memset(&R, 0, sizeof R);
	struct td_stls *s = td_stls_new(ports[data[0] % 9]);
	if (!s)
		return 0;
	struct td_stls_out out = { &R, on_tls, on_step };
	size_t i = 1;
	while (i + 2 <= size) {
		enum td_dir dir = (data[i] & 1) ? TD_DIR_S2C : TD_DIR_C2S;
		bool bytewise = data[i] & 2;
		size_t n = data[i + 1];
		i += 2;
		if (n > size - i)
			n = size - i;
		if (n > FED_MAX - R.n_fed[dir])
			break;
		memcpy(R.fed[dir] + R.n_fed[dir], data + i, n);
		R.n_fed[dir] += n;
		if (bytewise)
			for (size_t k = 0; k < n; k++)
				td_stls_feed(s, dir, data + i + k, 1, &out);
		else
			td_stls_feed(s, dir, data + i, n, &out);
		i += n;
	}
	struct td_starttls f;
	bool active = td_stls_active(s);
	if (td_stls_facts(s, data[0] & 0x80, &f) != TD_OK)
		td_fuzz_fail("no memory for the facts");
	td_stls_free(s);
	for (int d = 0; d < 2; d++) {
		size_t t = R.n_tls[d], n = R.n_fed[d];
		if (t > n)
			td_fuzz_fail("direction %d: %zu TLS bytes of %zu fed", d, t, n);
		if (t && memcmp(R.tls[d], R.fed[d] + (n - t), t) != 0)
			td_fuzz_fail("direction %d: TLS bytes are not the end of the stream", d);
		if (!active && f.proto == TD_STLS_NONE && t != n)
			td_fuzz_fail("direction %d: no protocol, but %zu of %zu bytes passed", d, t, n);
	}
	if (f.proto > TD_STLS_MYSQL || f.result > TD_STLS_NOT_USED)
		td_fuzz_fail("facts out of range: %d %d", (int)f.proto, (int)f.result);
	if (f.proto != TD_STLS_NONE && f.result == TD_STLS_R_NONE)
		td_fuzz_fail("a protocol without a result");
	if (R.steps > TD_CAP_STLS_STEPS)
		td_fuzz_fail("%zu steps past the cap", R.steps);
	td_starttls_cleanup(&f);
	return 0;
}
