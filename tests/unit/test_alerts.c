/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_alerts.c - issue 15 points 7 and 9: alerts anywhere in a long
 * connection with a key log (sequence numbers advanced over records
 * passed over, TLS 1.3 KeyUpdate), and a ClientHello that never
 * completes still reported.
 *
 * Vectors:
 *  - KeyUpdate (RFC 8446 7.2): application_traffic_secret_N+1 =
 *    HKDF-Expand-Label(secret_N, "traffic upd", "", Hash.length) and its
 *    key and IV, for the secret 00 01 .. 1f (SHA-256) and 00 .. 2f
 *    (SHA-384), computed independently with Python's hmac/hashlib.
 *  - Captures (captures/make-long-captures.sh, real OpenSSL traffic on
 *    loopback; the facts are tshark's, captures/expected/NAME.tshark):
 *    tls13-keyupdate (the client's KeyUpdate after its 8th data record,
 *    then its close_notify under the next secret), tls13-long-close-notify
 *    and tls12-long-close-notify (a server's close_notify after 10+ data
 *    records; AES-GCM in TLS 1.3, AES-CBC with a record IV in TLS 1.2),
 *    clienthello-truncated (the first 1000 bytes of a 16170-byte
 *    ClientHello).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture.h"
#include "conn.h"
#include "engine.h"
#include "frames.h"
#include "keylog.h"
#include "sink.h"
#include "tests.h"
#include "tls_crypto.h"
#include "tls_names.h"

/* ---- TLS 1.3 KeyUpdate: the next traffic secret ------------------------ */

static void test_key_update_vectors(void)
{
	uint8_t secret[48], want[48];
	for (size_t i = 0; i < sizeof secret; i++)
		secret[i] = (uint8_t)i;
	struct td_tls13_keys k;
	CU_ASSERT_EQUAL_FATAL(td_tls13_keys_init(&k, 0x1301, secret, 32), TD_OK);
	k.seq = 7;
	CU_ASSERT_EQUAL_FATAL(td_tls13_keys_update(&k), TD_OK);
	td_test_unhex("2cecd0a17506ef5fa73edc062d6e7b5397cf074ec1b4d8f99a120772932f0b45", want, 32);
	CU_ASSERT_EQUAL(memcmp(k.secret, want, 32), 0);
	td_test_unhex("05cdc7251fb9f925889f80ebc1fd385f", want, 16);
	CU_ASSERT_EQUAL(memcmp(k.key, want, 16), 0);
	td_test_unhex("4ef68fed17d39b5f23bb4b30", want, 12);
	CU_ASSERT_EQUAL(memcmp(k.iv, want, 12), 0);
	CU_ASSERT_EQUAL(k.seq, 0);          /* a new secret starts at 0 */
	CU_ASSERT_EQUAL(k.generation, 1);
	CU_ASSERT_EQUAL(k.suite, 0x1301);
	/* And the one after: from the updated secret, not the first. */
	CU_ASSERT_EQUAL_FATAL(td_tls13_keys_update(&k), TD_OK);
	td_test_unhex("2d3fb1fe267c2e0126351cc169afb7ca25c0d8867167c55c5533e3715558a6b9", want, 32);
	CU_ASSERT_EQUAL(memcmp(k.secret, want, 32), 0);
	CU_ASSERT_EQUAL(k.generation, 2);
	td_tls13_keys_cleanup(&k);

	/* SHA-384: a 48-byte secret, a 32-byte key. */
	CU_ASSERT_EQUAL_FATAL(td_tls13_keys_init(&k, 0x1302, secret, 48), TD_OK);
	CU_ASSERT_EQUAL_FATAL(td_tls13_keys_update(&k), TD_OK);
	td_test_unhex("401331b63e9d59f202e8f041042d9516f4cd7fa2e2ee14631d3b49fc340d7af3"
		      "7fc2c0c9f252d8036f81ec5b85cbe5db", want, 48);
	CU_ASSERT_EQUAL(memcmp(k.secret, want, 48), 0);
	td_test_unhex("eb354f3b48924ed78de34dd8aa6a6a0a51d857ddad1454d5cfa7b69f60712911", want, 32);
	CU_ASSERT_EQUAL(memcmp(k.key, want, 32), 0);
	td_tls13_keys_cleanup(&k);

	/* No keys: nothing to update. */
	memset(&k, 0, sizeof k);
	CU_ASSERT_EQUAL(td_tls13_keys_update(&k), TD_ERR_USAGE);
}

static void test_tls13_skip(void)
{
	uint8_t secret[32] = { 1 };
	struct td_tls13_keys k;
	CU_ASSERT_EQUAL_FATAL(td_tls13_keys_init(&k, 0x1303, secret, 32), TD_OK);
	for (int i = 0; i < 5; i++)
		td_tls13_keys_skip(&k);
	CU_ASSERT_EQUAL(k.seq, 5);
	td_tls13_keys_cleanup(&k);
}

/* The secret of `label` in captures/NAME.keylog (hex after the client
 * random), into out; its length, 0 if missing. */
static size_t keylog_secret(const char *name, const char *label, uint8_t *out, size_t max)
{
	char path[4200], line[600];
	snprintf(path, sizeof path, "%s/../../../captures/%s.keylog", td_test_datadir(), name);
	FILE *f = fopen(path, "r");
	if (!f)
		return 0;
	size_t n = 0, ll = strlen(label);
	while (n == 0 && fgets(line, sizeof line, f)) {
		if (strncmp(line, label, ll) != 0 || line[ll] != ' ' || strlen(line) < ll + 66)
			continue;
		char *hex = line + ll + 1 + 64 + 1;
		hex[strcspn(hex, "\r\n")] = 0;
		n = td_test_unhex(hex, out, max);
	}
	fclose(f);
	return n;
}

/* OpenSSL logs the client's secret after its KeyUpdate in
 * tls13-keyupdate.keylog (CLIENT_TRAFFIC_SECRET_N): the update of
 * CLIENT_TRAFFIC_SECRET_0 must be that secret. */
static void test_key_update_openssl(void)
{
	uint8_t s0[48], sn[48];
	size_t n0 = keylog_secret("tls13-keyupdate", "CLIENT_TRAFFIC_SECRET_0", s0, sizeof s0);
	size_t nn = keylog_secret("tls13-keyupdate", "CLIENT_TRAFFIC_SECRET_N", sn, sizeof sn);
	CU_ASSERT_EQUAL_FATAL(n0, 32);
	CU_ASSERT_EQUAL_FATAL(nn, 32);
	struct td_tls13_keys k;
	CU_ASSERT_EQUAL_FATAL(td_tls13_keys_init(&k, 0x1301, s0, n0), TD_OK);
	CU_ASSERT_EQUAL_FATAL(td_tls13_keys_update(&k), TD_OK);
	CU_ASSERT_EQUAL(memcmp(k.secret, sn, nn), 0);
	td_tls13_keys_cleanup(&k);
}

/* ---- the engine over the captures -------------------------------------- */

#define MAX_CONNS 4

struct keep_sink {
	struct td_sink base;
	struct td_conn *c[MAX_CONNS];
	size_t n;
};

static void keep_done(struct td_sink *s, const struct td_conn *c)
{
	struct keep_sink *k = (struct keep_sink *)s;
	if (k->n < MAX_CONNS)
		k->c[k->n++] = td_conn_clone(c);
}

static void keep_free(struct td_sink *s)
{
	struct keep_sink *k = (struct keep_sink *)s;
	for (size_t i = 0; i < k->n; i++)
		td_conn_free(k->c[i]);
	k->n = 0;
}

static void feed(void *ctx, enum td_link link, uint64_t ts_us, const uint8_t *data,
		 size_t caplen, size_t wirelen)
{
	td_engine_frame(ctx, link, ts_us, data, caplen, wirelen);
}

/* captures/NAME.pcap through the engine, with NAME.keylog when keyed. */
static void run(const char *name, bool keyed, struct keep_sink *out)
{
	char pcap[4200], kl[4200], err[256] = "";
	snprintf(pcap, sizeof pcap, "%s/../../../captures/%s.pcap", td_test_datadir(), name);
	snprintf(kl, sizeof kl, "%s/../../../captures/%s.keylog", td_test_datadir(), name);
	memset(out, 0, sizeof *out);
	out->base.conn_done = keep_done;
	out->base.free = keep_free;
	struct td_config cfg;
	td_config_defaults(&cfg);
	struct td_keylog *keys = NULL;
	if (keyed) {
		keys = td_keylog_new();
		CU_ASSERT_PTR_NOT_NULL_FATAL(keys);
		CU_ASSERT_EQUAL_FATAL(td_keylog_load_file(keys, kl, err, sizeof err), TD_OK);
		cfg.keylog = keys;
	}
	struct td_engine *e = td_engine_new(&cfg, &out->base);
	CU_ASSERT_PTR_NOT_NULL_FATAL(e);
	struct td_capture *cap = NULL;
	CU_ASSERT_EQUAL_FATAL(td_capture_open_file(&cap, pcap, err, sizeof err), TD_OK);
	CU_ASSERT_EQUAL(td_capture_run(cap, feed, e, err, sizeof err), TD_OK);
	td_capture_close(cap);
	td_engine_finish(e);
	td_engine_free(e);
	td_keylog_free(keys);
}

/* The decrypted alerts of a connection, in order: "c:1/0 s:1/0 ...". */
static void alerts(const struct td_conn *c, char *buf, size_t len)
{
	buf[0] = 0;
	for (size_t i = 0; i < c->n_events; i++) {
		const struct td_event *e = &c->events[i];
		if (e->kind != TD_EV_ALERT)
			continue;
		char one[32];
		if (e->encrypted && !e->decrypted)
			snprintf(one, sizeof one, "%s%c:enc", buf[0] ? " " : "",
				 e->dir == TD_DIR_C2S ? 'c' : 's');
		else
			snprintf(one, sizeof one, "%s%c:%u/%u", buf[0] ? " " : "",
				 e->dir == TD_DIR_C2S ? 'c' : 's', e->alert_level, e->alert_desc);
		strncat(buf, one, len - strlen(buf) - 1);
	}
}

static size_t count_hs(const struct td_conn *c, uint8_t type, enum td_dir dir)
{
	size_t n = 0;
	for (size_t i = 0; i < c->n_events; i++)
		n += c->events[i].kind == TD_EV_HANDSHAKE && c->events[i].hs_type == type &&
		     c->events[i].dir == dir;
	return n;
}

/* Both close_notify of a long connection, however many data records
 * went before them: the passed-over records took their sequence
 * numbers.  Without the key log, as before: nothing decrypted. */
static void test_long_close_notify(void)
{
	static const struct { const char *name, *want; } v[] = {
		/* tshark: the server's close_notify first, then the client's */
		{ "tls13-long-close-notify", "s:1/0 c:1/0" },
		{ "tls12-long-close-notify", "s:1/0 c:1/0" },
		/* the client's fatal bad_record_mac after 40 records of its own */
		{ "tls13-late-fatal-alert", "c:2/20 s:1/0" },
		{ "tls12-late-fatal-alert", "s:1/0 c:2/20" },
	};
	for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
		struct keep_sink k;
		char got[128];
		run(v[i].name, true, &k);
		CU_ASSERT_EQUAL_FATAL(k.n, 1);
		alerts(k.c[0], got, sizeof got);
		if (strcmp(got, v[i].want) != 0)
			fprintf(stderr, "\n%s: alerts '%s', want '%s'\n", v[i].name, got, v[i].want);
		CU_ASSERT_STRING_EQUAL(got, v[i].want);
		CU_ASSERT_EQUAL(k.c[0]->anomalies.n, 0);  /* no key log "mismatch" */
		keep_free(&k.base);

		run(v[i].name, false, &k);
		CU_ASSERT_EQUAL_FATAL(k.n, 1);
		for (size_t j = 0; j < k.c[0]->n_events; j++)
			CU_ASSERT_FALSE(k.c[0]->events[j].decrypted);
		keep_free(&k.base);
	}
}

/* tls13-keyupdate: the client's KeyUpdate (decrypted: it is small) moves
 * its keys on; its close_notify, under the next secret, opens. */
static void test_key_update_capture(void)
{
	struct keep_sink k;
	char got[128];
	run("tls13-keyupdate", true, &k);
	CU_ASSERT_EQUAL_FATAL(k.n, 1);
	CU_ASSERT_EQUAL(count_hs(k.c[0], TD_HS_KEY_UPDATE, TD_DIR_C2S), 1);
	CU_ASSERT_EQUAL(count_hs(k.c[0], TD_HS_KEY_UPDATE, TD_DIR_S2C), 0);
	alerts(k.c[0], got, sizeof got);
	CU_ASSERT_STRING_EQUAL(got, "c:1/0 s:1/0");
	CU_ASSERT_EQUAL(k.c[0]->anomalies.n, 0);
	keep_free(&k.base);
}

/* ---- a ClientHello that never completes --------------------------------- */

static const struct td_event *partial_hello(const struct td_conn *c)
{
	for (size_t i = 0; i < c->n_events; i++)
		if (c->events[i].kind == TD_EV_HANDSHAKE &&
		    c->events[i].hs_type == TD_HS_CLIENT_HELLO && c->events[i].detail)
			return &c->events[i];
	return NULL;
}

/* The capture holds the first 1000 bytes of a ClientHello that declares
 * 16161 (tshark: record length 16165): one connection, incomplete. */
static void test_truncated_capture(void)
{
	struct keep_sink k;
	run("clienthello-truncated", false, &k);
	CU_ASSERT_EQUAL_FATAL(k.n, 1);
	const struct td_conn *c = k.c[0];
	CU_ASSERT_TRUE(c->tls);
	CU_ASSERT_FALSE(c->ch.present);
	CU_ASSERT_EQUAL(c->fate.outcome, TD_OUTCOME_INCOMPLETE);
	CU_ASSERT_EQUAL(c->server_port, 8443);
	const struct td_event *e = partial_hello(c);
	CU_ASSERT_PTR_NOT_NULL_FATAL(e);
	if (!e)
		return;
	CU_ASSERT_EQUAL(e->dir, TD_DIR_C2S);
	CU_ASSERT_EQUAL(e->length, 991);
	CU_ASSERT_STRING_EQUAL(e->detail, "incomplete: 991 of 16161 bytes captured");
	keep_free(&k.base);
}

/* Synthetic: a ClientHello of `declared` body bytes, its first `seen`
 * sent (the rest never comes), cut into records of `per_record` bytes
 * of the message, in one TCP segment from 192.0.2.1:40000 to :443
 * after the three-way handshake. */
static void synthetic(size_t declared, size_t seen, size_t per_record, struct keep_sink *out)
{
	static uint8_t msg[40000], stream[45000];
	size_t m = 0;
	msg[m++] = TD_HS_CLIENT_HELLO;
	msg[m++] = (uint8_t)(declared >> 16);
	msg[m++] = (uint8_t)(declared >> 8);
	msg[m++] = (uint8_t)declared;
	msg[m++] = 0x03; msg[m++] = 0x03;
	for (; m < 4 + seen; m++)
		msg[m] = (uint8_t)m;
	/* Records: each whole, but the message's total declares more. */
	size_t s = 0;
	size_t total = 4 + declared;
	for (size_t at = 0; at < total; at += per_record) {
		size_t n = total - at < per_record ? total - at : per_record;
		stream[s++] = TD_CT_HANDSHAKE;
		stream[s++] = 0x03; stream[s++] = 0x01;
		stream[s++] = (uint8_t)(n >> 8);
		stream[s++] = (uint8_t)n;
		size_t have = at < m ? (m - at < n ? m - at : n) : 0;
		memcpy(stream + s, msg + at, have);
		s += have;
		if (have < n)
			break;  /* the stream stops inside this record */
	}
	memset(out, 0, sizeof *out);
	out->base.conn_done = keep_done;
	out->base.free = keep_free;
	struct td_config cfg;
	td_config_defaults(&cfg);
	struct td_engine *e = td_engine_new(&cfg, &out->base);
	CU_ASSERT_PTR_NOT_NULL_FATAL(e);
	static uint8_t buf[TD_FRAME_MAX];
	struct td_frame_spec sp;
	const struct { bool c2s; uint8_t flags; uint32_t seq, ack; bool data; } pk[] = {
		{ true, TD_TCP_SYN, 1000, 0, false },
		{ false, TD_TCP_SYN | TD_TCP_ACK, 5000, 1001, false },
		{ true, TD_TCP_ACK, 1001, 5001, false },
		{ true, TD_TCP_ACK | TD_TCP_PSH, 1001, 5001, true },
	};
	for (size_t i = 0; i < sizeof pk / sizeof pk[0]; i++) {
		if (pk[i].c2s)
			td_frame_spec_init(&sp, TD_LINK_RAW, "192.0.2.1", 40000, "192.0.2.2", 443);
		else
			td_frame_spec_init(&sp, TD_LINK_RAW, "192.0.2.2", 443, "192.0.2.1", 40000);
		sp.flags = pk[i].flags;
		sp.seq = pk[i].seq;
		sp.ack = pk[i].ack;
		if (pk[i].data) {
			sp.payload = stream;
			sp.payload_len = s;
		}
		size_t n = td_frame_build(buf, sizeof buf, &sp);
		CU_ASSERT_FATAL(n > 0);
		td_engine_frame(e, TD_LINK_RAW, 1000000 + i * 1000, buf, n, n);
	}
	td_engine_finish(e);
	td_engine_free(e);
}

static void test_truncated_synthetic(void)
{
	static const struct { size_t declared, seen, per_record; } v[] = {
		{ 16000, 995, 16384 },   /* one record, cut */
		{ 20000, 17000, 16384 }, /* the first record whole, the second cut */
		{ 512, 100, 16384 },
		{ 300, 2, 16384 },       /* just past the message header */
	};
	for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
		struct keep_sink k;
		synthetic(v[i].declared, v[i].seen, v[i].per_record, &k);
		CU_ASSERT_EQUAL_FATAL(k.n, 1);
		const struct td_conn *c = k.c[0];
		CU_ASSERT_EQUAL(c->fate.outcome, TD_OUTCOME_INCOMPLETE);
		CU_ASSERT_EQUAL(c->client_port, 40000);
		const struct td_event *e = partial_hello(c);
		CU_ASSERT_PTR_NOT_NULL_FATAL(e);
		if (!e)
			return;
		char want[96];
		snprintf(want, sizeof want, "incomplete: %zu of %zu bytes captured",
			 v[i].seen, v[i].declared);
		CU_ASSERT_STRING_EQUAL(e->detail, want);
		CU_ASSERT_EQUAL(e->length, v[i].seen);
		keep_free(&k.base);
	}
	/* A whole ClientHello is no partial one (the engine decodes it;
	 * nothing "incomplete" is said). */
	struct keep_sink k;
	synthetic(200, 200, 16384, &k);
	CU_ASSERT_EQUAL_FATAL(k.n, 1);
	CU_ASSERT_PTR_NULL(partial_hello(k.c[0]));
	keep_free(&k.base);
}

void td_suite_alerts(void)
{
	CU_pSuite s = td_test_suite("alerts");
	td_test_add(s, "TLS 1.3 KeyUpdate: next traffic secret (vectors)", test_key_update_vectors);
	td_test_add(s, "TLS 1.3 KeyUpdate: OpenSSL's next secret", test_key_update_openssl);
	td_test_add(s, "TLS 1.3 record passed over takes its sequence number", test_tls13_skip);
	td_test_add(s, "alerts at the end of long connections (captures)", test_long_close_notify);
	td_test_add(s, "KeyUpdate then close_notify (capture)", test_key_update_capture);
	td_test_add(s, "ClientHello cut by the capture end (capture)", test_truncated_capture);
	td_test_add(s, "ClientHello never completed (synthetic)", test_truncated_synthetic);
}
