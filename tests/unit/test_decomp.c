/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_decomp.c - CompressedCertificate (RFC 8879) decompression
 * (decomp.h): the lab's server chain compressed by Debian's own zlib,
 * brotli and zstd tools (tests/unit/data/gen-certcomp.sh) comes back byte
 * for byte and parses as the chain openssl shows; the caps (a 1 KB
 * message declaring 16 MB is refused before anything is allocated); a
 * declared length that lies either way; an unknown algorithm; every
 * truncation of the message and of the stream; stray bytes; decompression
 * bombs.
 *
 * The unit tests are linked with -Wl,--wrap=malloc (Makefile.am): every
 * malloc of the static libraries goes through __wrap_malloc below, which
 * counts calls and bytes while a test asks it to, so "refused without
 * allocating" is measured, not taken from the decoder's own word.  (The
 * decompression libraries allocate only through the decoder's arena,
 * which calls malloc from libtddecomp.a.)
 */
#include "config.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "caps.h"
#include "decomp.h"
#include "tests.h"
#include "tls_handshake.h"
#include "tls_names.h"
#include "x509.h"

void *__real_malloc(size_t n);
void *__wrap_malloc(size_t n);

static bool counting;
static size_t malloc_calls, malloc_bytes;

void *__wrap_malloc(size_t n)
{
	if (counting) {
		malloc_calls++;
		malloc_bytes += n;
	}
	return __real_malloc(n);
}

/* td_certcomp_decompress with malloc counted. */
static enum td_result counted(const uint8_t *msg, size_t len, struct td_certcomp *cc)
{
	malloc_calls = malloc_bytes = 0;
	counting = true;
	enum td_result r = td_certcomp_decompress(msg, len, cc);
	counting = false;
	return r;
}

/* The fixtures (gen-certcomp.sh). */
static const struct {
	uint16_t alg;
	const char *file;
} fixtures[] = {
	{ TD_CERTCOMP_ZLIB, "certcomp_chain.zlib" },
	{ TD_CERTCOMP_BROTLI, "certcomp_chain.br" },
	{ TD_CERTCOMP_ZSTD, "certcomp_chain.zst" },
};
#define N_FIXTURES (sizeof fixtures / sizeof fixtures[0])

/* Subjects of captures/lab/server.crt and intermediateCA.crt, from
 * `openssl x509 -noout -subject -nameopt RFC2253`. */
static const char *const subjects[] = {
	"O=LMT Corp,CN=tls-server.local",
	"O=LMT Corp,CN=intermediateCA",
};

/* Read tests/unit/data/NAME into a new buffer (NULL: missing). */
static uint8_t *load(const char *name, size_t *len)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/%s", td_test_datadir(), name);
	FILE *f = fopen(path, "rb");
	if (!f) {
		fprintf(stderr, "\ncannot open %s\n", path);
		return NULL;
	}
	uint8_t *buf = malloc(65536);
	size_t n = buf ? fread(buf, 1, 65536, f) : 0;
	fclose(f);
	*len = n;
	return buf;
}

/* A CompressedCertificate body: algorithm, declared length, the stream
 * (vector length vlen, of which the first n bytes of src are present),
 * then extra bytes after the vector.  Returns the message length. */
static size_t message(uint8_t *out, size_t max, uint16_t alg, uint32_t declared,
		      const uint8_t *src, size_t n, size_t vlen, const uint8_t *extra, size_t nx)
{
	CU_ASSERT_FATAL(8 + n + nx <= max);
	out[0] = (uint8_t)(alg >> 8);
	out[1] = (uint8_t)alg;
	out[2] = (uint8_t)(declared >> 16);
	out[3] = (uint8_t)(declared >> 8);
	out[4] = (uint8_t)declared;
	out[5] = (uint8_t)(vlen >> 16);
	out[6] = (uint8_t)(vlen >> 8);
	out[7] = (uint8_t)vlen;
	memcpy(out + 8, src, n);
	if (nx)
		memcpy(out + 8 + n, extra, nx);
	return 8 + n + nx;
}

struct subjects_seen {
	size_t n;
	size_t matched;
};

static enum td_result on_cert(void *ctx, const uint8_t *der, size_t len)
{
	struct subjects_seen *s = ctx;
	struct td_cert *cert = NULL;
	if (td_x509_parse(der, len, &cert) == TD_OK && cert && s->n < 2 && cert->subject &&
	    strcmp(cert->subject, subjects[s->n]) == 0)
		s->matched++;
	else
		fprintf(stderr, "\ncertificate %zu: subject %s\n", s->n,
			cert && cert->subject ? cert->subject : "(none)");
	td_cert_unref(cert);
	s->n++;
	return TD_OK;
}

/* Each fixture decompresses to the very body that was compressed, and
 * the body is the chain openssl shows. */
static void test_real_streams(void)
{
	size_t blen;
	uint8_t *body = load("certcomp_chain.bin", &blen);
	CU_ASSERT_PTR_NOT_NULL_FATAL(body);
	static uint8_t msg[16384];
	for (size_t i = 0; i < N_FIXTURES; i++) {
		size_t n;
		uint8_t *src = load(fixtures[i].file, &n);
		CU_ASSERT_PTR_NOT_NULL_FATAL(src);
		size_t m = message(msg, sizeof msg, fixtures[i].alg, (uint32_t)blen, src, n, n, NULL, 0);
		struct td_certcomp cc;
		CU_ASSERT_EQUAL(counted(msg, m, &cc), TD_OK);
		/* The counter sees the decoder (the wrap is in effect): the body
		 * and the library's state at least. */
		CU_ASSERT(malloc_calls >= 2 && malloc_bytes >= blen);
		CU_ASSERT_EQUAL(cc.fault, TD_CCF_NONE);
		CU_ASSERT_EQUAL(cc.algorithm, fixtures[i].alg);
		CU_ASSERT_EQUAL(cc.declared, blen);
		CU_ASSERT_EQUAL_FATAL(cc.len, blen);
		CU_ASSERT_PTR_NOT_NULL_FATAL(cc.body);
		CU_ASSERT(memcmp(cc.body, body, blen) == 0);
		CU_ASSERT(cc.allocated >= blen && cc.allocated <= blen + TD_CAP_DECOMPRESS_STATE);
		struct subjects_seen seen = { 0, 0 };
		size_t count = 0;
		CU_ASSERT_EQUAL(td_tls_decode_certificate(cc.body, cc.len, true, on_cert, &seen, &count),
				TD_OK);
		CU_ASSERT_EQUAL(count, 2);
		CU_ASSERT_EQUAL(seen.matched, 2);
		td_certcomp_cleanup(&cc);
		CU_ASSERT_PTR_NULL(cc.body);
		free(src);
	}
	free(body);
}

/* A 1 KB message declaring 16 MB (the most a u24 says) is refused before
 * any allocation; so is one byte over the cap; the cap itself is not. */
static void test_cap(void)
{
	size_t n;
	uint8_t *src = load("certcomp_chain.br", &n);
	CU_ASSERT_PTR_NOT_NULL_FATAL(src);
	static uint8_t msg[16384];
	const uint32_t declared[] = { 0xffffff, TD_CAP_CERT_DECOMPRESSED + 1 };
	for (size_t i = 0; i < N_FIXTURES; i++) {
		for (size_t k = 0; k < 2; k++) {
			size_t m = message(msg, sizeof msg, fixtures[i].alg, declared[k], src, 1024,
					   1024, NULL, 0);
			CU_ASSERT(m <= 1032);
			struct td_certcomp cc;
			CU_ASSERT_EQUAL(counted(msg, m, &cc), TD_ERR_CAP);
			CU_ASSERT_EQUAL(malloc_calls, 0);
			CU_ASSERT_EQUAL(cc.fault, TD_CCF_OVER_CAP);
			CU_ASSERT_EQUAL(cc.declared, declared[k]);
			CU_ASSERT_EQUAL(cc.allocated, 0);
			CU_ASSERT_PTR_NULL(cc.body);
			td_certcomp_cleanup(&cc);
		}
	}
	/* At the cap: decoded (and found short), the buffer exactly the cap. */
	size_t bn;
	uint8_t *br = load("certcomp_chain.br", &bn);
	size_t m = message(msg, sizeof msg, TD_CERTCOMP_BROTLI, TD_CAP_CERT_DECOMPRESSED, br, bn, bn,
			   NULL, 0);
	struct td_certcomp cc;
	CU_ASSERT_EQUAL(td_certcomp_decompress(msg, m, &cc), TD_ERR_MALFORMED);
	CU_ASSERT_EQUAL(cc.fault, TD_CCF_SHORTER);
	CU_ASSERT(cc.allocated >= TD_CAP_CERT_DECOMPRESSED);
	td_certcomp_cleanup(&cc);
	free(br);
	free(src);
}

/* A declared length one byte short, far short, one byte long and far
 * long: LONGER (no body) or SHORTER (the whole body, reported). */
static void test_lying_length(void)
{
	static uint8_t msg[16384];
	size_t blen;
	uint8_t *body = load("certcomp_chain.bin", &blen);
	CU_ASSERT_PTR_NOT_NULL_FATAL(body);
	for (size_t i = 0; i < N_FIXTURES; i++) {
		size_t n;
		uint8_t *src = load(fixtures[i].file, &n);
		CU_ASSERT_PTR_NOT_NULL_FATAL(src);
		const uint32_t shorter[] = { (uint32_t)blen - 1, 100, 1 };
		for (size_t k = 0; k < 3; k++) {
			size_t m = message(msg, sizeof msg, fixtures[i].alg, shorter[k], src, n, n, NULL, 0);
			struct td_certcomp cc;
			CU_ASSERT_EQUAL(td_certcomp_decompress(msg, m, &cc), TD_ERR_MALFORMED);
			CU_ASSERT_EQUAL(cc.fault, TD_CCF_LONGER);
			CU_ASSERT_PTR_NULL(cc.body);
			CU_ASSERT(cc.allocated <= shorter[k] + TD_CAP_DECOMPRESS_STATE);
			td_certcomp_cleanup(&cc);
		}
		const uint32_t longer[] = { (uint32_t)blen + 1, 200000 };
		for (size_t k = 0; k < 2; k++) {
			size_t m = message(msg, sizeof msg, fixtures[i].alg, longer[k], src, n, n, NULL, 0);
			struct td_certcomp cc;
			CU_ASSERT_EQUAL(td_certcomp_decompress(msg, m, &cc), TD_ERR_MALFORMED);
			CU_ASSERT_EQUAL(cc.fault, TD_CCF_SHORTER);
			CU_ASSERT_EQUAL(cc.len, blen);
			CU_ASSERT(cc.body && memcmp(cc.body, body, blen) == 0);
			td_certcomp_cleanup(&cc);
		}
		free(src);
	}
	free(body);
}

static void test_unknown_and_empty(void)
{
	static uint8_t msg[64];
	const uint8_t junk[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	const uint16_t algs[] = { 0, 4, 0x4000, 0xffff };
	for (size_t k = 0; k < 4; k++) {
		size_t m = message(msg, sizeof msg, algs[k], 100, junk, sizeof junk, sizeof junk, NULL, 0);
		struct td_certcomp cc;
		CU_ASSERT_EQUAL(td_certcomp_decompress(msg, m, &cc), TD_ERR_UNSUPPORTED);
		CU_ASSERT_EQUAL(cc.fault, TD_CCF_UNKNOWN_ALG);
		CU_ASSERT_EQUAL(cc.algorithm, algs[k]);
		CU_ASSERT_EQUAL(cc.allocated, 0);
		td_certcomp_cleanup(&cc);
	}
	/* uncompressed_length 0, and an empty stream. */
	struct td_certcomp cc;
	size_t m = message(msg, sizeof msg, TD_CERTCOMP_ZLIB, 0, junk, sizeof junk, sizeof junk, NULL, 0);
	CU_ASSERT_EQUAL(td_certcomp_decompress(msg, m, &cc), TD_ERR_MALFORMED);
	CU_ASSERT_EQUAL(cc.fault, TD_CCF_EMPTY);
	m = message(msg, sizeof msg, TD_CERTCOMP_ZSTD, 100, junk, 0, 0, NULL, 0);
	CU_ASSERT_EQUAL(td_certcomp_decompress(msg, m, &cc), TD_ERR_MALFORMED);
	CU_ASSERT_EQUAL(cc.fault, TD_CCF_EMPTY);
	CU_ASSERT_EQUAL(cc.allocated, 0);
	/* Garbage in each format. */
	for (size_t i = 0; i < N_FIXTURES; i++) {
		m = message(msg, sizeof msg, fixtures[i].alg, 100, junk, sizeof junk, sizeof junk, NULL, 0);
		CU_ASSERT_EQUAL(td_certcomp_decompress(msg, m, &cc), TD_ERR_MALFORMED);
		CU_ASSERT_EQUAL(cc.fault, TD_CCF_CORRUPT);
		CU_ASSERT_PTR_NULL(cc.body);
		td_certcomp_cleanup(&cc);
	}
}

/* Every prefix of the message (the vector then overruns: TRUNCATED), and
 * every cut of the stream with the vector length saying so (CORRUPT: the
 * stream ends inside itself). */
static void test_truncation(void)
{
	static uint8_t msg[16384];
	size_t blen;
	uint8_t *body = load("certcomp_chain.bin", &blen);
	CU_ASSERT_PTR_NOT_NULL_FATAL(body);
	for (size_t i = 0; i < N_FIXTURES; i++) {
		size_t n;
		uint8_t *src = load(fixtures[i].file, &n);
		CU_ASSERT_PTR_NOT_NULL_FATAL(src);
		size_t m = message(msg, sizeof msg, fixtures[i].alg, (uint32_t)blen, src, n, n, NULL, 0);
		size_t bad = 0;
		for (size_t k = 0; k < m; k++) {
			struct td_certcomp cc;
			enum td_result r = td_certcomp_decompress(msg, k, &cc);
			bad += r != TD_ERR_TRUNCATED || cc.fault != TD_CCF_TRUNCATED || cc.body ||
			       cc.allocated != 0;
			td_certcomp_cleanup(&cc);
		}
		CU_ASSERT_EQUAL(bad, 0);
		for (size_t k = 1; k < n; k++) {
			size_t mk = message(msg, sizeof msg, fixtures[i].alg, (uint32_t)blen, src, k, k,
					    NULL, 0);
			struct td_certcomp cc;
			enum td_result r = td_certcomp_decompress(msg, mk, &cc);
			if (r != TD_ERR_MALFORMED || cc.fault != TD_CCF_CORRUPT || cc.body) {
				if (bad++ == 0)
					fprintf(stderr, "\n%s cut at %zu: %s\n", fixtures[i].file, k,
						td_certcomp_fault_str(cc.fault));
			}
			td_certcomp_cleanup(&cc);
		}
		CU_ASSERT_EQUAL(bad, 0);
		free(src);
	}
	free(body);
}

/* Bytes after the stream, inside the vector (zlib, brotli: TRAILING, the
 * body kept; zstd reads them as another frame: CORRUPT) or after it
 * (TRAILING for all). */
static void test_trailing(void)
{
	static uint8_t msg[16384];
	static uint8_t src2[8192];
	const uint8_t junk[3] = { 0xde, 0xad, 0x00 };
	size_t blen;
	uint8_t *body = load("certcomp_chain.bin", &blen);
	CU_ASSERT_PTR_NOT_NULL_FATAL(body);
	for (size_t i = 0; i < N_FIXTURES; i++) {
		size_t n;
		uint8_t *src = load(fixtures[i].file, &n);
		CU_ASSERT_PTR_NOT_NULL_FATAL(src);
		CU_ASSERT_FATAL(n + sizeof junk <= sizeof src2);
		memcpy(src2, src, n);
		memcpy(src2 + n, junk, sizeof junk);
		size_t m = message(msg, sizeof msg, fixtures[i].alg, (uint32_t)blen, src2,
				   n + sizeof junk, n + sizeof junk, NULL, 0);
		struct td_certcomp cc;
		CU_ASSERT_EQUAL(td_certcomp_decompress(msg, m, &cc), TD_ERR_MALFORMED);
		if (fixtures[i].alg == TD_CERTCOMP_ZSTD) {
			CU_ASSERT_EQUAL(cc.fault, TD_CCF_CORRUPT);
		} else {
			CU_ASSERT_EQUAL(cc.fault, TD_CCF_TRAILING);
			CU_ASSERT(cc.len == blen && cc.body && memcmp(cc.body, body, blen) == 0);
		}
		td_certcomp_cleanup(&cc);
		m = message(msg, sizeof msg, fixtures[i].alg, (uint32_t)blen, src, n, n, junk,
			    sizeof junk);
		CU_ASSERT_EQUAL(td_certcomp_decompress(msg, m, &cc), TD_ERR_MALFORMED);
		CU_ASSERT_EQUAL(cc.fault, TD_CCF_TRAILING);
		CU_ASSERT(cc.len == blen && cc.body != NULL);
		td_certcomp_cleanup(&cc);
		free(src);
	}
	free(body);
}

/* A corrupt checksum (zlib's Adler-32, zstd's XXH64 when present) or
 * bytes flipped in the middle: never a crash, never a body. */
static void test_corrupt(void)
{
	static uint8_t msg[16384];
	static uint8_t src2[8192];
	size_t blen;
	uint8_t *body = load("certcomp_chain.bin", &blen);
	for (size_t i = 0; i < N_FIXTURES; i++) {
		size_t n;
		uint8_t *src = load(fixtures[i].file, &n);
		CU_ASSERT_PTR_NOT_NULL_FATAL(src);
		for (size_t at = 0; at < n; at += 7) {
			memcpy(src2, src, n);
			src2[at] ^= 0x5a;
			size_t m = message(msg, sizeof msg, fixtures[i].alg, (uint32_t)blen, src2, n, n,
					   NULL, 0);
			struct td_certcomp cc;
			enum td_result r = td_certcomp_decompress(msg, m, &cc);
			/* A flip may still decode (a literal byte of brotli or zstd
			 * without checksum): then it is the wrong body, never longer. */
			CU_ASSERT(r != TD_OK || (cc.len == blen && cc.body));
			CU_ASSERT(cc.allocated <= blen + TD_CAP_DECOMPRESS_STATE);
			td_certcomp_cleanup(&cc);
		}
		if (fixtures[i].alg == TD_CERTCOMP_ZLIB) {
			memcpy(src2, src, n);
			src2[n - 1] ^= 1;  /* the Adler-32's last byte */
			size_t m = message(msg, sizeof msg, fixtures[i].alg, (uint32_t)blen, src2, n, n,
					   NULL, 0);
			struct td_certcomp cc;
			CU_ASSERT_EQUAL(td_certcomp_decompress(msg, m, &cc), TD_ERR_MALFORMED);
			CU_ASSERT_EQUAL(cc.fault, TD_CCF_CORRUPT);
			td_certcomp_cleanup(&cc);
		}
		free(src);
	}
	free(body);
}

/* Decompression bombs (16 MB of zeros in 14 bytes of brotli, 514 of zstd;
 * 1 MiB in about 1 KB of zlib) declaring the cap: refused, and the bytes
 * asked of malloc stay under the declared length plus the decoders' cap. */
static void test_bombs(void)
{
	static const struct {
		uint16_t alg;
		const char *file;
	} bombs[] = {
		{ TD_CERTCOMP_ZLIB, "certcomp_bomb.zlib" },
		{ TD_CERTCOMP_BROTLI, "certcomp_bomb.br" },
		{ TD_CERTCOMP_ZSTD, "certcomp_bomb.zst" },
	};
	static uint8_t msg[4096];
	for (size_t i = 0; i < 3; i++) {
		size_t n;
		uint8_t *src = load(bombs[i].file, &n);
		CU_ASSERT_PTR_NOT_NULL_FATAL(src);
		size_t m = message(msg, sizeof msg, bombs[i].alg, TD_CAP_CERT_DECOMPRESSED, src, n, n,
				   NULL, 0);
		struct td_certcomp cc;
		enum td_result r = counted(msg, m, &cc);
		CU_ASSERT(r == TD_ERR_MALFORMED || r == TD_ERR_CAP);
		CU_ASSERT(cc.fault == TD_CCF_LONGER || cc.fault == TD_CCF_STATE_CAP);
		CU_ASSERT_PTR_NULL(cc.body);
		CU_ASSERT(malloc_bytes <= TD_CAP_CERT_DECOMPRESSED + TD_CAP_DECOMPRESS_STATE +
			  64 * malloc_calls);
		CU_ASSERT(cc.allocated <= TD_CAP_CERT_DECOMPRESSED + TD_CAP_DECOMPRESS_STATE);
		/* brotli's 16 MiB window: its ring buffer is refused. */
		if (bombs[i].alg == TD_CERTCOMP_BROTLI)
			CU_ASSERT_EQUAL(cc.fault, TD_CCF_STATE_CAP);
		td_certcomp_cleanup(&cc);
		/* Declaring the 16 MB it holds: refused before decoding. */
		m = message(msg, sizeof msg, bombs[i].alg, 16000000, src, n, n, NULL, 0);
		CU_ASSERT_EQUAL(counted(msg, m, &cc), TD_ERR_CAP);
		CU_ASSERT_EQUAL(malloc_calls, 0);
		CU_ASSERT_EQUAL(cc.fault, TD_CCF_OVER_CAP);
		td_certcomp_cleanup(&cc);
		free(src);
	}
}

/* A ClientHello's compress_certificate extension (27): its algorithms
 * listed in order; a vector of odd length is malformed. */
static void test_client_hello_extension(void)
{
	static const uint8_t head[] = {
		0x03, 0x03,                                      /* legacy_version */
		0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24,
		25, 26, 27, 28, 29, 30, 31,                      /* random */
		0,                                               /* session_id */
		0, 2, 0x13, 0x01,                                /* cipher_suites */
		1, 0,                                            /* compression_methods */
	};
	static const uint8_t good[] = { 0, 11, 0, 27, 0, 7, 6, 0, 2, 0, 1, 0, 3 };
	static const uint8_t odd[] = { 0, 10, 0, 27, 0, 6, 5, 0, 2, 0, 1, 0 };
	uint8_t b[128];
	memcpy(b, head, sizeof head);
	memcpy(b + sizeof head, good, sizeof good);
	struct td_client_hello ch = { 0 };
	CU_ASSERT_EQUAL(td_tls_decode_client_hello(b, sizeof head + sizeof good, &ch), TD_OK);
	CU_ASSERT_EQUAL_FATAL(ch.cert_compression.n, 3);
	CU_ASSERT_EQUAL(ch.cert_compression.v[0], TD_CERTCOMP_BROTLI);
	CU_ASSERT_EQUAL(ch.cert_compression.v[1], TD_CERTCOMP_ZLIB);
	CU_ASSERT_EQUAL(ch.cert_compression.v[2], TD_CERTCOMP_ZSTD);
	CU_ASSERT_STRING_EQUAL(td_tls_lookup(TD_REG_CERT_COMPRESSION, ch.cert_compression.v[0]),
			       "brotli");
	CU_ASSERT_STRING_EQUAL(td_tls_lookup(TD_REG_EXTENSION, 27), "compress_certificate");
	CU_ASSERT_PTR_NULL(td_tls_lookup(TD_REG_CERT_COMPRESSION, 4));
	td_client_hello_cleanup(&ch);
	memcpy(b + sizeof head, odd, sizeof odd);
	CU_ASSERT_EQUAL(td_tls_decode_client_hello(b, sizeof head + sizeof odd, &ch), TD_ERR_MALFORMED);
	td_client_hello_cleanup(&ch);
}

void td_suite_decomp(void)
{
	CU_pSuite s = td_test_suite("decomp");
	td_test_add(s, "three real streams give the chain back", test_real_streams);
	td_test_add(s, "declared length over the cap: refused before allocating", test_cap);
	td_test_add(s, "declared length lies (short, long)", test_lying_length);
	td_test_add(s, "unknown algorithm, empty, garbage", test_unknown_and_empty);
	td_test_add(s, "truncation of the message and of the stream", test_truncation);
	td_test_add(s, "stray bytes after the stream", test_trailing);
	td_test_add(s, "corrupt streams", test_corrupt);
	td_test_add(s, "decompression bombs", test_bombs);
	td_test_add(s, "ClientHello compress_certificate", test_client_hello_extension);
}
