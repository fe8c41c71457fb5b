/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_quic_keys.c - QUIC keys from a key log's TLS 1.3 secrets and the
 * Handshake and 1-RTT levels (quic.h, quic_in.c).
 *
 * Vectors: RFC 9001 A.5 (a 1-RTT packet protected with
 * ChaCha20-Poly1305: the secret, key, IV, hp, the "quic ku" secret and
 * the protected packet, whose payload is one PING).  Captures:
 * captures/quic-*.pcap with their key logs (make-quic-captures.sh; the
 * facts are tshark's, captures/expected/quic-*.quic).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture.h"
#include "conn.h"
#include "engine.h"
#include "keylog.h"
#include "quic.h"
#include "sink.h"
#include "tests.h"

/* RFC 9001 A.5. */
#define A5_SECRET "9ac312a7f877468ebe69422748ad00a15443f18203a07d6060f688f30f21632b"
#define A5_KEY "c6d98ff3441c3fe1b2182094f69caa2ed4b716b65488960a7a984979fb23e1c8"
#define A5_IV "e0459b3474bdd0e44a41c144"
#define A5_HP "25a282b9e82f06f21f488917a4fc8f1b73573685608597d0efcb076b0ab7a7a4"
#define A5_KU "1223504755036d556342ee9361d253421a826c9ecdf3c7148684b36b714881f9"
#define A5_PACKET "4cfe4189655e5cd55c41f69080575d7999c25a5bfb"
#define A5_PN 654360564u

static void check_hex(const uint8_t *got, size_t n, const char *hex)
{
	uint8_t want[64];
	size_t wn = td_test_unhex(hex, want, sizeof want);
	CU_ASSERT_EQUAL(wn, n);
	CU_ASSERT_EQUAL(memcmp(got, want, n), 0);
}

static void a5_keys(struct td_quic_keys *k)
{
	uint8_t secret[32];
	td_test_unhex(A5_SECRET, secret, sizeof secret);
	CU_ASSERT_EQUAL_FATAL(td_quic_keys_from_secret(TD_QUIC_V1, 0x1303, secret, 32, k), TD_OK);
}

static void test_keys_a5(void)
{
	struct td_quic_keys k, next;
	a5_keys(&k);
	CU_ASSERT_TRUE(k.set);
	CU_ASSERT_EQUAL(k.aead, TD_AEAD_CHACHA20_POLY1305);
	CU_ASSERT_EQUAL(k.key_len, 32);
	check_hex(k.key, 32, A5_KEY);
	check_hex(k.iv, 12, A5_IV);
	check_hex(k.hp, 32, A5_HP);
	/* RFC 9001 A.5: "quic ku" gives the next secret; hp stays (6.1). */
	CU_ASSERT_EQUAL_FATAL(td_quic_keys_next(&k, &next), TD_OK);
	check_hex(next.secret, 32, A5_KU);
	check_hex(next.hp, 32, A5_HP);
	CU_ASSERT_NOT_EQUAL(memcmp(next.key, k.key, 32), 0);
	td_quic_keys_cleanup(&next);

	/* Wrong lengths and suites. */
	uint8_t secret[48] = { 0 };
	CU_ASSERT_EQUAL(td_quic_keys_from_secret(TD_QUIC_V1, 0x1301, secret, 48, &next),
			TD_ERR_USAGE);
	CU_ASSERT_EQUAL(td_quic_keys_from_secret(TD_QUIC_V1, 0x1305, secret, 32, &next),
			TD_ERR_UNSUPPORTED);  /* CCM_8: not in QUIC */
	CU_ASSERT_EQUAL(td_quic_keys_from_secret(TD_QUIC_V1, 0xc02f, secret, 32, &next),
			TD_ERR_UNSUPPORTED);
	CU_ASSERT_EQUAL_FATAL(td_quic_keys_from_secret(TD_QUIC_V1, 0x1302, secret, 48, &next),
			      TD_OK);
	CU_ASSERT_EQUAL(next.key_len, 32);
	CU_ASSERT_EQUAL(next.aead, TD_AEAD_AES_GCM);
	/* v2's labels give other keys (RFC 9369 3.3.2). */
	struct td_quic_keys v2;
	CU_ASSERT_EQUAL_FATAL(td_quic_keys_from_secret(TD_QUIC_V2, 0x1302, secret, 48, &v2), TD_OK);
	CU_ASSERT_NOT_EQUAL(memcmp(v2.key, next.key, 32), 0);
	CU_ASSERT_NOT_EQUAL(memcmp(v2.hp, next.hp, 32), 0);
	/* Initial keys (no secret kept) have no next keys. */
	struct td_quic_cid dcid = { .len = 8 };
	struct td_quic_keys ic, is;
	CU_ASSERT_EQUAL_FATAL(td_quic_initial_keys(TD_QUIC_V1, &dcid, &ic, &is), TD_OK);
	CU_ASSERT_EQUAL(td_quic_keys_next(&ic, &next), TD_ERR_USAGE);
	td_quic_keys_cleanup(&k);
	td_quic_keys_cleanup(&next);
	td_quic_keys_cleanup(&v2);
	td_quic_keys_cleanup(&ic);
	td_quic_keys_cleanup(&is);
}

static void test_short_a5(void)
{
	struct td_quic_keys k, other;
	a5_keys(&k);
	CU_ASSERT_EQUAL_FATAL(td_quic_keys_next(&k, &other), TD_OK);
	uint8_t pkt[32], out[32];
	size_t n = td_test_unhex(A5_PACKET, pkt, sizeof pkt);
	CU_ASSERT_EQUAL_FATAL(n, 21);
	size_t len = 0;
	uint64_t pn = 0;
	unsigned phase = 9;
	/* A.5's header is 4200bff4: no DCID, a 3-byte packet number, key
	 * phase 0; the packet number decodes from the one before it. */
	const struct td_quic_keys *const phases[2] = { &k, &other };
	CU_ASSERT_EQUAL_FATAL(td_quic_unprotect_short(phases, pkt, n, 0, A5_PN - 1, out, &len, &pn,
						      &phase), TD_OK);
	CU_ASSERT_EQUAL(len, 1);
	CU_ASSERT_EQUAL(out[0], 0x01);  /* PING */
	CU_ASSERT_EQUAL(pn, A5_PN);
	CU_ASSERT_EQUAL(phase, 0);
	/* Phase 0's slot holding other keys: it does not authenticate, but
	 * the phase bit is read (the header protection key is the same). */
	const struct td_quic_keys *const swapped[2] = { &other, &k };
	CU_ASSERT_EQUAL(td_quic_unprotect_short(swapped, pkt, n, 0, A5_PN - 1, out, &len, &pn,
						&phase), TD_ERR_MALFORMED);
	CU_ASSERT_EQUAL(phase, 0);
	/* A long header, or too short for the sample. */
	uint8_t lh[21];
	memcpy(lh, pkt, sizeof lh);
	lh[0] |= 0x80u;
	CU_ASSERT_EQUAL(td_quic_unprotect_short(phases, lh, n, 0, A5_PN - 1, out, &len, &pn,
						&phase), TD_ERR_USAGE);
	CU_ASSERT_EQUAL(td_quic_unprotect_short(phases, pkt, n, 4, A5_PN - 1, out, &len, &pn,
						&phase), TD_ERR_MALFORMED);
	for (size_t i = 1; i < n; i++) {
		enum td_result r = td_quic_unprotect_short(phases, pkt, i, 0, A5_PN - 1, out, &len,
							   &pn, &phase);
		CU_ASSERT(r == TD_ERR_MALFORMED);
	}
	td_quic_keys_cleanup(&k);
	td_quic_keys_cleanup(&other);
}

static void test_frames_1rtt(void)
{
	/* STREAM (0x0e: offset and length), MAX_DATA, NEW_CONNECTION_ID,
	 * HANDSHAKE_DONE, then CONNECTION_CLOSE 0x1d: all read to the close. */
	static const uint8_t f[] = {
		0x0e, 0x00, 0x05, 0x02, 'h', 'i',
		0x10, 0x44, 0x00,
		0x18, 0x01, 0x00, 0x02, 0xaa, 0xbb,
		1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
		0x1e,
		0x1d, 0x41, 0x00, 0x00,
	};
	struct td_quic_frame_info info;
	CU_ASSERT_EQUAL(td_quic_frames(f, sizeof f, NULL, &info), TD_OK);
	CU_ASSERT_TRUE(info.handshake_done);
	CU_ASSERT_EQUAL(info.frames, 5);
	for (size_t i = 0; i < sizeof f; i++) {
		enum td_result r = td_quic_frames(f, i, NULL, &info);
		CU_ASSERT(r == TD_OK || r == TD_ERR_MALFORMED);
	}
	/* A STREAM frame without a length runs to the end. */
	static const uint8_t s[] = { 0x08, 0x04, 'a', 'b', 0x1d, 0x00, 0x00 };
	CU_ASSERT_EQUAL(td_quic_frames(s, sizeof s, NULL, &info), TD_OK);
	CU_ASSERT_EQUAL(info.frames, 1);
}

/* ---- the engine over the captures -------------------------------------- */

struct keep_sink {
	struct td_sink base;
	struct td_conn *c;
};

static void keep_done(struct td_sink *s, const struct td_conn *c)
{
	struct keep_sink *k = (struct keep_sink *)s;
	if (!k->c)
		k->c = td_conn_clone(c);
}

static void keep_free(struct td_sink *s)
{
	struct keep_sink *k = (struct keep_sink *)s;
	td_conn_free(k->c);
	k->c = NULL;
}

static void feed(void *ctx, enum td_link link, uint64_t ts_us, const uint8_t *data,
		 size_t caplen, size_t wirelen)
{
	td_engine_frame(ctx, link, ts_us, data, caplen, wirelen);
}

/* captures/NAME.pcap through the engine with the key log kl (or none);
 * the first connection in out->c. */
static void run(const char *name, struct td_keylog *kl, struct keep_sink *out)
{
	char pcap[4200], err[256] = "";
	snprintf(pcap, sizeof pcap, "%s/../../../captures/%s.pcap", td_test_datadir(), name);
	memset(out, 0, sizeof *out);
	out->base.conn_done = keep_done;
	out->base.free = keep_free;
	struct td_config cfg;
	td_config_defaults(&cfg);
	cfg.keylog = kl;
	struct td_engine *e = td_engine_new(&cfg, &out->base);
	CU_ASSERT_PTR_NOT_NULL_FATAL(e);
	struct td_capture *cap = NULL;
	CU_ASSERT_EQUAL_FATAL(td_capture_open_file(&cap, pcap, err, sizeof err), TD_OK);
	CU_ASSERT_EQUAL(td_capture_run(cap, feed, e, err, sizeof err), TD_OK);
	td_capture_close(cap);
	td_engine_finish(e);
	td_engine_free(e);
}

static struct td_keylog *load(const char *name)
{
	char path[4200], err[256] = "";
	snprintf(path, sizeof path, "%s/../../../captures/%s.keylog", td_test_datadir(), name);
	struct td_keylog *kl = td_keylog_new();
	CU_ASSERT_PTR_NOT_NULL_FATAL(kl);
	CU_ASSERT_EQUAL_FATAL(td_keylog_load_file(kl, path, err, sizeof err), TD_OK);
	return kl;
}

static bool has_anomaly(const struct td_conn *c, enum td_anomaly_code code)
{
	for (size_t i = 0; i < c->anomalies.n; i++)
		if (c->anomalies.v[i].code == code)
			return true;
	return false;
}

/* The client's fatal alert from a CONNECTION_CLOSE in a Handshake packet. */
static const struct td_event *alert_event(const struct td_conn *c)
{
	for (size_t i = 0; i < c->n_events; i++)
		if (c->events[i].kind == TD_EV_ALERT)
			return &c->events[i];
	return NULL;
}

static void test_handshake_untrusted(void)
{
	struct keep_sink out;
	struct td_keylog *kl = load("quic-chromium-server-untrusted");
	run("quic-chromium-server-untrusted", kl, &out);
	td_keylog_free(kl);
	const struct td_conn *c = out.c;
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_TRUE(c->quic.present);
	CU_ASSERT_TRUE(c->decrypted);
	/* tshark: the lab's three certificates, ALPN h3, the client's
	 * crypto_error 0x12e (certificate_unknown) in a Handshake packet. */
	CU_ASSERT_TRUE(c->server_chain.present);
	CU_ASSERT_TRUE(c->server_chain.encrypted);
	CU_ASSERT_EQUAL(c->server_chain.n, 3);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c->sh.alpn);
	CU_ASSERT_STRING_EQUAL(c->sh.alpn, "h3");
	CU_ASSERT_TRUE(c->finished[TD_DIR_S2C]);
	const struct td_event *a = alert_event(c);
	CU_ASSERT_PTR_NOT_NULL(a);
	if (a) {
		CU_ASSERT_EQUAL(a->dir, TD_DIR_C2S);
		CU_ASSERT_EQUAL(a->alert_level, 2);
		CU_ASSERT_EQUAL(a->alert_desc, 46);
		CU_ASSERT_TRUE(a->decrypted);
	}
	CU_ASSERT_EQUAL(c->quic.close.in, TD_QP_HANDSHAKE);
	CU_ASSERT_EQUAL(c->quic.close.error, 0x12e);
	CU_ASSERT_FALSE(has_anomaly(c, TD_AN_KEYLOG_MISMATCH));
	keep_free(&out.base);

	/* Without the key log: no chain, no alert, packets only counted. */
	run("quic-chromium-server-untrusted", NULL, &out);
	CU_ASSERT_PTR_NOT_NULL_FATAL(out.c);
	CU_ASSERT_FALSE(out.c->server_chain.present);
	CU_ASSERT_FALSE(out.c->decrypted);
	CU_ASSERT_PTR_NULL(alert_event(out.c));
	CU_ASSERT(out.c->quic.packets[TD_DIR_S2C][TD_QP_HANDSHAKE] > 0);
	keep_free(&out.base);

	/* Another connection's key log: nothing opens, nothing is said. */
	kl = load("quic-ok");
	run("quic-chromium-server-untrusted", kl, &out);
	td_keylog_free(kl);
	CU_ASSERT_PTR_NOT_NULL_FATAL(out.c);
	CU_ASSERT_FALSE(out.c->server_chain.present);
	CU_ASSERT_FALSE(out.c->decrypted);
	CU_ASSERT_FALSE(has_anomaly(out.c, TD_AN_KEYLOG_MISMATCH));
	keep_free(&out.base);
}

/* Secrets of the right client random that are not this connection's:
 * the mismatch is said, as over TCP, and nothing is decoded. */
static void test_handshake_wrong_secrets(void)
{
	char path[4200], line[600], text[2048] = "";
	snprintf(path, sizeof path, "%s/../../../captures/quic-chromium-server-untrusted.keylog",
		 td_test_datadir());
	FILE *f = fopen(path, "r");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	char random[65] = "";
	while (fgets(line, sizeof line, f))
		if (sscanf(line, "SERVER_HANDSHAKE_TRAFFIC_SECRET %64s", random) == 1)
			break;
	fclose(f);
	CU_ASSERT_EQUAL_FATAL(strlen(random), 64);
	static const char *const labels[] = { "CLIENT_HANDSHAKE_TRAFFIC_SECRET",
					      "SERVER_HANDSHAKE_TRAFFIC_SECRET" };
	for (size_t i = 0; i < 2; i++) {
		size_t at = strlen(text);
		snprintf(text + at, sizeof text - at, "%s %s %064d\n", labels[i], random, 7);
	}
	struct td_keylog *kl = td_keylog_new();
	CU_ASSERT_PTR_NOT_NULL_FATAL(kl);
	CU_ASSERT_EQUAL_FATAL(td_keylog_add_text(kl, text, strlen(text)), TD_OK);
	CU_ASSERT_EQUAL(td_keylog_count(kl), 2);
	struct keep_sink out;
	run("quic-chromium-server-untrusted", kl, &out);
	td_keylog_free(kl);
	CU_ASSERT_PTR_NOT_NULL_FATAL(out.c);
	CU_ASSERT_FALSE(out.c->server_chain.present);
	CU_ASSERT_TRUE(has_anomaly(out.c, TD_AN_KEYLOG_MISMATCH));
	keep_free(&out.base);
}

static void test_handshake_client_cert(void)
{
	struct keep_sink out;
	struct td_keylog *kl = load("quic-client-cert");
	run("quic-client-cert", kl, &out);
	td_keylog_free(kl);
	const struct td_conn *c = out.c;
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	/* tshark: a CertificateRequest, the client's one certificate
	 * (lab/client.crt), its CertificateVerify and Finished, and the
	 * client's application close 0x100 in a 1-RTT packet. */
	CU_ASSERT_TRUE(c->cr.present);
	CU_ASSERT_TRUE(c->client_chain.present);
	CU_ASSERT_EQUAL(c->client_chain.n, 1);
	CU_ASSERT_EQUAL(c->server_chain.n, 3);
	CU_ASSERT_TRUE(c->client_cert_verify);
	CU_ASSERT_TRUE(c->finished[TD_DIR_C2S]);
	CU_ASSERT_TRUE(c->quic.close.seen);
	CU_ASSERT_EQUAL(c->quic.close.in, TD_QP_1RTT);
	CU_ASSERT_TRUE(c->quic.close.app);
	CU_ASSERT_EQUAL(c->quic.close.error, 0x100);
	CU_ASSERT_EQUAL(c->new_session_tickets, 1);
	keep_free(&out.base);
}

/* ChaCha20-Poly1305 and AES-256-GCM (SHA-384) suites open too; after a
 * Retry as well.  tshark: one NewSessionTicket in each (quic-retry's in
 * a 638-byte 1-RTT packet after three 1414-byte ones: read, since the
 * handshake was not confirmed yet). */
static void test_handshake_suites(void)
{
	static const char *const names[] = { "quic-chacha20", "quic-aes256", "quic-retry" };
	for (size_t i = 0; i < 3; i++) {
		struct keep_sink out;
		struct td_keylog *kl = load(names[i]);
		run(names[i], kl, &out);
		td_keylog_free(kl);
		CU_ASSERT_PTR_NOT_NULL_FATAL(out.c);
		CU_ASSERT_EQUAL(out.c->server_chain.n, 3);
		CU_ASSERT_TRUE(out.c->finished[TD_DIR_C2S]);
		CU_ASSERT_TRUE(out.c->quic.close.seen);
		CU_ASSERT_EQUAL(out.c->quic.close.in, TD_QP_1RTT);
		CU_ASSERT_EQUAL(out.c->new_session_tickets, 1);
		keep_free(&out.base);
	}
}

/* quic-key-update.pcap (gtlsclient --key-update): tshark shows key
 * phase 1 on the client's request, the server's answer and the client's
 * CONNECTION_CLOSE (application 0x100), the last packet: read only with
 * the keys derived by the update ("quic ku", RFC 9001 6), which the key
 * log does not hold. */
static void test_key_update(void)
{
	struct keep_sink out;
	struct td_keylog *kl = load("quic-key-update");
	run("quic-key-update", kl, &out);
	td_keylog_free(kl);
	const struct td_conn *c = out.c;
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_TRUE(c->quic.close.seen);
	CU_ASSERT_EQUAL(c->quic.close.dir, TD_DIR_C2S);
	CU_ASSERT_EQUAL(c->quic.close.in, TD_QP_1RTT);
	CU_ASSERT_TRUE(c->quic.close.app);
	CU_ASSERT_EQUAL(c->quic.close.error, 0x100);
	CU_ASSERT_FALSE(has_anomaly(c, TD_AN_KEYLOG_MISMATCH));
	keep_free(&out.base);
}

/* quic-ok.pcap with one more datagram: a copy of frame 10 (the
 * client's last, an 82-byte frame holding one 1-RTT packet; tshark)
 * whose first byte is 0, as a 1-RTT packet's is one time in 32 when its
 * fixed bit is greased (RFC 9287; ngtcp2) and header protection masks
 * its five low bits to 0 (a trial key-update capture lost its client's
 * CONNECTION_CLOSE so).  A datagram never begins with padding: it is a
 * 1-RTT packet, counted (it does not open: its first byte changed). */
struct zero_feed {
	struct td_engine *e;
	unsigned frame;
};

static void feed_zero(void *ctx, enum td_link link, uint64_t ts_us, const uint8_t *data,
		      size_t caplen, size_t wirelen)
{
	struct zero_feed *z = ctx;
	/* Ethernet (14), IPv4 without options (20), UDP (8). */
	enum { UDP_PAYLOAD = 42 };
	if (++z->frame == 10 && caplen == 82) {
		uint8_t copy[82];
		memcpy(copy, data, caplen);
		copy[UDP_PAYLOAD] = 0;
		td_engine_frame(z->e, link, ts_us, copy, caplen, wirelen);
	}
	td_engine_frame(z->e, link, ts_us, data, caplen, wirelen);
}

static void test_greased_first_packet(void)
{
	char pcap[4200], err[256] = "";
	snprintf(pcap, sizeof pcap, "%s/../../../captures/quic-ok.pcap", td_test_datadir());
	struct keep_sink out;
	memset(&out, 0, sizeof out);
	out.base.conn_done = keep_done;
	out.base.free = keep_free;
	struct td_config cfg;
	td_config_defaults(&cfg);
	struct zero_feed z = { td_engine_new(&cfg, &out.base), 0 };
	CU_ASSERT_PTR_NOT_NULL_FATAL(z.e);
	struct td_capture *cap = NULL;
	CU_ASSERT_EQUAL_FATAL(td_capture_open_file(&cap, pcap, err, sizeof err), TD_OK);
	CU_ASSERT_EQUAL(td_capture_run(cap, feed_zero, &z, err, sizeof err), TD_OK);
	td_capture_close(cap);
	td_engine_finish(z.e);
	td_engine_free(z.e);
	CU_ASSERT_EQUAL(z.frame, 10);
	CU_ASSERT_PTR_NOT_NULL_FATAL(out.c);
	/* tshark: the client's 1-RTT packets are in frames 5, 9 and 10. */
	CU_ASSERT_EQUAL(out.c->quic.packets[TD_DIR_C2S][TD_QP_1RTT], 4);
	keep_free(&out.base);
}

void td_suite_quic_keys(void)
{
	CU_pSuite s = td_test_suite("quic_keys");
	td_test_add(s, "keys_a5", test_keys_a5);
	td_test_add(s, "short_a5", test_short_a5);
	td_test_add(s, "frames_1rtt", test_frames_1rtt);
	td_test_add(s, "handshake_untrusted", test_handshake_untrusted);
	td_test_add(s, "handshake_wrong_secrets", test_handshake_wrong_secrets);
	td_test_add(s, "handshake_client_cert", test_handshake_client_cert);
	td_test_add(s, "handshake_suites", test_handshake_suites);
	td_test_add(s, "greased_first_packet", test_greased_first_packet);
	td_test_add(s, "key_update", test_key_update);
}
