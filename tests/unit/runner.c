/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * runner.c - runs every CUnit suite.  The exit status is the number of
 * failed tests (plus failed assertions outside tests), never
 * CU_get_error() alone, which is 0 even when assertions fail.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/Basic.h>

#include "tests.h"

static char datadir[4096];

size_t td_test_unhex(const char *s, uint8_t *out, size_t max)
{
	size_t n = 0;
	int hi = -1;
	for (; *s; s++) {
		int v;
		if (*s >= '0' && *s <= '9')
			v = *s - '0';
		else if (*s >= 'a' && *s <= 'f')
			v = *s - 'a' + 10;
		else if (*s >= 'A' && *s <= 'F')
			v = *s - 'A' + 10;
		else
			continue;
		if (hi < 0) {
			hi = v;
		} else {
			if (n >= max)
				abort();
			out[n++] = (uint8_t)(hi << 4 | v);
			hi = -1;
		}
	}
	if (hi >= 0)
		abort();
	return n;
}

const char *td_test_datadir(void)
{
	return datadir;
}

CU_pSuite td_test_suite(const char *name)
{
	CU_pSuite s = CU_add_suite(name, NULL, NULL);
	if (!s) {
		fprintf(stderr, "CUnit: cannot add suite %s: %s\n", name, CU_get_error_msg());
		exit(99);
	}
	return s;
}

void td_test_add(CU_pSuite s, const char *name, CU_TestFunc fn)
{
	if (!CU_add_test(s, name, fn)) {
		fprintf(stderr, "CUnit: cannot add test %s: %s\n", name, CU_get_error_msg());
		exit(99);
	}
}

int main(int argc, char **argv)
{
	const char *top = getenv("top_srcdir");
	snprintf(datadir, sizeof datadir, "%s/tests/unit/data", top ? top : ".");

	if (CU_initialize_registry() != CUE_SUCCESS) {
		fprintf(stderr, "CUnit: %s\n", CU_get_error_msg());
		return 99;
	}
	td_suite_util();
	td_suite_packet();
	td_suite_reasm();
	td_suite_flowtab();
	td_suite_tls_record();
	td_suite_tls_handshake();
	td_suite_x509();
	td_suite_out();
	td_suite_engine();
	td_suite_verify();
	td_suite_diagnose();
	td_suite_app();
	td_suite_app_stls();
	td_suite_keylog();
	td_suite_pcapng();
	td_suite_crypto();
	td_suite_infer();
	td_suite_tui();
	td_suite_crypto12();
	td_suite_crypto_legacy();
	td_suite_quic();
	td_suite_quic_keys();
	td_suite_markdown();
	td_suite_redact();
	td_suite_textwidth();
	td_suite_redact_ca();
	td_suite_model();
	td_suite_tls_input();
	td_suite_anomaly();
	td_suite_textw();
	td_suite_outfile();
	td_suite_fate();
	td_suite_tui_agree();
	td_suite_certshare();
	td_suite_alerts();
	td_suite_later();
	td_suite_ja4();
	td_suite_quic_tp();
	td_suite_starttls();
	td_suite_hello16();
	td_suite_resume();
	td_suite_quic_fate();
	td_suite_decomp();
	td_suite_ecs();
	td_suite_queue();

	CU_basic_set_mode(CU_BRM_NORMAL);
	if (argc > 1) {
		/* Run one suite by name: unit_tests SUITE */
		CU_pSuite s = CU_get_suite(argv[1]);
		if (!s) {
			fprintf(stderr, "no suite named %s\n", argv[1]);
			CU_cleanup_registry();
			return 2;
		}
		CU_basic_run_suite(s);
	} else {
		CU_basic_run_tests();
	}
	unsigned failed = CU_get_number_of_tests_failed();
	unsigned asserts_failed = CU_get_number_of_failures();
	unsigned run = CU_get_number_of_tests_run();
	printf("\nunit: %u passed, %u failed\n", run - failed, failed);
	CU_cleanup_registry();
	if (run == 0) {
		fprintf(stderr, "no test ran\n");
		return 1;
	}
	return failed > 0 ? (int)(failed > 99 ? 99 : failed) : asserts_failed > 0 ? 1 : 0;
}
