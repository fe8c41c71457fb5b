/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_model.c - the event builder the output tests share, and the
 * event that ended a handshake (the fate's end, td_fate_judge()) over a
 * growing timeline.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "conn.h"
#include "diagnose.h"
#include "tests.h"

void td_test_chain(struct td_chain *ch, size_t n)
{
	CU_ASSERT_FATAL(ch->n + n <= TD_CAP_CHAIN);
	for (size_t i = 0; i < n; i++) {
		struct td_cert *cert = td_cert_new();
		CU_ASSERT_PTR_NOT_NULL_FATAL(cert);
		ch->certs[ch->n++] = cert;
	}
}

void td_test_event(struct td_conn *c, uint64_t dt_us, enum td_dir dir, enum td_event_kind kind,
		   uint8_t hs, uint32_t len, const char *detail)
{
	struct td_event e;
	memset(&e, 0, sizeof e);
	e.ts_us = c->start_us + dt_us;
	e.dir = dir;
	e.kind = kind;
	e.hs_type = hs;
	e.length = len;
	char copy[256];  /* the event's detail is not const; it is copied */
	if (detail) {
		snprintf(copy, sizeof copy, "%s", detail);
		e.detail = copy;
	}
	CU_ASSERT_EQUAL_FATAL(td_conn_add_event(c, &e, NULL), TD_OK);
}

void td_test_fate(struct td_conn *c, enum td_outcome outcome)
{
	td_fate_judge(c, true);
	c->fate.outcome = outcome;
}

enum { LEVEL_WARNING = 1, LEVEL_FATAL = 2, DESC_CLOSE_NOTIFY = 0, DESC_UNKNOWN_CA = 48 };

static void add(struct td_conn *c, enum td_event_kind kind, enum td_dir dir, uint8_t level,
		bool encrypted, bool decrypted)
{
	struct td_event ev = { .kind = kind, .dir = dir, .alert_level = level,
			       .alert_desc = level == LEVEL_FATAL ? DESC_UNKNOWN_CA : DESC_CLOSE_NOTIFY,
			       .encrypted = encrypted, .decrypted = decrypted };
	CU_ASSERT_EQUAL_FATAL(td_conn_add_event(c, &ev, NULL), TD_OK);
}

static size_t end_event(struct td_conn *c)
{
	td_fate_judge(c, true);
	return c->fate.end;
}

/* Each case: the events in order, and the index that must be chosen. */
static void test_end_event(void)
{
	struct td_conn *c = td_conn_new(1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_EQUAL(end_event(c), SIZE_MAX);  /* nothing happened */
	add(c, TD_EV_HANDSHAKE, TD_DIR_C2S, 0, false, false);
	add(c, TD_EV_TCP_FIN, TD_DIR_C2S, 0, false, false);
	CU_ASSERT_EQUAL(end_event(c), 1);          /* only a FIN */
	add(c, TD_EV_TCP_RST, TD_DIR_S2C, 0, false, false);
	CU_ASSERT_EQUAL(end_event(c), 1);          /* the first close: the reset answers it */
	add(c, TD_EV_ALERT, TD_DIR_S2C, LEVEL_FATAL, false, false);
	CU_ASSERT_EQUAL(end_event(c), 1);          /* an alert after the peer's FIN: a reaction */
	td_conn_free(c);

	/* Alerts before any close (issue 15: the cause, not the consequence). */
	c = td_conn_new(3);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	add(c, TD_EV_HANDSHAKE, TD_DIR_C2S, 0, false, false);
	add(c, TD_EV_ALERT, TD_DIR_S2C, 0, true, false);
	add(c, TD_EV_TCP_RST, TD_DIR_S2C, 0, false, false);
	CU_ASSERT_EQUAL(end_event(c), 1);          /* an unreadable alert before the close */
	td_conn_free(c);
	c = td_conn_new(4);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	add(c, TD_EV_HANDSHAKE, TD_DIR_C2S, 0, false, false);
	add(c, TD_EV_ALERT, TD_DIR_S2C, 0, true, false);
	CU_ASSERT_EQUAL(end_event(c), 1);
	add(c, TD_EV_ALERT, TD_DIR_C2S, LEVEL_WARNING, false, false);
	CU_ASSERT_EQUAL(end_event(c), 1);          /* a warning alert ends nothing */
	add(c, TD_EV_ALERT, TD_DIR_S2C, LEVEL_FATAL, true, true);
	CU_ASSERT_EQUAL(end_event(c), 3);          /* a decrypted fatal alert wins */
	add(c, TD_EV_ALERT, TD_DIR_C2S, LEVEL_FATAL, false, false);
	CU_ASSERT_EQUAL(end_event(c), 3);          /* the first fatal alert, not a later one */
	add(c, TD_EV_TCP_RST, TD_DIR_C2S, 0, false, false);
	CU_ASSERT_EQUAL(end_event(c), 3);          /* the close after it is its consequence */
	td_conn_free(c);

	/* An encrypted alert never decrypted is not read as fatal, even if
	 * its level byte says so: its level is not known. */
	c = td_conn_new(2);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	add(c, TD_EV_HANDSHAKE, TD_DIR_C2S, 0, false, false);
	add(c, TD_EV_ALERT, TD_DIR_S2C, LEVEL_FATAL, true, false);
	add(c, TD_EV_TCP_RST, TD_DIR_C2S, 0, false, false);
	CU_ASSERT_EQUAL(end_event(c), 1);
	CU_ASSERT_EQUAL(c->fate.how, TD_END_ENCRYPTED_ALERT);
	CU_ASSERT_EQUAL(c->fate.fatal, SIZE_MAX);
	td_conn_free(c);
}

void td_suite_model(void)
{
	CU_pSuite s = td_test_suite("model");
	td_test_add(s, "the event that ended the handshake", test_end_event);
}
