/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * tests.h - the CUnit suites of tlsdiag.  Each tests/unit/test_*.c file
 * defines one registration function that adds its suite(s); runner.c
 * (the only file that runs CUnit) calls them all.
 */
#ifndef TD_TESTS_H
#define TD_TESTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <CUnit/CUnit.h>

#include "conn.h"

void td_suite_util(void);
void td_suite_packet(void);
void td_suite_reasm(void);
void td_suite_flowtab(void);
void td_suite_tls_record(void);
void td_suite_tls_handshake(void);
void td_suite_x509(void);
void td_suite_out(void);
void td_suite_engine(void);
void td_suite_verify(void);
void td_suite_diagnose(void);
void td_suite_keylog(void);
void td_suite_pcapng(void);
void td_suite_crypto(void);
void td_suite_infer(void);
void td_suite_tui(void);
void td_suite_crypto12(void);
void td_suite_crypto_legacy(void);
void td_suite_quic(void);
void td_suite_quic_keys(void);
void td_suite_markdown(void);
void td_suite_redact(void);
void td_suite_textwidth(void);
void td_suite_redact_ca(void);
void td_suite_model(void);
void td_suite_tls_input(void);
void td_suite_anomaly(void);
void td_suite_textw(void);
void td_suite_outfile(void);
void td_suite_fate(void);
void td_suite_tui_agree(void);
void td_suite_certshare(void);
void td_suite_alerts(void);
void td_suite_app(void);
void td_suite_app_stls(void);
void td_suite_later(void);
void td_suite_ja4(void);
void td_suite_quic_tp(void);
void td_suite_starttls(void);
void td_suite_hello16(void);
void td_suite_resume(void);
void td_suite_quic_fate(void);
void td_suite_decomp(void);
void td_suite_ecs(void);
void td_suite_queue(void);

/* Append an event to c (test_model.c): at c->start_us + dt_us, with a
 * handshake type, a length and a detail (copied; NULL for none). */
void td_test_event(struct td_conn *c, uint64_t dt_us, enum td_dir dir, enum td_event_kind kind,
		   uint8_t hs, uint32_t len, const char *detail);

/* Judge c's fate (td_fate_judge(c, true)) as the engine does before a
 * sink sees it, then give it the outcome the test means (a built
 * connection need not carry every fact the engine would have). */
void td_test_fate(struct td_conn *c, enum td_outcome outcome);
/* Give ch n empty certificates (td_cert_new, test_model.c), certs[0..n)
 * for the test to fill; aborts the test when memory runs out. */
void td_test_chain(struct td_chain *ch, size_t n);

/* Directory of test data (tests/unit/data), from $top_srcdir. */
const char *td_test_datadir(void);
/* Decode hex (blanks ignored) into out; the byte count.  Aborts on an
 * odd digit count or more than max bytes: test data is wrong. */
size_t td_test_unhex(const char *s, uint8_t *out, size_t max);

/* True when s[0..n) is exactly one valid JSON value (test_out.c's
 * strict validator). */
bool td_test_json_valid(const char *s, size_t n);

/* Add a suite, aborting the run when CUnit cannot (out of memory). */
CU_pSuite td_test_suite(const char *name);
/* Add a test to a suite. */
void td_test_add(CU_pSuite s, const char *name, CU_TestFunc fn);

#endif
