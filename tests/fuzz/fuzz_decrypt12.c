/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fuzz_decrypt12.c - the SSL 3.0 and TLS 1.0-1.2 half of the decrypt
 * harness (tls12_crypto.h); fuzz_decrypt.c has the entry point and the
 * layout of the first byte (mode: bits 2-5 the suite of a connection,
 * bits 6-7 the version: 0 TLS 1.2, 1 TLS 1.1, 2 TLS 1.0, 3 SSL 3.0).
 *
 * One record (mode bits 0-1 = 2):
 *   suite   2 bytes   a suite td_tls12_suite_find() knows (AES, Camellia,
 *                     3DES, DES, RC4, ChaCha20, export...), else an index
 *                     into all of them; the harness seals AES and ChaCha20
 *                     ones, the others get only unsealed bodies, which
 *                     must fail
 *   master  48 bytes  the master secret (its first bit also picks the
 *                     direction: 0 client_write, 1 server_write)
 *   flags   1 byte    bit 0 seal (else the rest is the record body, which
 *                     must then fail), bit 1 a header that matches (else
 *                     5 header bytes follow), bit 2 encrypt_then_mac,
 *                     bit 3 CBC only: the content is the CBC plaintext
 *                     itself (MAC and padding as the fuzzer wrote them,
 *                     cut to whole blocks), bits 4-6 the sequence number,
 *                     bit 7 an output buffer one byte short
 *   [header 5 bytes]
 *   type    1 byte    the record's content type
 *   content the rest
 * A properly sealed record with a matching header must open to exactly
 * the content (and, TLS 1.0 and SSL 3.0 CBC, chain the IV to its last
 * block).  With
 * encrypt_then_mac and a raw CBC plaintext, the MAC is right and the
 * padding is the fuzzer's: the record opens exactly when the padding is
 * valid (RFC 5246 6.2.3.2).  A record that does not open leaves no
 * plaintext in out and the state (sequence number, IV, RC4 keystream)
 * unchanged.
 *
 * A connection through the engine (mode bits 0-1 = 3), with one of the
 * 12 suites of the table below: a TLS 1.2 (or older) ClientHello with client random R and a ServerHello choosing
 * the suite, then the fuzzer's records; the engine has R's master
 * secret in its key log.
 *   opts    1 byte    bit 0 encrypt_then_mac in both hellos (CBC suites),
 *                     bit 1 ALPN in the ServerHello, bit 3 no SYN,
 *                     bits 4-5 server port, bit 6 colour, bit 7 verbose
 *   record*
 *     hdr   1 byte    bit 7 from the server, bit 6 encrypted (a
 *                     ChangeCipherSpec goes first, once per direction),
 *                     bit 5 raw (bytes on the stream as they are, no
 *                     type), bit 4 a retransmission
 *     type  1 byte    content type (not for raw)
 *     len   2 bytes   cut to what is left and to 2^14
 *     data  len bytes
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <wolfssl/options.h>
#include <wolfssl/wolfcrypt/aes.h>
#include <wolfssl/wolfcrypt/chacha20_poly1305.h>
#include <wolfssl/wolfcrypt/hmac.h>

#include "fuzz_decrypt.h"
#include "tls12_crypto.h"

#define PLAIN_MAX 16384u
#define OVERHEAD 160u   /* explicit nonce or IV, MAC, padding, tag: generously */
#define BLOCK 16u

static const uint16_t suites[12] = {
	0xc02f, 0xc030, 0xcca8, 0xc013, 0xc027, 0xc028,
	0xc0ac, 0xc0ae, 0x002f, 0x0035, 0x009c, 0xc0ad
};

static uint16_t version_of(uint8_t mode)
{
	static const uint16_t v[4] = { 0x0303, 0x0302, 0x0301, 0x0300 };
	return v[mode >> 6];
}

/* Every suite the library can decrypt, found once. */
static uint16_t all_suites[1024];
static size_t n_all;

static void find_all_suites(void)
{
	if (n_all)
		return;
	for (uint32_t id = 0; id <= 0xffff && n_all < sizeof all_suites / sizeof all_suites[0]; id++)
		if (td_tls12_suite_find((uint16_t)id))
			all_suites[n_all++] = (uint16_t)id;
	if (!n_all)
		td_fuzz_fail("td_tls12_suite_find knows no suite");
}

/* Suites the harness can seal: AES and ChaCha20 without export keys,
 * with an HMAC (TLS) or SSL 3.0 MAC over SHA-1 (AES-CBC only in SSL 3.0). */
static bool sealable(const struct td_tls12_suite *s, uint16_t version)
{
	if (s->export_key_len || s->mac == TD_TLS12_MAC_MD5)
		return false;
	if (s->cipher == TD_TLS12_AES_CBC)
		return version == 0x0303 || s->mac == TD_TLS12_MAC_SHA1;
	return version == 0x0303 && (s->cipher == TD_TLS12_AES_GCM || s->cipher == TD_TLS12_AES_CCM ||
				     s->cipher == TD_TLS12_CHACHA20_POLY1305);
}

/* seq_num | type | version | length (RFC 5246 6.2.3.1, 6.2.3.3). */
static void mac_header(uint8_t h[13], uint64_t seq, uint8_t type, uint16_t version, size_t len)
{
	for (int i = 0; i < 8; i++)
		h[i] = (uint8_t)(seq >> (8 * (7 - i)));
	h[8] = type;
	h[9] = (uint8_t)(version >> 8);
	h[10] = (uint8_t)version;
	h[11] = (uint8_t)(len >> 8);
	h[12] = (uint8_t)len;
}

static void hmac(const struct td_tls12_keys *k, const uint8_t h[13], const uint8_t *a, size_t an,
		 const uint8_t *b, size_t bn, uint8_t *out)
{
	int type = k->mac_len == 20 ? WC_SHA : k->mac_len == 48 ? WC_SHA384 : WC_SHA256;
	Hmac m;
	if (wc_HmacInit(&m, NULL, INVALID_DEVID) != 0 ||
	    wc_HmacSetKey(&m, type, k->mac_key, (word32)k->mac_len) != 0 ||
	    wc_HmacUpdate(&m, h, 13) != 0 || (an && wc_HmacUpdate(&m, a, (word32)an) != 0) ||
	    (bn && wc_HmacUpdate(&m, b, (word32)bn) != 0) || wc_HmacFinal(&m, out) != 0)
		td_fuzz_fail("HMAC failed");
	wc_HmacFree(&m);
}

static void cbc_encrypt(const struct td_tls12_keys *k, const uint8_t *iv, const uint8_t *in,
			size_t n, uint8_t *out)
{
	Aes aes;
	if (wc_AesInit(&aes, NULL, INVALID_DEVID) != 0 ||
	    wc_AesSetKey(&aes, k->key, (word32)k->key_len, iv, AES_ENCRYPTION) != 0 ||
	    wc_AesCbcEncrypt(&aes, out, in, (word32)n) != 0)
		td_fuzz_fail("AES-CBC failed");
	wc_AesFree(&aes);
}

/*
 * Protect in[0..n) as record body at sequence seq into out (n + OVERHEAD
 * bytes); the body length.  raw_cbc: in is the whole CBC plaintext
 * (whole blocks) and no MAC goes inside.  TLS 1.0 CBC chains k->iv.
 */
static size_t seal12(struct td_tls12_keys *k, const struct td_tls12_suite *s, uint8_t type,
		     uint64_t seq, const uint8_t *in, size_t n, bool raw_cbc, uint8_t *out)
{
	uint8_t h[13];
	uint16_t version = k->version;
	if (s->cipher != TD_TLS12_AES_CBC) {
		uint8_t nonce[12];
		size_t off = 0;
		mac_header(h, seq, type, version, n);
		if (s->cipher == TD_TLS12_CHACHA20_POLY1305) {
			memcpy(nonce, k->iv, 12);
			for (int i = 0; i < 8; i++)
				nonce[11 - i] ^= (uint8_t)(seq >> (8 * i));
		} else {
			memcpy(nonce, k->iv, 4);
			for (int i = 0; i < 8; i++)
				nonce[4 + i] = out[i] = (uint8_t)(seq >> (8 * (7 - i)));
			off = 8;
		}
		int rc = -1;
		if (s->cipher == TD_TLS12_CHACHA20_POLY1305) {
			rc = wc_ChaCha20Poly1305_Encrypt(k->key, nonce, h, 13, in, (word32)n,
							 out + off, out + off + n);
		} else {
			Aes aes;
			if (wc_AesInit(&aes, NULL, INVALID_DEVID) != 0)
				td_fuzz_fail("wc_AesInit failed");
			if (s->cipher == TD_TLS12_AES_GCM) {
				if (wc_AesGcmSetKey(&aes, k->key, (word32)k->key_len) == 0)
					rc = wc_AesGcmEncrypt(&aes, out + off, in, (word32)n, nonce, 12,
							      out + off + n, (word32)s->tag_len, h, 13);
			} else if (wc_AesCcmSetKey(&aes, k->key, (word32)k->key_len) == 0) {
				rc = wc_AesCcmEncrypt(&aes, out + off, in, (word32)n, nonce, 12,
						      out + off + n, (word32)s->tag_len, h, 13);
			}
			wc_AesFree(&aes);
		}
		if (rc != 0)
			td_fuzz_fail("AEAD sealing failed: %d", rc);
		return off + n + s->tag_len;
	}

	/* CBC: [record IV] | AES-CBC(content [| MAC] | padding) [| MAC]. */
	bool etm = k->encrypt_then_mac;
	size_t ivlen = version >= 0x0302 ? BLOCK : 0;
	uint8_t iv[BLOCK];
	for (size_t i = 0; i < BLOCK; i++)
		iv[i] = ivlen ? (uint8_t)(seq * 31u + i) : k->iv[i];
	memcpy(out, iv, ivlen);
	static uint8_t p[PLAIN_MAX + OVERHEAD];
	size_t plen;
	if (raw_cbc) {
		memcpy(p, in, n);
		plen = n;
	} else {
		memcpy(p, in, n);
		plen = n;
		if (!etm && version == 0x0300) {
			if (td_ssl3_mac(s->mac, k->mac_key, seq, type, in, n, p + plen) != TD_OK)
				td_fuzz_fail("td_ssl3_mac failed");
			plen += k->mac_len;
		} else if (!etm) {
			mac_header(h, seq, type, version, n);
			hmac(k, h, in, n, NULL, 0, p + plen);
			plen += k->mac_len;
		}
		size_t pad = (BLOCK - (plen + 1) % BLOCK) % BLOCK;
		memset(p + plen, (int)pad, pad + 1);
		plen += pad + 1;
	}
	cbc_encrypt(k, iv, p, plen, out + ivlen);
	size_t len = ivlen + plen;
	if (etm) {
		mac_header(h, seq, type, version, len);
		hmac(k, h, out, len, NULL, 0, out + len);
		len += k->mac_len;
	}
	if (version <= 0x0301)
		memcpy(k->iv, out + ivlen + plen - BLOCK, BLOCK);
	return len;
}

/* ---- one record -------------------------------------------------------- */

void td_fd_record12(uint8_t mode, struct td_reader *r)
{
	find_all_suites();
	uint16_t suite = td_rd_u16(r);
	if (!td_tls12_suite_find(suite))
		suite = all_suites[suite % n_all];
	uint16_t version = version_of(mode);
	const struct td_tls12_suite *s = td_tls12_suite_find(suite);
	if (!s)
		td_fuzz_fail("suite %04x unknown", suite);
	const uint8_t *master = td_rd_bytes(r, TD_TLS12_MASTER_LEN);
	uint8_t flags = td_rd_u8(r);
	if (!td_rd_ok(r))
		return;
	bool can_seal = sealable(s, version);
	bool sealed = (flags & 1) && can_seal, match = flags & 2, etm = flags & 4;
	bool short_out = flags & 0x80;
	bool cbc = s->cipher == TD_TLS12_AES_CBC;
	bool raw_cbc = (flags & 8) && cbc;
	uint64_t seq = (flags >> 4) & 7;
	uint8_t header[5] = { 0 };
	if (!match) {
		const uint8_t *h = td_rd_bytes(r, 5);
		if (!h)
			return;
		memcpy(header, h, 5);
	}
	uint8_t type = td_rd_u8(r);
	size_t n = td_rd_left(r);
	const uint8_t *content = td_rd_bytes(r, n);
	if (!td_rd_ok(r))
		return;
	if (n > PLAIN_MAX)
		n = PLAIN_MAX;

	struct td_tls12_keys k;
	enum td_result rc = td_tls12_keys_init(&k, version, suite, master, TD_TLS12_MASTER_LEN,
					       td_fd_client_random, td_fd_server_random, etm,
					       (master[0] & 1) ? TD_TLS12_SERVER_WRITE
							       : TD_TLS12_CLIENT_WRITE);
	if (rc != TD_OK) {
		/* A suite the version does not have is refused; the ones the
		 * harness seals exist in their versions. */
		if (rc != TD_ERR_UNSUPPORTED || can_seal)
			td_fuzz_fail("td_tls12_keys_init %04x/%04x: %s", version, suite,
				     td_result_str(rc));
		return;
	}
	etm = k.encrypt_then_mac;
	k.seq = seq;

	/* A raw CBC plaintext is cut to whole blocks (one block at least). */
	static uint8_t rawp[PLAIN_MAX + BLOCK];
	if (raw_cbc) {
		size_t whole = n - n % BLOCK;
		if (whole == 0) {
			memset(rawp, 0, BLOCK);
			memcpy(rawp, content, n);
			whole = BLOCK;
		} else {
			memcpy(rawp, content, whole);
		}
		content = rawp;
		n = whole;
	}
	uint8_t *body = malloc(n + OVERHEAD);
	if (!body)
		td_fuzz_fail("out of memory");
	size_t len;
	if (sealed) {
		len = seal12(&k, s, type, seq, content, n, raw_cbc, body);
		if (version <= 0x0301 && cbc) {
			/* seal12 chained the IV as the sender does; the receiver's
			 * state still has the IV this record was sealed with. */
			struct td_tls12_keys k0;
			if (td_tls12_keys_init(&k0, version, suite, master, TD_TLS12_MASTER_LEN,
					       td_fd_client_random, td_fd_server_random, etm,
					       (master[0] & 1) ? TD_TLS12_SERVER_WRITE
							       : TD_TLS12_CLIENT_WRITE) != TD_OK)
				td_fuzz_fail("td_tls12_keys_init failed the second time");
			memcpy(k.iv, k0.iv, sizeof k.iv);
			td_tls12_keys_cleanup(&k0);
		}
	} else {
		len = n;
		memcpy(body, content, n);
	}
	if (match) {
		header[0] = type;
		header[1] = (uint8_t)(version >> 8);
		header[2] = (uint8_t)version;
		header[3] = (uint8_t)(len >> 8);
		header[4] = (uint8_t)len;
	}
	size_t need = len;   /* always enough (the header says so) */
	if (sealed) {
		size_t ivlen = cbc && version >= 0x0302 ? BLOCK : 0;
		need = cbc ? len - ivlen - (etm ? k.mac_len : 0)
			   : len - s->explicit_nonce_len - s->tag_len;
	}
	size_t cap = short_out && need ? need - 1 : need;
	uint8_t *out = calloc(cap ? cap : 1, 1);
	if (!out)
		td_fuzz_fail("out of memory");
	struct td_tls12_keys before;
	memcpy(&before, &k, sizeof before);
	size_t outlen = cap;
	rc = td_tls12_decrypt(&k, header, body, len, out, &outlen);

	if (!sealed && rc == TD_OK)
		td_fuzz_fail("an unsealed record authenticated");
	if (rc == TD_OK && (outlen > cap || k.seq != seq + 1))
		td_fuzz_fail("decrypt: outlen %zu of %zu, seq %llu", outlen, cap,
			     (unsigned long long)k.seq);
	if (rc != TD_OK) {
		if (outlen != 0 || memcmp(&before, &k, sizeof k) != 0)
			td_fuzz_fail("failed decrypt (%s) changed outlen or the state",
				     td_result_str(rc));
		for (size_t i = 0; i < cap; i++)
			if (out[i])
				td_fuzz_fail("failed decrypt (%s) left plaintext in out",
					     td_result_str(rc));
	}
	if (sealed && match && !short_out && len <= TD_TLS12_CIPHERTEXT_MAX) {
		if (raw_cbc && !etm) {
			if (rc == TD_OK)
				td_fuzz_fail("MAC-then-encrypt record without a MAC opened");
		} else if (raw_cbc) {
			/* The MAC is right: the padding alone decides. */
			size_t pad = content[n - 1];
			bool ok = pad + 1 <= n;
			for (size_t i = 0; ok && i <= pad; i++)
				ok = content[n - 1 - i] == pad;
			if (ok != (rc == TD_OK) || (ok && (outlen != n - pad - 1 ||
							   memcmp(out, content, outlen) != 0)))
				td_fuzz_fail("encrypt_then_mac, padding %zu %s: %s, outlen %zu", pad,
					     ok ? "valid" : "invalid", td_result_str(rc), outlen);
		} else {
			if (rc != TD_OK || outlen != n || (n && memcmp(out, content, n) != 0))
				td_fuzz_fail("sealed %04x/%04x record (%zu bytes%s): %s, outlen %zu",
					     version, suite, n, etm ? ", EtM" : "",
					     td_result_str(rc), outlen);
			if (version <= 0x0301 && cbc &&
			    memcmp(k.iv, body + len - (etm ? k.mac_len : 0) - BLOCK, BLOCK) != 0)
				td_fuzz_fail("TLS 1.0/SSL 3.0: the IV is not chained to the last block");
		}
	}
	td_tls12_keys_cleanup(&k);
	td_tls12_keys_cleanup(&before);
	free(body);
	free(out);
}

/* ---- a connection through the engine ----------------------------------- */

static void client_hello12(struct td_fd_wr *w, uint16_t version, uint16_t suite)
{
	static const char sni[] = "tls-server.local";
	w->n = 0;
	td_fd_put8(w, 22); td_fd_put16(w, 0x0301); td_fd_put16(w, 0);
	td_fd_put8(w, 1); td_fd_put8(w, 0); td_fd_put16(w, 0);
	td_fd_put16(w, version);
	td_fd_putn(w, td_fd_client_random, sizeof td_fd_client_random);
	td_fd_put8(w, 0);                                                 /* no session id */
	td_fd_put16(w, 6); td_fd_put16(w, suite); td_fd_put16(w, 0xc02f); td_fd_put16(w, 0x00ff);
	td_fd_put8(w, 1); td_fd_put8(w, 0);
	size_t ext = w->n;
	td_fd_put16(w, 0);
	td_fd_put16(w, 0); td_fd_put16(w, sizeof sni + 4); td_fd_put16(w, sizeof sni + 2);
	td_fd_put8(w, 0); td_fd_put16(w, sizeof sni - 1);
	td_fd_putn(w, (const uint8_t *)sni, sizeof sni - 1);
	td_fd_put16(w, 10); td_fd_put16(w, 4); td_fd_put16(w, 2); td_fd_put16(w, 0x0017);
	td_fd_put16(w, 11); td_fd_put16(w, 2); td_fd_put8(w, 1); td_fd_put8(w, 0);
	td_fd_put16(w, 13); td_fd_put16(w, 6); td_fd_put16(w, 4);
	td_fd_put16(w, 0x0804); td_fd_put16(w, 0x0401);
	td_fd_put16(w, 16); td_fd_put16(w, 14); td_fd_put16(w, 12);
	td_fd_put8(w, 2); td_fd_putn(w, (const uint8_t *)"h2", 2);
	td_fd_put8(w, 8); td_fd_putn(w, (const uint8_t *)"http/1.1", 8);
	td_fd_put16(w, 22); td_fd_put16(w, 0);                            /* encrypt_then_mac */
	td_fd_put16(w, 23); td_fd_put16(w, 0);                            /* extended_master_secret */
	td_fd_put16(w, 35); td_fd_put16(w, 0);                            /* session_ticket */
	td_fd_put16(w, 0xff01); td_fd_put16(w, 1); td_fd_put8(w, 0);      /* renegotiation_info */
	td_fd_patch(w, ext, 2);
	td_fd_patch(w, 6, 3);
	td_fd_patch(w, 3, 2);
}

static void server_hello12(struct td_fd_wr *w, uint16_t version, uint16_t suite, bool etm,
			   bool alpn)
{
	w->n = 0;
	td_fd_put8(w, 22); td_fd_put16(w, version); td_fd_put16(w, 0);
	td_fd_put8(w, 2); td_fd_put8(w, 0); td_fd_put16(w, 0);
	td_fd_put16(w, version);
	td_fd_putn(w, td_fd_server_random, sizeof td_fd_server_random);
	td_fd_put8(w, 32);
	for (unsigned i = 0; i < 32; i++)
		td_fd_put8(w, 0xa0 + i);
	td_fd_put16(w, suite);
	td_fd_put8(w, 0);
	size_t ext = w->n;
	td_fd_put16(w, 0);
	td_fd_put16(w, 0xff01); td_fd_put16(w, 1); td_fd_put8(w, 0);
	td_fd_put16(w, 23); td_fd_put16(w, 0);
	if (etm) {
		td_fd_put16(w, 22);
		td_fd_put16(w, 0);
	}
	if (alpn) {
		td_fd_put16(w, 16); td_fd_put16(w, 5); td_fd_put16(w, 3);
		td_fd_put8(w, 2); td_fd_putn(w, (const uint8_t *)"h2", 2);
	}
	td_fd_patch(w, ext, 2);
	td_fd_patch(w, 6, 3);
	td_fd_patch(w, 3, 2);
}

void td_fd_connection12(uint8_t mode, struct td_reader *r)
{
	uint8_t opts = td_rd_u8(r);
	if (!td_rd_ok(r))
		return;
	uint16_t suite = suites[((mode >> 2) & 15) % 12];
	uint16_t version = version_of(mode);
	const struct td_tls12_suite *s = td_tls12_suite_find(suite);
	if (!s)
		td_fuzz_fail("suite %04x unknown", suite);
	bool etm = (opts & 1) && s->cipher == TD_TLS12_AES_CBC;
	uint8_t master[TD_TLS12_MASTER_LEN];
	td_fd_secret(TD_KEYLOG_CLIENT_RANDOM, sizeof master, master);
	struct td_tls12_keys keys[2];
	bool usable = true;
	for (int d = 0; d < 2; d++)
		usable &= td_tls12_keys_init(&keys[d], version, suite, master, sizeof master,
					     td_fd_client_random, td_fd_server_random, etm,
					     d ? TD_TLS12_SERVER_WRITE : TD_TLS12_CLIENT_WRITE) == TD_OK;
	uint64_t seq[2] = { 0, 0 };
	bool ccs_sent[2] = { false, false };

	struct td_fd_run run;
	td_fd_run_start(&run, opts, false);
	struct td_conv *cv = run.cv;
	struct td_fd_wr w;
	client_hello12(&w, version, suite);
	td_conv_send(cv, 0, w.b, w.n, false);
	server_hello12(&w, version, suite, etm, opts & 2);
	td_conv_send(cv, 1, w.b, w.n, false);

	static uint8_t rec[5 + PLAIN_MAX + OVERHEAD];
	while (td_rd_left(r) > 0) {
		uint8_t hdr = td_rd_u8(r);
		int d = (hdr & 0x80) ? 1 : 0;
		bool enc = hdr & 0x40, raw = hdr & 0x20, dup = hdr & 0x10;
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
		size_t len;
		if (enc && usable) {
			if (!ccs_sent[d]) {
				const uint8_t ccs[6] = { 20, (uint8_t)(version >> 8), (uint8_t)version,
							 0, 1, 1 };
				td_conv_send(cv, d, ccs, sizeof ccs, false);
				ccs_sent[d] = true;
			}
			len = seal12(&keys[d], s, type, seq[d]++, p, n, false, rec + 5);
		} else {
			if (n)
				memcpy(rec + 5, p, n);
			len = n;
		}
		rec[0] = type;
		rec[1] = (uint8_t)(version >> 8);
		rec[2] = (uint8_t)version;
		rec[3] = (uint8_t)(len >> 8);
		rec[4] = (uint8_t)len;
		td_conv_send(cv, d, rec, 5 + len, dup);
	}
	td_fd_run_stop(&run);
	td_tls12_keys_cleanup(&keys[0]);
	td_tls12_keys_cleanup(&keys[1]);
}
