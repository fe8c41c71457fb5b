/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_tls_record.c - the TLS record layer (src/tls/record.c) and the
 * IANA name tables (src/tls/names.c).
 *
 * The record vectors are real records cut from public captures
 * (tls_vectors.c names the origin of each); streams are built by joining
 * them and then fed in every split, to check that how TCP cuts the bytes
 * never changes what comes out.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "caps.h"
#include "tests.h"
#include "tls_names.h"
#include "tls_record.h"
#include "tls_vectors.h"

/* A ChangeCipherSpec and a small application_data record (synthetic). */
static const uint8_t ccs_rec[] = { 0x14, 0x03, 0x03, 0x00, 0x01, 0x01 };
static const uint8_t app_rec[] = { 0x17, 0x03, 0x03, 0x00, 0x05, 0xde, 0xad, 0xbe, 0xef, 0x00 };

/* What the callback saw: each record's header fields and a copy of its body. */
#define MAX_RECS 16
struct seen {
	size_t n;
	struct {
		uint8_t type;
		uint16_t version;
		bool sslv2;
		size_t len;
		size_t off;    /* into bodies */
	} rec[MAX_RECS];
	uint8_t bodies[8192];
	size_t used;
	bool overflow;
};

static void on_record(void *ctx, const struct td_tls_record *r)
{
	struct seen *s = ctx;
	if (s->n >= MAX_RECS || r->len > sizeof s->bodies - s->used) {
		s->overflow = true;
		return;
	}
	s->rec[s->n].type = r->type;
	s->rec[s->n].version = r->version;
	s->rec[s->n].sslv2 = r->sslv2;
	s->rec[s->n].len = r->len;
	s->rec[s->n].off = s->used;
	if (r->len)
		memcpy(s->bodies + s->used, r->body, r->len);
	s->used += r->len;
	s->n++;
}

static bool seen_equal(const struct seen *a, const struct seen *b)
{
	if (a->n != b->n || a->used != b->used || a->overflow || b->overflow)
		return false;
	for (size_t i = 0; i < a->n; i++)
		if (a->rec[i].type != b->rec[i].type || a->rec[i].version != b->rec[i].version ||
		    a->rec[i].sslv2 != b->rec[i].sslv2 || a->rec[i].len != b->rec[i].len)
			return false;
	return memcmp(a->bodies, b->bodies, a->used) == 0;
}

/* Feed the stream cut at the given points into a fresh record stream. */
static void feed_cuts(struct td_tls_stream *ts, const uint8_t *p, size_t n,
		      const size_t *cuts, size_t ncuts, struct seen *out)
{
	size_t at = 0;
	for (size_t i = 0; i <= ncuts; i++) {
		size_t end = i < ncuts ? cuts[i] : n;
		CU_ASSERT_EQUAL(td_tls_stream_feed(ts, p + at, end - at, on_record, out), TD_OK);
		at = end;
	}
}

static void feed_once(const uint8_t *p, size_t n, struct seen *out, struct td_tls_stream *ts)
{
	td_tls_stream_init(ts);
	feed_cuts(ts, p, n, NULL, 0, out);
}

/* Every split point and byte-by-byte give what one feed gives. */
static void check_all_splits(const uint8_t *p, size_t n)
{
	static struct seen whole, part;
	struct td_tls_stream ts;
	memset(&whole, 0, sizeof whole);
	feed_once(p, n, &whole, &ts);
	td_tls_stream_cleanup(&ts);

	for (size_t i = 0; i <= n; i++) {
		memset(&part, 0, sizeof part);
		td_tls_stream_init(&ts);
		feed_cuts(&ts, p, n, &i, 1, &part);
		CU_ASSERT(seen_equal(&whole, &part));
		CU_ASSERT_EQUAL(ts.buf.len, 0);
		td_tls_stream_cleanup(&ts);
	}
	memset(&part, 0, sizeof part);
	td_tls_stream_init(&ts);
	for (size_t i = 0; i < n; i++)
		CU_ASSERT_EQUAL(td_tls_stream_feed(&ts, p + i, 1, on_record, &part), TD_OK);
	CU_ASSERT(seen_equal(&whole, &part));
	td_tls_stream_cleanup(&ts);
}

/* Four whole records of a server: ServerHello, CertificateRequest,
 * ChangeCipherSpec, application_data. */
static void server_records(struct tv_stream *st)
{
	st->n = 0;
	tv_add(st, cc_sh_rec, sizeof cc_sh_rec);
	tv_add(st, cc_cr_rec, sizeof cc_cr_rec);
	tv_add(st, ccs_rec, sizeof ccs_rec);
	tv_add(st, app_rec, sizeof app_rec);
}

static void test_several_records_one_feed(void)
{
	static struct tv_stream st;
	static struct seen s;
	struct td_tls_stream ts;
	memset(&s, 0, sizeof s);
	server_records(&st);
	feed_once(st.b, st.n, &s, &ts);

	CU_ASSERT_EQUAL(ts.state, TD_TS_SYNCED);
	CU_ASSERT_EQUAL(ts.records, 4);
	CU_ASSERT_EQUAL(ts.skipped, 0);
	CU_ASSERT_EQUAL(ts.buf.len, 0);  /* nothing copied: all whole */
	CU_ASSERT_EQUAL_FATAL(s.n, 4);
	CU_ASSERT_EQUAL(s.rec[0].type, TD_CT_HANDSHAKE);
	CU_ASSERT_EQUAL(s.rec[0].version, 0x0303);
	CU_ASSERT_EQUAL(s.rec[0].len, 84);
	CU_ASSERT_EQUAL(s.bodies[s.rec[0].off], TD_HS_SERVER_HELLO);
	CU_ASSERT_EQUAL(s.rec[1].len, 52);
	CU_ASSERT_EQUAL(s.bodies[s.rec[1].off], TD_HS_CERTIFICATE_REQUEST);
	CU_ASSERT_EQUAL(s.rec[2].type, TD_CT_CHANGE_CIPHER_SPEC);
	CU_ASSERT_EQUAL(s.rec[2].len, 1);
	CU_ASSERT_EQUAL(s.rec[3].type, TD_CT_APPLICATION_DATA);
	CU_ASSERT_EQUAL(s.rec[3].len, 5);
	CU_ASSERT_EQUAL(memcmp(s.bodies + s.rec[3].off, app_rec + TV_REC_HDR,
			       sizeof app_rec - TV_REC_HDR), 0);
	CU_ASSERT_FALSE(s.rec[0].sslv2);
	td_tls_stream_cleanup(&ts);
}

static void test_split_every_byte(void)
{
	static struct tv_stream st;
	server_records(&st);
	check_all_splits(st.b, st.n);
}

static void test_partial_is_buffered(void)
{
	static struct seen s;
	struct td_tls_stream ts;
	memset(&s, 0, sizeof s);
	td_tls_stream_init(&ts);
	/* A whole record plus 10 bytes of the next: only the 10 are copied. */
	static struct tv_stream st;
	st.n = 0;
	tv_add(&st, cc_sh_rec, sizeof cc_sh_rec);
	tv_add(&st, cc_cr_rec, 10);
	CU_ASSERT_EQUAL(td_tls_stream_feed(&ts, st.b, st.n, on_record, &s), TD_OK);
	CU_ASSERT_EQUAL(s.n, 1);
	CU_ASSERT_EQUAL(ts.buf.len, 10);
	CU_ASSERT_EQUAL(td_tls_stream_feed(&ts, cc_cr_rec + 10, sizeof cc_cr_rec - 10,
					   on_record, &s), TD_OK);
	CU_ASSERT_EQUAL(s.n, 2);
	CU_ASSERT_EQUAL(ts.buf.len, 0);
	CU_ASSERT_PTR_NULL(ts.buf.data);  /* memory given back */
	td_tls_stream_cleanup(&ts);
}

static void test_empty_app_data(void)
{
	static const uint8_t recs[] = { 0x17, 0x03, 0x03, 0x00, 0x00, 0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x28 };
	static struct seen s;
	struct td_tls_stream ts;
	memset(&s, 0, sizeof s);
	feed_once(recs, sizeof recs, &s, &ts);
	CU_ASSERT_EQUAL_FATAL(s.n, 2);
	CU_ASSERT_EQUAL(s.rec[0].len, 0);
	CU_ASSERT_EQUAL(s.rec[1].type, TD_CT_ALERT);
	CU_ASSERT_EQUAL(s.bodies[s.rec[1].off + 1], 40);  /* handshake_failure */
	td_tls_stream_cleanup(&ts);
}

/* What a caller that skips application data sees: each record's type,
 * length and whether it came with its bytes. */
struct skim {
	size_t n;
	uint8_t type[MAX_RECS];
	size_t len[MAX_RECS];
	bool body[MAX_RECS];
	bool ccs_ok;  /* the ChangeCipherSpec's byte came through */
};

static void on_skim(void *ctx, const struct td_tls_record *r)
{
	struct skim *k = ctx;
	if (k->n >= MAX_RECS)
		return;
	k->type[k->n] = r->type;
	k->len[k->n] = r->len;
	k->body[k->n] = r->body != NULL;
	if (r->type == TD_CT_CHANGE_CIPHER_SPEC && r->body && r->len == 1 && r->body[0] == 1)
		k->ccs_ok = true;
	k->n++;
}

/* skip_appdata: an application_data record cut by TCP is passed over
 * as it comes (unless it is small), never buffered, and delivered with a NULL body when its
 * last byte has gone by; whole ones come with their bytes; the records
 * around it are read as before, however the stream is cut. */
static void test_skip_appdata(void)
{
	uint8_t st[600];
	size_t n = 0;
	st[n++] = 0x17; st[n++] = 0x03; st[n++] = 0x03; st[n++] = 0x01; st[n++] = 0x2c;  /* 300 */
	memset(st + n, 0xab, 300);
	n += 300;
	memcpy(st + n, ccs_rec, sizeof ccs_rec);
	n += sizeof ccs_rec;
	st[n++] = 0x17; st[n++] = 0x03; st[n++] = 0x03; st[n++] = 0x00; st[n++] = 0xc8;  /* 200 */
	memset(st + n, 0xcd, 200);
	n += 200;
	memcpy(st + n, app_rec, sizeof app_rec);
	n += sizeof app_rec;

	for (size_t cut = 0; cut <= n; cut++) {
		struct td_tls_stream ts;
		td_tls_stream_init(&ts);
		ts.skip_appdata = true;
		struct skim k = { 0 };
		size_t at = 0;
		bool never_buffered_data = true;
		/* Cut at `cut`, then in 7-byte pieces. */
		while (at < n) {
			size_t end = at < cut ? cut : at + 7;
			if (end > n)
				end = n;
			CU_ASSERT_EQUAL(td_tls_stream_feed(&ts, st + at, end - at, on_skim, &k), TD_OK);
			/* (a record of at most TD_TLS_READ_SMALL bytes is read
			 * whole: a TLS 1.3 alert may be one) */
			if (ts.buf.len > 5 + TD_TLS_READ_SMALL)
				never_buffered_data = false;
			at = end;
		}
		CU_ASSERT_TRUE(never_buffered_data);
		CU_ASSERT_EQUAL_FATAL(k.n, 4);
		CU_ASSERT(k.type[0] == TD_CT_APPLICATION_DATA && k.len[0] == 300);
		CU_ASSERT(k.type[1] == TD_CT_CHANGE_CIPHER_SPEC && k.body[1] && k.ccs_ok);
		CU_ASSERT(k.type[2] == TD_CT_APPLICATION_DATA && k.len[2] == 200);
		CU_ASSERT(k.type[3] == TD_CT_APPLICATION_DATA && k.len[3] == 5);
		/* Small: always with its bytes, however it was cut. */
		CU_ASSERT_TRUE(k.body[3]);
		/* Only a record inside the first piece arrives whole: none
		 * does in a 7-byte piece. */
		CU_ASSERT_EQUAL(k.body[0], cut >= 305);
		CU_ASSERT_EQUAL(k.body[2], cut >= 516);
		CU_ASSERT_EQUAL(ts.skip_left, 0);
		CU_ASSERT_EQUAL(ts.records, 4);
		td_tls_stream_cleanup(&ts);
	}

	/* A gap in the middle of a record passed over: it is not delivered,
	 * and the stream looks for the next header. */
	struct td_tls_stream ts;
	td_tls_stream_init(&ts);
	ts.skip_appdata = true;
	struct skim k = { 0 };
	CU_ASSERT_EQUAL(td_tls_stream_feed(&ts, st, 100, on_skim, &k), TD_OK);
	CU_ASSERT_EQUAL(ts.skip_left, 205);
	td_tls_stream_gap(&ts);
	CU_ASSERT_EQUAL(ts.skip_left, 0);
	CU_ASSERT_EQUAL(td_tls_stream_feed(&ts, st + 305, n - 305, on_skim, &k), TD_OK);
	CU_ASSERT_EQUAL(k.n, 3);
	CU_ASSERT_EQUAL(k.type[0], TD_CT_CHANGE_CIPHER_SPEC);
	td_tls_stream_cleanup(&ts);
}

static void test_oversize_header(void)
{
	/* application_data claiming 18433 bytes, 100 bytes of its "body",
	 * then a real ServerHello record. */
	static struct tv_stream st;
	static struct seen s;
	static const uint8_t big[] = { 0x17, 0x03, 0x03, 0x48, 0x01 };
	static const uint8_t zeros[100];
	struct td_tls_stream ts;
	st.n = 0;
	memset(&s, 0, sizeof s);
	CU_ASSERT_EQUAL((big[3] << 8 | big[4]), TD_CAP_RECORD + 1);
	tv_add(&st, cc_cr_rec, sizeof cc_cr_rec);
	tv_add(&st, big, sizeof big);
	tv_add(&st, zeros, sizeof zeros);
	tv_add(&st, cc_sh_rec, sizeof cc_sh_rec);
	feed_once(st.b, st.n, &s, &ts);
	CU_ASSERT(ts.oversize);
	CU_ASSERT_EQUAL(ts.state, TD_TS_SYNCED);
	CU_ASSERT_EQUAL(ts.skipped, sizeof big + sizeof zeros);
	CU_ASSERT_EQUAL_FATAL(s.n, 2);
	CU_ASSERT_EQUAL(s.rec[0].len, 52);
	CU_ASSERT_EQUAL(s.rec[1].len, 84);
	td_tls_stream_cleanup(&ts);

	/* Alone, the oversize header leaves the stream scanning. */
	memset(&s, 0, sizeof s);
	feed_once(big, sizeof big, &s, &ts);
	CU_ASSERT(ts.oversize);
	CU_ASSERT_EQUAL(ts.state, TD_TS_SCANNING);
	CU_ASSERT_EQUAL(s.n, 0);
	td_tls_stream_cleanup(&ts);
}

static void test_sslv2_hello(void)
{
	static struct tv_stream st;
	static struct seen s;
	struct td_tls_stream ts;
	st.n = 0;
	memset(&s, 0, sizeof s);
	tv_add(&st, sslv2_rec, sizeof sslv2_rec);
	tv_add(&st, ccs_rec, sizeof ccs_rec);
	feed_once(st.b, st.n, &s, &ts);
	CU_ASSERT_EQUAL(ts.state, TD_TS_SYNCED);
	CU_ASSERT_EQUAL_FATAL(s.n, 2);
	CU_ASSERT(s.rec[0].sslv2);
	CU_ASSERT_EQUAL(s.rec[0].type, 0);
	CU_ASSERT_EQUAL(s.rec[0].version, 0x0002);
	CU_ASSERT_EQUAL(s.rec[0].len, 103);
	CU_ASSERT_EQUAL(s.bodies[s.rec[0].off], 1);          /* msg_type client_hello */
	CU_ASSERT_EQUAL(s.bodies[s.rec[0].off + 2], 0x01);   /* version 3.1 */
	CU_ASSERT_FALSE(s.rec[1].sslv2);
	CU_ASSERT_EQUAL(s.rec[1].type, TD_CT_CHANGE_CIPHER_SPEC);
	td_tls_stream_cleanup(&ts);
	check_all_splits(st.b, st.n);

	/* After the first record an SSLv2 header is not accepted. */
	memset(&s, 0, sizeof s);
	st.n = 0;
	tv_add(&st, ccs_rec, sizeof ccs_rec);
	tv_add(&st, sslv2_rec, sizeof sslv2_rec);
	feed_once(st.b, st.n, &s, &ts);
	CU_ASSERT_EQUAL(s.n, 1);
	CU_ASSERT_NOT_EQUAL(ts.state, TD_TS_SYNCED);
	td_tls_stream_cleanup(&ts);
}

static const char smtp[] = "EHLO client.example.org\r\nSTARTTLS\r\n";

static void test_starttls_scan(void)
{
	static struct tv_stream st;
	static struct seen s;
	struct td_tls_stream ts;
	st.n = 0;
	memset(&s, 0, sizeof s);
	tv_add(&st, smtp, strlen(smtp));
	tv_add(&st, hrr_ch_rec, sizeof hrr_ch_rec);
	tv_add(&st, ccs_rec, sizeof ccs_rec);
	feed_once(st.b, st.n, &s, &ts);
	CU_ASSERT_EQUAL(ts.state, TD_TS_SYNCED);
	CU_ASSERT_EQUAL_FATAL(s.n, 2);
	CU_ASSERT_EQUAL(s.rec[0].type, TD_CT_HANDSHAKE);
	CU_ASSERT_EQUAL(s.rec[0].version, 0x0301);
	CU_ASSERT_EQUAL(s.rec[0].len, sizeof hrr_ch_rec - TV_REC_HDR);
	CU_ASSERT_EQUAL(s.bodies[s.rec[0].off], TD_HS_CLIENT_HELLO);
	CU_ASSERT_EQUAL(ts.skipped, strlen(smtp));
	CU_ASSERT_EQUAL(ts.prefix_len, strlen(smtp));
	CU_ASSERT_EQUAL(memcmp(ts.prefix, smtp, strlen(smtp)), 0);
	td_tls_stream_cleanup(&ts);
	check_all_splits(st.b, st.n);

	/* A long banner: the prefix keeps only the first bytes. */
	static const char banner[] = "220 mail.example.org ESMTP ready, go ahead and say hello please\r\n"
				     "250-mail.example.org\r\n250 STARTTLS\r\n220 2.0.0 Ready to start TLS\r\n";
	st.n = 0;
	memset(&s, 0, sizeof s);
	tv_add(&st, banner, strlen(banner));
	tv_add(&st, cc_sh_rec, sizeof cc_sh_rec);
	feed_once(st.b, st.n, &s, &ts);
	CU_ASSERT_EQUAL(s.n, 1);
	CU_ASSERT_EQUAL(s.rec[0].len, 84);
	CU_ASSERT_EQUAL(ts.skipped, strlen(banner));
	CU_ASSERT_EQUAL(ts.prefix_len, TD_TLS_PREFIX_KEEP);
	CU_ASSERT_EQUAL(memcmp(ts.prefix, banner, TD_TLS_PREFIX_KEEP), 0);
	td_tls_stream_cleanup(&ts);
}

static void test_scan_rejects_loose_candidates(void)
{
	/* Bytes that look like a header but whose handshake type is
	 * unknown and whose next "header" is garbage are skipped. */
	static const uint8_t junk[] = {
		0x16, 0x03, 0x01, 0x00, 0x08, 0x63, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00,
		0x41, 0x41, 0x41, 0x41, 0x41
	};
	static struct tv_stream st;
	static struct seen s;
	struct td_tls_stream ts;
	st.n = 0;
	memset(&s, 0, sizeof s);
	tv_add(&st, "+OK\r\n", 5);
	tv_add(&st, junk, sizeof junk);
	tv_add(&st, cc_sh_rec, sizeof cc_sh_rec);
	feed_once(st.b, st.n, &s, &ts);
	CU_ASSERT_EQUAL_FATAL(s.n, 1);
	CU_ASSERT_EQUAL(s.rec[0].len, 84);
	CU_ASSERT_EQUAL(ts.skipped, 5 + sizeof junk);
	td_tls_stream_cleanup(&ts);
}

static void test_gave_up(void)
{
	static uint8_t text[TD_CAP_RESYNC_SCAN + 1000];
	static struct seen s;
	struct td_tls_stream ts;
	memset(text, 'A', sizeof text);
	memset(&s, 0, sizeof s);
	feed_once(text, sizeof text, &s, &ts);
	CU_ASSERT_EQUAL(ts.state, TD_TS_GAVE_UP);
	CU_ASSERT_EQUAL(ts.skipped, sizeof text);
	CU_ASSERT_EQUAL(ts.prefix_len, TD_TLS_PREFIX_KEEP);
	CU_ASSERT_EQUAL(ts.buf.len, 0);
	/* Even a real record is dropped now. */
	CU_ASSERT_EQUAL(td_tls_stream_feed(&ts, cc_sh_rec, sizeof cc_sh_rec, on_record, &s), TD_OK);
	CU_ASSERT_EQUAL(s.n, 0);
	CU_ASSERT_EQUAL(ts.skipped, sizeof text + sizeof cc_sh_rec);
	td_tls_stream_gap(&ts);
	CU_ASSERT_EQUAL(ts.state, TD_TS_GAVE_UP);
	td_tls_stream_cleanup(&ts);
}

static void test_gap_resync(void)
{
	static struct seen s;
	struct td_tls_stream ts;
	memset(&s, 0, sizeof s);
	td_tls_stream_init(&ts);
	CU_ASSERT_EQUAL(td_tls_stream_feed(&ts, cc_sh_rec, 30, on_record, &s), TD_OK);
	CU_ASSERT_EQUAL(ts.buf.len, 30);
	td_tls_stream_gap(&ts);
	CU_ASSERT_EQUAL(ts.buf.len, 0);
	CU_ASSERT_EQUAL(ts.state, TD_TS_SCANNING);
	/* The tail of the lost record, then whole records. */
	CU_ASSERT_EQUAL(td_tls_stream_feed(&ts, cc_sh_rec + 40, sizeof cc_sh_rec - 40,
					   on_record, &s), TD_OK);
	CU_ASSERT_EQUAL(td_tls_stream_feed(&ts, cc_cr_rec, sizeof cc_cr_rec, on_record, &s), TD_OK);
	CU_ASSERT_EQUAL(td_tls_stream_feed(&ts, ccs_rec, sizeof ccs_rec, on_record, &s), TD_OK);
	CU_ASSERT_EQUAL(ts.state, TD_TS_SYNCED);
	CU_ASSERT_EQUAL_FATAL(s.n, 2);
	CU_ASSERT_EQUAL(s.rec[0].len, 52);
	CU_ASSERT_EQUAL(s.rec[1].type, TD_CT_CHANGE_CIPHER_SPEC);
	CU_ASSERT_EQUAL(ts.skipped, sizeof cc_sh_rec - 40);
	CU_ASSERT_EQUAL(ts.scanned, sizeof cc_sh_rec - 40);
	td_tls_stream_cleanup(&ts);
}

static void test_garbage_when_synced(void)
{
	static struct tv_stream st;
	static struct seen s;
	struct td_tls_stream ts;
	st.n = 0;
	memset(&s, 0, sizeof s);
	tv_add(&st, cc_sh_rec, sizeof cc_sh_rec);
	tv_add(&st, "\x00\x01garbage", 9);
	tv_add(&st, cc_cr_rec, sizeof cc_cr_rec);
	feed_once(st.b, st.n, &s, &ts);
	CU_ASSERT_EQUAL(s.n, 2);
	CU_ASSERT_EQUAL(ts.skipped, 9);
	CU_ASSERT_EQUAL(ts.state, TD_TS_SYNCED);
	CU_ASSERT_FALSE(ts.oversize);
	td_tls_stream_cleanup(&ts);
}

static void test_plausible_header(void)
{
	CU_ASSERT(td_tls_plausible_header(cc_sh_rec, 5));
	CU_ASSERT(td_tls_plausible_header(hrr_ch_rec, sizeof hrr_ch_rec));
	CU_ASSERT(td_tls_plausible_header(sslv2_rec, 3));
	CU_ASSERT(td_tls_plausible_header(sslv2_rec, sizeof sslv2_rec));
	CU_ASSERT_FALSE(td_tls_plausible_header(cc_sh_rec, 4));      /* too short */
	CU_ASSERT_FALSE(td_tls_plausible_header((const uint8_t *)"GET / HTTP/1.1", 14));
	CU_ASSERT_FALSE(td_tls_plausible_header((const uint8_t *)"\x16\x03\x05\x00\x10", 5));
	CU_ASSERT_FALSE(td_tls_plausible_header((const uint8_t *)"\x19\x03\x03\x00\x10", 5));
	CU_ASSERT_FALSE(td_tls_plausible_header((const uint8_t *)"\x17\x03\x03\x48\x01", 5));
	CU_ASSERT(td_tls_plausible_header((const uint8_t *)"\x17\x03\x03\x48\x00", 5));
	CU_ASSERT_FALSE(td_tls_plausible_header((const uint8_t *)"\x16\x03\x03\x00\x00", 5));
	/* SSLv2 with an unknown version, or a non-hello message type. */
	CU_ASSERT_FALSE(td_tls_plausible_header((const uint8_t *)"\x80\x67\x01\x05\x00", 5));
	CU_ASSERT_FALSE(td_tls_plausible_header((const uint8_t *)"\x80\x67\x04\x00\x02", 5));
	CU_ASSERT_FALSE(td_tls_plausible_header(NULL, 0));
}

static void test_names(void)
{
	char buf[32];
	CU_ASSERT_STRING_EQUAL(td_tls_lookup(TD_REG_VERSION, 0x0304), "TLS 1.3");
	CU_ASSERT_STRING_EQUAL(td_tls_lookup(TD_REG_VERSION, 0x0002), "SSL 2.0");
	CU_ASSERT_STRING_EQUAL(td_tls_lookup(TD_REG_VERSION, 0x7f17), "TLS 1.3 draft 23");
	CU_ASSERT_STRING_EQUAL(td_tls_lookup(TD_REG_CIPHER, 0xc02f), "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256");
	CU_ASSERT_STRING_EQUAL(td_tls_lookup(TD_REG_CIPHER, 0x1303), "TLS_CHACHA20_POLY1305_SHA256");
	CU_ASSERT_STRING_EQUAL(td_tls_lookup(TD_REG_CIPHER, 0x00ff), "TLS_EMPTY_RENEGOTIATION_INFO_SCSV");
	CU_ASSERT_STRING_EQUAL(td_tls_lookup(TD_REG_CIPHER, 0x5600), "TLS_FALLBACK_SCSV");
	CU_ASSERT_STRING_EQUAL(td_tls_lookup(TD_REG_CIPHER, 0x0003), "TLS_RSA_EXPORT_WITH_RC4_40_MD5");
	CU_ASSERT_STRING_EQUAL(td_tls_lookup(TD_REG_CIPHER, 0xc0ad), "TLS_ECDHE_ECDSA_WITH_AES_256_CCM");
	CU_ASSERT_STRING_EQUAL(td_tls_lookup(TD_REG_GROUP, 0x001d), "x25519");
	CU_ASSERT_STRING_EQUAL(td_tls_lookup(TD_REG_GROUP, 0x11ec), "X25519MLKEM768");
	CU_ASSERT_STRING_EQUAL(td_tls_lookup(TD_REG_GROUP, 0x6399), "X25519Kyber768Draft00");
	CU_ASSERT_STRING_EQUAL(td_tls_lookup(TD_REG_SIGALG, 0x0804), "rsa_pss_rsae_sha256");
	CU_ASSERT_STRING_EQUAL(td_tls_lookup(TD_REG_SIGALG, 0x0807), "ed25519");
	CU_ASSERT_STRING_EQUAL(td_tls_lookup(TD_REG_EXTENSION, 0), "server_name");
	CU_ASSERT_STRING_EQUAL(td_tls_lookup(TD_REG_EXTENSION, 0xfe0d), "encrypted_client_hello");
	CU_ASSERT_STRING_EQUAL(td_tls_lookup(TD_REG_EXTENSION, 13172), "next_protocol_negotiation");
	CU_ASSERT_STRING_EQUAL(td_tls_lookup(TD_REG_EXTENSION, 0x44cd), "application_settings");
	CU_ASSERT_STRING_EQUAL(td_tls_lookup(TD_REG_ALERT, 40), "handshake_failure");
	CU_ASSERT_STRING_EQUAL(td_tls_lookup(TD_REG_ALERT, 121), "ech_required");
	CU_ASSERT_STRING_EQUAL(td_tls_lookup(TD_REG_ALERT_LEVEL, 2), "fatal");
	CU_ASSERT_STRING_EQUAL(td_tls_lookup(TD_REG_HANDSHAKE, 13), "certificate_request");
	CU_ASSERT_STRING_EQUAL(td_tls_lookup(TD_REG_HANDSHAKE, 254), "message_hash");
	CU_ASSERT_STRING_EQUAL(td_tls_lookup(TD_REG_CONTENT_TYPE, 23), "application_data");
	CU_ASSERT_STRING_EQUAL(td_tls_lookup(TD_REG_CERT_TYPE, 64), "ecdsa_sign");
	CU_ASSERT_PTR_NULL(td_tls_lookup(TD_REG_CIPHER, 0x1234));
	CU_ASSERT_PTR_NULL(td_tls_lookup(TD_REG_ALERT, 7));

	CU_ASSERT_STRING_EQUAL(td_tls_name(TD_REG_CIPHER, 0x1234, buf, sizeof buf), "0x1234");
	CU_ASSERT_STRING_EQUAL(td_tls_name(TD_REG_EXTENSION, 0x00ab, buf, sizeof buf), "0x00ab");
	CU_ASSERT_STRING_EQUAL(td_tls_name(TD_REG_ALERT, 7, buf, sizeof buf), "7");
	CU_ASSERT_STRING_EQUAL(td_tls_name(TD_REG_HANDSHAKE, 99, buf, sizeof buf), "99");
	CU_ASSERT_STRING_EQUAL(td_tls_name(TD_REG_CONTENT_TYPE, 30, buf, sizeof buf), "30");
	CU_ASSERT_STRING_EQUAL(td_tls_name(TD_REG_GROUP, 0x0017, buf, sizeof buf), "secp256r1");
	CU_ASSERT_PTR_NOT_NULL(td_tls_name(TD_REG_CIPHER, 0x1234, NULL, 0));
}

static void test_grease(void)
{
	for (unsigned i = 0; i < 16; i++) {
		uint16_t g = (uint16_t)(i << 12 | 0x0a00 | i << 4 | 0x0a);
		CU_ASSERT(td_tls_is_grease(g));
		CU_ASSERT_STRING_EQUAL(td_tls_lookup(TD_REG_CIPHER, g), "GREASE");
		CU_ASSERT_STRING_EQUAL(td_tls_lookup(TD_REG_EXTENSION, g), "GREASE");
	}
	CU_ASSERT(td_tls_is_grease(0x0a0a));
	CU_ASSERT(td_tls_is_grease(0xfafa));
	CU_ASSERT_FALSE(td_tls_is_grease(0x0a1a));
	CU_ASSERT_FALSE(td_tls_is_grease(0x0b0b));
	CU_ASSERT_FALSE(td_tls_is_grease(0x1301));
	CU_ASSERT_FALSE(td_tls_is_grease(0x000a));

	CU_ASSERT(td_tls_version_is_13(0x0304));
	CU_ASSERT(td_tls_version_is_13(0x7f1c));
	CU_ASSERT(td_tls_version_is_13(0xfb17));
	CU_ASSERT_FALSE(td_tls_version_is_13(0x0303));
	CU_ASSERT_FALSE(td_tls_version_is_13(0x0a0a));
}

/* The registries of tls_registry.h: each constant is its listed value,
 * and td_tls_lookup names it as listed (one table makes both). */
static void test_registry_constants(void)
{
	static const struct {
		enum td_tls_registry reg;
		unsigned id, value;
		const char *name;
	} rows[] = {
#define V(id, value, name) { TD_REG_VERSION, id, value, name },
#define CT(id, value, name) { TD_REG_CONTENT_TYPE, id, value, name },
#define HS(id, value, name) { TD_REG_HANDSHAKE, id, value, name },
#define AL(id, value, name) { TD_REG_ALERT_LEVEL, id, value, name },
#define A(id, value, name) { TD_REG_ALERT, id, value, name },
		TD_VERSIONS(V) TD_CONTENT_TYPES(CT) TD_HANDSHAKES(HS) TD_ALERT_LEVELS(AL) TD_ALERTS(A)
#undef V
#undef CT
#undef HS
#undef AL
#undef A
	};
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		CU_ASSERT_EQUAL(rows[i].id, rows[i].value);
		const char *n = td_tls_lookup(rows[i].reg, (uint16_t)rows[i].value);
		CU_ASSERT_PTR_NOT_NULL_FATAL(n);
		CU_ASSERT_STRING_EQUAL(n, rows[i].name);
	}
	CU_ASSERT_EQUAL(TD_VERSION_TLS12, 0x0303);
	CU_ASSERT_EQUAL(TD_ALERT_LEVEL_FATAL, 2);
	CU_ASSERT_EQUAL(TD_ALERT_UNKNOWN_CA, 48);
	CU_ASSERT_EQUAL(TD_CT_APPLICATION_DATA, 23);
	CU_ASSERT_EQUAL(TLS13_ALERT_RECORD, 2 + 1 + 16);
	CU_ASSERT_TRUE(td_tls_version_is_13(TD_VERSION_TLS13_FB26));
	CU_ASSERT_TRUE(td_tls_version_is_13(TD_VERSION_TLS13_DRAFT28));
	CU_ASSERT_TRUE(td_tls_version_is_13(TD_VERSION_TLS13_GOOGLE2));
	CU_ASSERT_FALSE(td_tls_version_is_13(TD_VERSION_TLS12));
	CU_ASSERT_FALSE(td_tls_version_is_13(TD_VERSION_DTLS13));
}

/* Every name of every registry: td_tls_lookup_len() gives the name
 * td_tls_lookup() gives and its strlen, and the name needs no escaping
 * (the JSON writer puts it unscanned: td_jsonw_plain). */
static void test_names_plain(void)
{
	static const enum td_tls_registry regs[] = {
		TD_REG_VERSION, TD_REG_CIPHER, TD_REG_GROUP, TD_REG_SIGALG, TD_REG_EXTENSION,
		TD_REG_ALERT, TD_REG_ALERT_LEVEL, TD_REG_HANDSHAKE, TD_REG_CONTENT_TYPE,
		TD_REG_CERT_TYPE, TD_REG_HPKE_KDF, TD_REG_HPKE_AEAD, TD_REG_CERT_COMPRESSION,
	};
	size_t names = 0, bad = 0;
	for (size_t r = 0; r < sizeof regs / sizeof regs[0]; r++) {
		for (uint32_t v = 0; v <= 0xffff; v++) {
			size_t len = 99;
			const char *s = td_tls_lookup_len(regs[r], (uint16_t)v, &len);
			const char *t = td_tls_lookup(regs[r], (uint16_t)v);
			if (!s) {
				bad += t != NULL || len != 0;
				continue;
			}
			names++;
			bad += s != t || len != strlen(s) || len == 0;
			for (size_t i = 0; i < len; i++)
				bad += s[i] < 0x20 || s[i] > 0x7e || s[i] == '"' || s[i] == '\\';
		}
	}
	CU_ASSERT(names > 600);
	CU_ASSERT_EQUAL(bad, 0);
}

void td_suite_tls_record(void)
{
	CU_pSuite s = td_test_suite("tls_record");
	td_test_add(s, "registry constants and names from one table", test_registry_constants);
	td_test_add(s, "several records in one feed", test_several_records_one_feed);
	td_test_add(s, "records split at every byte", test_split_every_byte);
	td_test_add(s, "only the partial record is buffered", test_partial_is_buffered);
	td_test_add(s, "application data passed over unread", test_skip_appdata);
	td_test_add(s, "empty application data record", test_empty_app_data);
	td_test_add(s, "oversize record header", test_oversize_header);
	td_test_add(s, "SSLv2-compatible ClientHello", test_sslv2_hello);
	td_test_add(s, "scan finds TLS after STARTTLS text", test_starttls_scan);
	td_test_add(s, "scan rejects loose candidates", test_scan_rejects_loose_candidates);
	td_test_add(s, "scan gives up", test_gave_up);
	td_test_add(s, "gap then resync", test_gap_resync);
	td_test_add(s, "garbage between records", test_garbage_when_synced);
	td_test_add(s, "plausible header", test_plausible_header);
	td_test_add(s, "IANA names", test_names);
	td_test_add(s, "every name with its length, plain ASCII", test_names_plain);
	td_test_add(s, "GREASE and TLS 1.3 versions", test_grease);
}
