/* SPDX-License-Identifier: GPL-2.0-or-later */
/* textdiag.c - diagnoses in the text report (see textdiag.h). */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "textdiag.h"

enum {
	IND = 4,           /* the heading of a diagnosis */
	IND_TEXT = 6,      /* its summary, fix, evidence and timeline pointers */
	IND_EVIDENCE = 10, /* the text after "why: " and "fix: " ... */
	IND_SEE = IND_TEXT + sizeof "see: timeline " - 1  /* ... and after this */
};

static enum td_tw_color sev_color(enum td_severity s)
{
	return s == TD_SEV_ERROR ? TD_TW_RED : s == TD_SEV_WARNING ? TD_TW_YELLOW : TD_TW_DIM;
}

/* "+0.015570": the time of timeline entry idx. */
static void event_time(char *buf, size_t len, const struct td_conn *c, size_t idx)
{
	buf[0] = '\0';
	if (idx >= c->n_events)
		return;
	uint64_t t = c->events[idx].ts_us >= c->start_us ? c->events[idx].ts_us - c->start_us : 0;
	snprintf(buf, len, "+%" PRIu64 ".%06" PRIu64, t / 1000000u, t % 1000000u);
}

/* Said after the stage: what rests on sizes and order is marked. */
#define INFERRED(d) ((d)->confidence == TD_CONF_INFERRED ? " (inferred)" : "")

static void full(struct td_tw *t, const struct td_conn *c, const struct td_diagnosis *d)
{
	char head[160];
	td_tw_spaces(t, IND);
	snprintf(head, sizeof head, "%s %s", d->severity == TD_SEV_ERROR ? "ERROR" :
		 d->severity == TD_SEV_WARNING ? "WARNING" : "INFO", d->code);
	td_tw_text(t, head, sev_color(d->severity), true, IND_TEXT);
	if (d->gave_up != TD_PARTY_NOBODY)
		snprintf(head, sizeof head, "at %s, the %s gave up%s", td_stage_name(d->stage),
			 td_party_name(d->gave_up), INFERRED(d));
	else
		snprintf(head, sizeof head, "at %s%s", td_stage_name(d->stage), INFERRED(d));
	/* Stage and party stay together, on the next line if need be. */
	td_tw_item(t, "  ", head, IND_TEXT, TD_TW_RESET);
	td_tw_end(t);

	td_tw_spaces(t, IND_TEXT);
	td_tw_text(t, d->summary, TD_TW_RESET, true, IND_TEXT);
	td_tw_end(t);
	if (d->fix) {
		td_tw_spaces(t, IND_TEXT);
		td_tw_put(t, "fix: ");
		td_tw_text(t, d->fix, TD_TW_RESET, true, IND_EVIDENCE + 1);
		td_tw_end(t);
	}
	for (size_t i = 0; i < d->evidence.n; i++) {
		td_tw_spaces(t, IND_TEXT);
		td_tw_put(t, i == 0 ? "why: " : "     ");
		td_tw_text(t, d->evidence.v[i], TD_TW_DIM, true, IND_EVIDENCE + 1);
		td_tw_end(t);
	}
	if (d->n_events > 0) {
		char line[200] = "", tm[32];
		size_t o = 0;
		for (size_t i = 0; i < d->n_events; i++) {
			event_time(tm, sizeof tm, c, d->events[i]);
			int k = snprintf(line + o, sizeof line - o, "%s%s", i ? ", " : "", tm);
			if (k < 0 || (size_t)k >= sizeof line - o)
				break;
			o += (size_t)k;
		}
		td_tw_spaces(t, IND_TEXT);
		td_tw_put(t, "see: timeline ");
		td_tw_text(t, line, TD_TW_RESET, true, IND_SEE);
		td_tw_end(t);
	}
}

static void brief(struct td_tw *t, const struct td_diagnosis *d)
{
	char head[96];
	td_tw_spaces(t, IND);
	snprintf(head, sizeof head, "%s %s", d->severity == TD_SEV_WARNING ? "warning" : "info",
		 d->code);
	td_tw_text(t, head, sev_color(d->severity), true, IND_TEXT);
	td_tw_put(t, ":");
	/* The space as text: dropped, not overflowing, at the end of a
	 * line. */
	td_tw_text(t, " ", TD_TW_RESET, true, IND_TEXT);
	td_tw_text(t, d->summary, TD_TW_RESET, true, IND_TEXT);
	td_tw_end(t);
}

void td_text_diagnoses(struct td_tw *t, const struct td_conn *c, bool verbose)
{
	for (size_t i = 0; i < c->n_diags; i++) {
		const struct td_diagnosis *d = &c->diags[i];
		if (d->severity == TD_SEV_ERROR || verbose)
			full(t, c, d);
		else
			brief(t, d);
	}
}

void td_code_counts_print(struct td_tw *t, const struct td_code_counts *cc)
{
	if (cc->used == 0)
		return;
	td_tw_put(t, "diagnoses: ");
	td_tw_mark(t);
	for (int sev = TD_SEV_ERROR; sev >= TD_SEV_INFO; sev--) {
		for (size_t k = 0; k < cc->used; k++) {
			if ((int)cc->sev[k] != sev)
				continue;
			char buf[96];
			snprintf(buf, sizeof buf, "%" PRIu64 " %s", cc->n[k], cc->code[k]);
			td_tw_item(t, ", ", buf, 11, sev_color(cc->sev[k]));
		}
	}
	td_tw_end(t);
}
