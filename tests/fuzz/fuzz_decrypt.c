/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fuzz_decrypt.c - libFuzzer harness: record decryption (tls_crypto.h,
 * tls12_crypto.h), alone and through the engine with a key log.
 *
 * Random bytes never authenticate, so the harness seals what the fuzzer
 * gives with an AEAD or CBC + HMAC of its own (wolfSSL's primitives,
 * called directly: the only wolfSSL use outside src/x509 and src/tls,
 * in a test) and the code under test has to open it.  This file is the
 * entry point and TLS 1.3; fuzz_decrypt12.c is TLS 1.0-1.2.
 *
 *   mode    1 byte   bit 0: 0 one record, 1 a connection through the engine
 *                    bit 1: 0 TLS 1.3, 1 TLS 1.2 and older (fuzz_decrypt12.c)
 *                    bits 2-5: the suite (an index into the harness's table)
 *                    bits 6-7: TLS <= 1.2 version: 1 TLS 1.1, 2 TLS 1.0, else 1.2
 *
 * TLS 1.3, one record (td_tls13_keys_init + td_tls13_decrypt):
 *   secret  hash-length bytes (32 or 48)
 *   flags   1 byte   bit 0 seal the plaintext (else the rest is the
 *                    ciphertext, which must then fail), bit 1 a header
 *                    that matches (else 5 header bytes follow), bits 2-6
 *                    the sequence number, bit 7 an output buffer one byte
 *                    short
 *   [header 5 bytes]
 *   sealed: type 1 byte, pad 1 byte (zeros after the type), content: rest
 *   A sealed record with a matching header must open to exactly the
 *   content and type (RFC 8446 5.4: the last non-zero byte is the type).
 *
 * TLS 1.3, a connection through the engine: the harness sends a fixed
 * ClientHello (client random R) and ServerHello, then the fuzzer's
 * records, sealed with the traffic keys of R's key log entries, which
 * the engine has:
 *   opts    1 byte   bit 2 ChangeCipherSpec records (middlebox
 *                    compatibility), bit 3 no SYN, bits 4-5 server port
 *                    (8443, 443, 993, 40001), bit 6 colour, bit 7 verbose
 *   record*
 *     hdr   1 byte   bit 7 from the server, bit 6 application keys (else
 *                    handshake keys), bit 5 raw: the bytes go on the
 *                    stream as they are (no type byte), bit 4 a
 *                    retransmission, bits 0-3 zero padding bytes
 *     type  1 byte   inner content type (sealed records only)
 *     len   2 bytes  big-endian, cut to what is left and to 2^14
 *     data  len bytes: the plaintext (handshake messages, an alert...)
 * Each direction counts its own sequence numbers per key epoch, as a
 * real peer does.  The connection ends with FINs.  Output goes to the
 * checked writers (fuzz_common.h).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <wolfssl/options.h>
#include <wolfssl/wolfcrypt/aes.h>
#include <wolfssl/wolfcrypt/chacha20_poly1305.h>

#include "fuzz_decrypt.h"
#include "tls_crypto.h"

#define PLAIN_MAX 16384u
#define TAG_MAX 16u

/* ---- sealing (RFC 8446 5.2, 5.3) ------------------------------------- */

/* Seal in[0..n) under k at sequence seq with additional data aad[5]:
 * out gets n + tag bytes.  Aborts when wolfSSL fails. */
static size_t seal(const struct td_tls13_keys *k, uint64_t seq, const uint8_t aad[5],
		   const uint8_t *in, size_t n, uint8_t *out)
{
	const struct td_tls13_suite *s = td_tls13_suite_find(k->suite);
	if (!s)
		td_fuzz_fail("seal: not a TLS 1.3 suite");
	uint8_t nonce[TD_TLS13_IV_LEN];
	memcpy(nonce, k->iv, sizeof nonce);
	for (int i = 0; i < 8; i++)
		nonce[TD_TLS13_IV_LEN - 1 - (size_t)i] ^= (uint8_t)(seq >> (8 * i));
	int rc = -1;
	if (s->aead == TD_AEAD_CHACHA20_POLY1305) {
		rc = wc_ChaCha20Poly1305_Encrypt(k->key, nonce, aad, 5, in, (word32)n, out, out + n);
	} else {
		Aes aes;
		if (wc_AesInit(&aes, NULL, INVALID_DEVID) != 0)
			td_fuzz_fail("wc_AesInit failed");
		if (s->aead == TD_AEAD_AES_GCM) {
			if (wc_AesGcmSetKey(&aes, k->key, (word32)k->key_len) == 0)
				rc = wc_AesGcmEncrypt(&aes, out, in, (word32)n, nonce, sizeof nonce,
						      out + n, (word32)s->tag_len, aad, 5);
		} else if (wc_AesCcmSetKey(&aes, k->key, (word32)k->key_len) == 0) {
			rc = wc_AesCcmEncrypt(&aes, out, in, (word32)n, nonce, sizeof nonce,
					      out + n, (word32)s->tag_len, aad, 5);
		}
		wc_AesFree(&aes);
	}
	if (rc != 0)
		td_fuzz_fail("sealing failed: wolfSSL error %d", rc);
	return n + s->tag_len;
}

/* ---- mode 0: one record ----------------------------------------------- */

static void one_record(uint8_t mode, struct td_reader *r)
{
	uint16_t suite = (uint16_t)(0x1301 + ((mode >> 2) & 15) % 5);
	const struct td_tls13_suite *s = td_tls13_suite_find(suite);
	if (!s)
		td_fuzz_fail("suite %04x unknown", suite);
	const uint8_t *secret = td_rd_bytes(r, s->hash_len);
	uint8_t flags = td_rd_u8(r);
	if (!td_rd_ok(r))
		return;
	bool sealed = flags & 1, match = flags & 2, short_out = flags & 0x80;
	uint64_t seq = (flags >> 2) & 0x1f;
	uint8_t header[5] = { 0 };
	if (!match) {
		const uint8_t *h = td_rd_bytes(r, 5);
		if (!h)
			return;
		memcpy(header, h, 5);
	}
	struct td_tls13_keys k;
	if (td_tls13_keys_init(&k, suite, secret, s->hash_len) != TD_OK)
		td_fuzz_fail("td_tls13_keys_init refused a %zu-byte secret for %04x",
			     s->hash_len, suite);
	if (k.key_len != s->key_len || k.seq != 0)
		td_fuzz_fail("td_tls13_keys_init: key_len %zu seq %llu", k.key_len,
			     (unsigned long long)k.seq);
	k.seq = seq;

	uint8_t *plain = NULL, *ct = NULL, *out = NULL;
	size_t plain_len = 0, ct_len;
	if (sealed) {
		uint8_t type = td_rd_u8(r);
		size_t pad = td_rd_u8(r);
		size_t content = td_rd_left(r);
		const uint8_t *p = td_rd_bytes(r, content);
		plain_len = content + 1 + pad;
		plain = calloc(plain_len, 1);
		ct = malloc(plain_len + TAG_MAX);
		if (!plain || !ct)
			td_fuzz_fail("out of memory");
		if (content)
			memcpy(plain, p, content);
		plain[content] = type;
		ct_len = plain_len + s->tag_len;
		if (match) {
			header[0] = 23;
			header[1] = 3;
			header[2] = 3;
			header[3] = (uint8_t)(ct_len >> 8);
			header[4] = (uint8_t)ct_len;
		}
		seal(&k, seq, header, plain, plain_len, ct);
	} else {
		ct_len = td_rd_left(r);
		ct = malloc(ct_len ? ct_len : 1);
		if (!ct)
			td_fuzz_fail("out of memory");
		if (ct_len)
			memcpy(ct, td_rd_bytes(r, ct_len), ct_len);
		if (match) {
			header[0] = 23;
			header[1] = 3;
			header[2] = 3;
			header[3] = (uint8_t)(ct_len >> 8);
			header[4] = (uint8_t)ct_len;
		}
	}
	/* The output buffer is exactly as large as the contract asks (or one
	 * byte short), on the heap, so that ASan sees any overrun; zeroed, so
	 * that plaintext left behind by a failed decryption shows. */
	size_t cap = ct_len > s->tag_len ? ct_len - s->tag_len : 0;
	if (short_out && cap)
		cap--;
	out = calloc(cap ? cap : 1, 1);
	if (!out)
		td_fuzz_fail("out of memory");
	size_t outlen = cap;
	uint8_t inner = 0xee;
	enum td_result rc = td_tls13_decrypt(&k, header, ct, ct_len, out, &outlen, &inner);

	if (!sealed && rc == TD_OK)
		td_fuzz_fail("random bytes authenticated");
	if (rc == TD_OK && (outlen > cap || k.seq != seq + 1))
		td_fuzz_fail("decrypt: outlen %zu of %zu, seq %llu", outlen, cap,
			     (unsigned long long)k.seq);
	if (sealed && match && !short_out && ct_len <= TD_TLS13_CIPHERTEXT_MAX) {
		/* RFC 8446 5.4: the content type is the last non-zero byte. */
		size_t last = plain_len;
		while (last > 0 && plain[last - 1] == 0)
			last--;
		if (last == 0) {
			if (rc != TD_ERR_MALFORMED || outlen != 0 || k.seq != seq + 1)
				td_fuzz_fail("all-zero record: %s, outlen %zu, seq %llu",
					     td_result_str(rc), outlen, (unsigned long long)k.seq);
		} else if (rc != TD_OK || outlen != last - 1 || inner != plain[last - 1] ||
			   (outlen && memcmp(out, plain, outlen) != 0)) {
			td_fuzz_fail("sealed record: %s, outlen %zu (want %zu), type %u (want %u)",
				     td_result_str(rc), outlen, last - 1, inner, plain[last - 1]);
		}
	}
	if (rc == TD_ERR_MALFORMED && k.seq == seq) {
		/* Not authenticated: no plaintext may be left in out. */
		for (size_t i = 0; i < cap; i++)
			if (out[i])
				td_fuzz_fail("decrypt failed but left plaintext in out");
	}
	td_tls13_keys_cleanup(&k);
	free(plain);
	free(ct);
	free(out);
}

/* ---- shared with fuzz_decrypt12.c ------------------------------------ */

uint8_t td_fd_client_random[32];
const uint8_t td_fd_server_random[32] = {
	0x70, 0x71, 0x72, 0x73, 0x74, 0x75, 0x76, 0x77, 0x78, 0x79, 0x7a, 0x7b, 0x7c, 0x7d, 0x7e, 0x7f,
	0x80, 0x81, 0x82, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88, 0x89, 0x8a, 0x8b, 0x8c, 0x8d, 0x8e, 0x8f,
};

void td_fd_secret(enum td_keylog_label label, size_t len, uint8_t *out)
{
	for (size_t i = 0; i < len; i++)
		out[i] = (uint8_t)(0x40 + 0x11 * (unsigned)label + i);
}

void td_fd_put8(struct td_fd_wr *w, unsigned v)
{
	if (w->n < sizeof w->b)
		w->b[w->n++] = (uint8_t)v;
}

void td_fd_put16(struct td_fd_wr *w, unsigned v)
{
	td_fd_put8(w, v >> 8);
	td_fd_put8(w, v & 0xff);
}

void td_fd_putn(struct td_fd_wr *w, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		td_fd_put8(w, p[i]);
}

void td_fd_patch(struct td_fd_wr *w, size_t off, size_t bytes)
{
	size_t len = w->n - off - bytes;
	for (size_t i = 0; i < bytes; i++)
		w->b[off + i] = (uint8_t)(len >> (8 * (bytes - 1 - i)));
}

/* One key log per TLS 1.3 hash length ([0] SHA-256, [1] SHA-384), each
 * with R's four traffic secrets and its TLS 1.2 master secret. */
static struct td_keylog *keylogs[2];

static const enum td_keylog_label labels[2][2] = {
	{ TD_KEYLOG_CLIENT_HANDSHAKE_TRAFFIC_SECRET, TD_KEYLOG_CLIENT_TRAFFIC_SECRET_0 },
	{ TD_KEYLOG_SERVER_HANDSHAKE_TRAFFIC_SECRET, TD_KEYLOG_SERVER_TRAFFIC_SECRET_0 },
};

static void free_keylogs(void)
{
	td_keylog_free(keylogs[0]);
	td_keylog_free(keylogs[1]);
}

static void add_line(struct td_keylog *k, enum td_keylog_label label, size_t len)
{
	char line[300], rnd[65], sec[97];
	uint8_t s[48];
	td_fd_secret(label, len, s);
	for (size_t i = 0; i < 32; i++)
		snprintf(rnd + 2 * i, 3, "%02x", td_fd_client_random[i]);
	for (size_t i = 0; i < len; i++)
		snprintf(sec + 2 * i, 3, "%02x", s[i]);
	int n = snprintf(line, sizeof line, "%s %s %s\n", td_keylog_label_name(label), rnd, sec);
	if (td_keylog_add_text(k, line, (size_t)n) != TD_OK)
		td_fuzz_fail("out of memory");
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	if (keylogs[0])
		return 0;
	td_fuzz_global_init();
	for (size_t i = 0; i < sizeof td_fd_client_random; i++)
		td_fd_client_random[i] = (uint8_t)(0xc0 + i);
	for (int h = 0; h < 2; h++) {
		keylogs[h] = td_keylog_new();
		if (!keylogs[h])
			td_fuzz_fail("out of memory");
		for (int d = 0; d < 2; d++)
			for (int e = 0; e < 2; e++)
				add_line(keylogs[h], labels[d][e], h ? 48 : 32);
		add_line(keylogs[h], TD_KEYLOG_CLIENT_RANDOM, 48);
	}
	atexit(free_keylogs);
	return 0;
}

static const uint16_t engine_ports[4] = { 8443, 443, 993, 40001 };

void td_fd_run_start(struct td_fd_run *run, uint8_t opts, bool sha384)
{
	static struct td_conv cv;   /* static: the frame buffer is 70 kB */
	td_fuzz_out_open(&run->out, opts & 0x40, opts & 0x80);
	td_config_defaults(&run->cfg);
	run->cfg.ordered = true;
	run->cfg.keylog = keylogs[sha384];
	run->cfg.diagnoser = td_fuzz_diagnoser_new();
	run->eng = td_engine_new(&run->cfg, run->out.sink);
	if (!run->eng)
		td_fuzz_fail("out of memory");
	run->cv = &cv;
	td_conv_init(&cv, run->eng, TD_LINK_ETHERNET, false, engine_ports[(opts >> 4) & 3], false);
	td_conv_start(&cv, !(opts & 0x08));
}

void td_fd_run_stop(struct td_fd_run *run)
{
	td_conv_end(run->cv, true, false);
	td_engine_finish(run->eng);
	td_engine_free(run->eng);
	td_conv_cleanup(run->cv);
	td_diagnoser_free(run->cfg.diagnoser);
	td_fuzz_out_close(&run->out);
}

/* ---- TLS 1.3: a connection through the engine --------------------------- */

/* A TLS 1.3 ClientHello (RFC 8446 4.1.2) in a handshake record. */
static void client_hello(struct td_fd_wr *w)
{
	static const uint8_t share[32] = { 0x11, 0x22, 0x33 };
	static const char sni[] = "tls-server.local";
	w->n = 0;
	td_fd_put8(w, 22); td_fd_put16(w, 0x0301); td_fd_put16(w, 0);     /* record */
	td_fd_put8(w, 1); td_fd_put8(w, 0); td_fd_put16(w, 0);            /* ClientHello */
	td_fd_put16(w, 0x0303);
	td_fd_putn(w, td_fd_client_random, sizeof td_fd_client_random);
	td_fd_put8(w, 32);
	for (unsigned i = 0; i < 32; i++)
		td_fd_put8(w, i);                                          /* legacy_session_id */
	td_fd_put16(w, 10);
	for (unsigned i = 1; i <= 5; i++)
		td_fd_put16(w, 0x1300 + i);
	td_fd_put8(w, 1); td_fd_put8(w, 0);                               /* compression */
	size_t ext = w->n;
	td_fd_put16(w, 0);
	td_fd_put16(w, 0); td_fd_put16(w, sizeof sni + 4); td_fd_put16(w, sizeof sni + 2);
	td_fd_put8(w, 0); td_fd_put16(w, sizeof sni - 1);                /* server_name */
	td_fd_putn(w, (const uint8_t *)sni, sizeof sni - 1);
	td_fd_put16(w, 10); td_fd_put16(w, 4); td_fd_put16(w, 2); td_fd_put16(w, 0x001d);
	td_fd_put16(w, 13); td_fd_put16(w, 8); td_fd_put16(w, 6);         /* signature_algorithms */
	td_fd_put16(w, 0x0403); td_fd_put16(w, 0x0804); td_fd_put16(w, 0x0401);
	td_fd_put16(w, 16); td_fd_put16(w, 14); td_fd_put16(w, 12);       /* ALPN */
	td_fd_put8(w, 2); td_fd_putn(w, (const uint8_t *)"h2", 2);
	td_fd_put8(w, 8); td_fd_putn(w, (const uint8_t *)"http/1.1", 8);
	td_fd_put16(w, 43); td_fd_put16(w, 3); td_fd_put8(w, 2); td_fd_put16(w, 0x0304);
	td_fd_put16(w, 45); td_fd_put16(w, 2); td_fd_put8(w, 1); td_fd_put8(w, 1);
	td_fd_put16(w, 51); td_fd_put16(w, 38); td_fd_put16(w, 36);       /* key_share */
	td_fd_put16(w, 0x001d); td_fd_put16(w, 32);
	td_fd_putn(w, share, sizeof share);
	td_fd_patch(w, ext, 2);
	td_fd_patch(w, 6, 3);
	td_fd_patch(w, 3, 2);
}

/* A TLS 1.3 ServerHello choosing suite. */
static void server_hello(struct td_fd_wr *w, uint16_t suite)
{
	static const uint8_t share[32] = { 0x44, 0x55, 0x66 };
	w->n = 0;
	td_fd_put8(w, 22); td_fd_put16(w, 0x0303); td_fd_put16(w, 0);
	td_fd_put8(w, 2); td_fd_put8(w, 0); td_fd_put16(w, 0);
	td_fd_put16(w, 0x0303);
	td_fd_putn(w, td_fd_server_random, sizeof td_fd_server_random); /* not the HRR one */
	td_fd_put8(w, 32);
	for (unsigned i = 0; i < 32; i++)
		td_fd_put8(w, i);                                          /* echoed session id */
	td_fd_put16(w, suite);
	td_fd_put8(w, 0);
	size_t ext = w->n;
	td_fd_put16(w, 0);
	td_fd_put16(w, 43); td_fd_put16(w, 2); td_fd_put16(w, 0x0304);
	td_fd_put16(w, 51); td_fd_put16(w, 36); td_fd_put16(w, 0x001d); td_fd_put16(w, 32);
	td_fd_putn(w, share, sizeof share);
	td_fd_patch(w, ext, 2);
	td_fd_patch(w, 6, 3);
	td_fd_patch(w, 3, 2);
}

static void connection(uint8_t mode, struct td_reader *r)
{
	uint8_t opts = td_rd_u8(r);
	if (!td_rd_ok(r))
		return;
	uint16_t suite = (uint16_t)(0x1301 + ((mode >> 2) & 15) % 5);
	const struct td_tls13_suite *s = td_tls13_suite_find(suite);
	if (!s)
		td_fuzz_fail("suite %04x unknown", suite);

	/* Each direction's keys for both epochs, and its sequence numbers. */
	struct td_tls13_keys keys[2][2];
	for (int d = 0; d < 2; d++) {
		for (int e = 0; e < 2; e++) {
			uint8_t secret[48];
			td_fd_secret(labels[d][e], s->hash_len, secret);
			if (td_tls13_keys_init(&keys[d][e], suite, secret, s->hash_len) != TD_OK)
				td_fuzz_fail("td_tls13_keys_init failed");
		}
	}
	uint64_t seq[2][2] = { { 0, 0 }, { 0, 0 } };

	struct td_fd_run run;
	td_fd_run_start(&run, opts, s->hash_len == 48);
	struct td_conv *cv = run.cv;
	static const uint8_t ccs[6] = { 20, 3, 3, 0, 1, 1 };
	struct td_fd_wr w;
	client_hello(&w);
	td_conv_send(cv, 0, w.b, w.n, false);
	server_hello(&w, suite);
	td_conv_send(cv, 1, w.b, w.n, false);
	if (opts & 0x04)
		td_conv_send(cv, 1, ccs, sizeof ccs, false);

	static uint8_t plain[PLAIN_MAX + 16], rec[5 + PLAIN_MAX + 16 + TAG_MAX];
	while (td_rd_left(r) > 0) {
		uint8_t hdr = td_rd_u8(r);
		int d = (hdr & 0x80) ? 1 : 0, e = (hdr & 0x40) ? 1 : 0;
		bool raw = hdr & 0x20, dup = hdr & 0x10;
		size_t pad = hdr & 0x0f;
		uint8_t type = raw ? 0 : td_rd_u8(r);
		size_t want = td_rd_u16(r);
		size_t n = want < td_rd_left(r) ? want : td_rd_left(r);
		if (n > PLAIN_MAX)
			n = PLAIN_MAX;
		const uint8_t *p = td_rd_bytes(r, n);
		if (!td_rd_ok(r))
			break;
		cv->ts += 1000;
		if (raw) {
			td_conv_send(cv, d, p, n, dup);
			continue;
		}
		if (d == 0 && e == 0 && seq[0][0] == 0 && (opts & 0x04))
			td_conv_send(cv, 0, ccs, sizeof ccs, false);
		if (n)
			memcpy(plain, p, n);
		plain[n] = type;
		memset(plain + n + 1, 0, pad);
		size_t plen = n + 1 + pad;
		size_t clen = plen + s->tag_len;
		rec[0] = 23;
		rec[1] = 3;
		rec[2] = 3;
		rec[3] = (uint8_t)(clen >> 8);
		rec[4] = (uint8_t)clen;
		seal(&keys[d][e], seq[d][e]++, rec, plain, plen, rec + 5);
		td_conv_send(cv, d, rec, 5 + clen, dup);
	}
	td_fd_run_stop(&run);
	for (int d = 0; d < 2; d++)
		for (int e = 0; e < 2; e++)
			td_tls13_keys_cleanup(&keys[d][e]);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	LLVMFuzzerInitialize(NULL, NULL);
	struct td_reader r = td_rd_make(data, size);
	uint8_t mode = td_rd_u8(&r);
	if (!td_rd_ok(&r))
		return 0;
	switch (mode & 3) {
	case 0: one_record(mode, &r); break;
	case 1: connection(mode, &r); break;
	case 2: td_fd_record12(mode, &r); break;
	default: td_fd_connection12(mode, &r); break;
	}
	return 0;
}
