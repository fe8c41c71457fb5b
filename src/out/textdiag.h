/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * textdiag.h - the diagnoses of a connection in the text report (private
 * to src/out/).  A failed connection leads with its diagnoses: code,
 * stage and who gave up, the summary, the fix, and the evidence with the
 * time of the timeline entry it points at.  Warnings and information
 * follow, one line each unless verbose.
 */
#ifndef TD_OUT_TEXTDIAG_H
#define TD_OUT_TEXTDIAG_H

#include <stdbool.h>
#include "conn.h"
#include "textw.h"

void td_text_diagnoses(struct td_tw *t, const struct td_conn *c, bool verbose);

/* Counts per diagnosis code over a run, for the summary. */
#define TD_TEXT_CODES 64
struct td_code_counts {
	const char *code[TD_TEXT_CODES];  /* static strings from the rules table */
	uint64_t n[TD_TEXT_CODES];
	enum td_severity sev[TD_TEXT_CODES];
	size_t used;
};
void td_code_counts_add(struct td_code_counts *cc, const struct td_conn *c);
void td_code_counts_print(struct td_tw *t, const struct td_code_counts *cc);

#endif
