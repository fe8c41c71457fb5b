/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * textdiag.h - the diagnoses of a connection in the text report (private
 * to src/render/text/).  A failed connection leads with its diagnoses: code,
 * stage and who gave up, the summary, the fix, and the evidence with the
 * time of the timeline entry it points at.  Warnings and information
 * follow, one line each unless verbose.
 */
#ifndef TD_OUT_TEXTDIAG_H
#define TD_OUT_TEXTDIAG_H

#include <stdbool.h>
#include "conn.h"
#include "render.h"
#include "textw.h"

void td_text_diagnoses(struct td_tw *t, const struct td_conn *c, bool verbose);

/* The run's code counts (render.h) as the summary's "diagnoses:" line. */
void td_code_counts_print(struct td_tw *t, const struct td_code_counts *cc);

#endif
