/* SPDX-License-Identifier: GPL-2.0-or-later */
/* anomaly.c - anomalies as data, and their messages (see anomaly.h). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "anomaly.h"
#include "caps.h"
#include "conn.h"

struct an_info {
	const char *name;
	enum td_severity severity;
	const char *tmpl;
};

#define TD_AN_INFO(code, name, sev, tmpl) [code] = { name, sev, tmpl },
static const struct an_info info[TD_AN_COUNT] = {
	TD_ANOMALIES(TD_AN_INFO)
};
#undef TD_AN_INFO

const char *td_anomaly_name(enum td_anomaly_code code)
{
	return (unsigned)code < TD_AN_COUNT ? info[code].name : "unknown";
}

const char *td_anomaly_template(enum td_anomaly_code code)
{
	return (unsigned)code < TD_AN_COUNT ? info[code].tmpl : NULL;
}

enum td_severity td_anomaly_severity(enum td_anomaly_code code)
{
	return (unsigned)code < TD_AN_COUNT ? info[code].severity : TD_SEV_INFO;
}

/* One piece of a message: a run of template text or one placeholder's
 * value.  Returns the template bytes it took (0 at the end). */
struct piece {
	const char *p;
	size_t len;
	int str;        /* index of the string argument it is, or -1 */
	char num[24];   /* the number's digits, for %u */
};

static size_t next_piece(const struct td_anomaly *a, const char *t, size_t left, int *n_str,
			 struct piece *pc)
{
	pc->str = -1;
	if (left == 0)
		return 0;
	if (t[0] != '%' || left < 2) {
		size_t k = 1;
		while (k < left && t[k] != '%')
			k++;
		pc->p = t;
		pc->len = k;
		return k;
	}
	switch (t[1]) {
	case 'p':
		pc->p = td_dir_from(a->dir ? TD_DIR_S2C : TD_DIR_C2S);
		break;
	case 'u':
		snprintf(pc->num, sizeof pc->num, "%llu", (unsigned long long)a->num);
		pc->p = pc->num;
		break;
	case 's':
		pc->str = *n_str < 2 ? (*n_str)++ : -1;
		pc->p = pc->str >= 0 && a->str[pc->str] ? a->str[pc->str] : "";
		break;
	default:  /* "%%", or a stray '%': the character after it */
		pc->p = t + 1;
		pc->len = 1;
		return 2;
	}
	pc->len = strlen(pc->p);
	return 2;
}

/* The template bytes a message of a uses. */
static size_t tmpl_len(const struct td_anomaly *a, const char *t)
{
	size_t n = strlen(t);
	return a->end && a->end < n ? a->end : n;
}

size_t td_anomaly_format(const struct td_anomaly *a, char *buf, size_t len)
{
	const char *t = td_anomaly_template(a->code);
	size_t o = 0;
	if (t) {
		size_t left = tmpl_len(a, t), took;
		int n_str = 0;
		struct piece pc;
		while ((took = next_piece(a, t, left, &n_str, &pc)) > 0) {
			if (len > 0 && o < len - 1)
				memcpy(buf + o, pc.p, pc.len < len - 1 - o ? pc.len : len - 1 - o);
			o += pc.len;
			t += took;
			left -= took;
		}
	}
	if (len > 0)
		buf[o < len - 1 ? o : len - 1] = '\0';
	return o;
}

/* Where a message over TD_ANOMALY_TEXT - 1 bytes stops: cut the string
 * that crosses the limit and end the template after it, or end the
 * template inside its own text that crosses it.  A number or a party
 * that would cross it is left out whole. */
static void cut_to_fit(struct td_anomaly *a)
{
	const char *t0 = td_anomaly_template(a->code), *t = t0;
	size_t left = strlen(t0), took, o = 0, room = TD_ANOMALY_TEXT - 1;
	int n_str = 0;
	struct piece pc;
	while ((took = next_piece(a, t, left, &n_str, &pc)) > 0) {
		if (pc.len > room - o) {
			size_t keep = room - o;
			if (pc.str >= 0) {
				a->str[pc.str][keep] = '\0';
				a->end = (uint16_t)(t - t0 + (ptrdiff_t)took);
			} else if (pc.p == t) {
				a->end = (uint16_t)(t - t0 + (ptrdiff_t)keep);
			} else {
				a->end = (uint16_t)(t - t0);
			}
			/* 0 would read as "all": keep one byte at least. */
			if (a->end == 0)
				a->end = 1;
			return;
		}
		o += pc.len;
		t += took;
		left -= took;
	}
}

static void anomaly_cleanup(struct td_anomaly *a)
{
	free(a->str[0]);
	free(a->str[1]);
	memset(a, 0, sizeof *a);
}

enum td_result td_anomalies_add(struct td_anomalies *l, enum td_anomaly_code code, uint8_t dir,
				uint64_t num, const char *s0, const char *s1)
{
	if (l->n >= TD_CAP_ANOMALIES) {
		l->dropped++;
		return TD_OK;
	}
	if (l->n == l->alloc) {
		size_t na = l->alloc ? l->alloc * 2 : 4;
		if (na > TD_CAP_ANOMALIES)
			na = TD_CAP_ANOMALIES;
		struct td_anomaly *v = realloc(l->v, na * sizeof *v);
		if (!v)
			return TD_ERR_NOMEM;
		l->v = v;
		l->alloc = na;
	}
	struct td_anomaly a = { .code = code, .dir = dir, .num = num };
	a.str[0] = s0 ? strdup(s0) : NULL;
	a.str[1] = s1 ? strdup(s1) : NULL;
	if ((s0 && !a.str[0]) || (s1 && !a.str[1])) {
		anomaly_cleanup(&a);
		return TD_ERR_NOMEM;
	}
	cut_to_fit(&a);
	l->v[l->n++] = a;
	return TD_OK;
}

enum td_result td_anomalies_copy(struct td_anomalies *dst, const struct td_anomalies *src)
{
	memset(dst, 0, sizeof *dst);
	dst->dropped = src->dropped;
	if (src->n == 0)
		return TD_OK;
	dst->v = calloc(src->n, sizeof *dst->v);
	if (!dst->v)
		return TD_ERR_NOMEM;
	dst->alloc = src->n;
	for (size_t i = 0; i < src->n; i++) {
		struct td_anomaly *d = &dst->v[i];
		*d = src->v[i];
		d->str[0] = d->str[1] = NULL;
		dst->n++;
		for (int k = 0; k < 2; k++) {
			if (src->v[i].str[k] && !(d->str[k] = strdup(src->v[i].str[k]))) {
				td_anomalies_cleanup(dst);
				return TD_ERR_NOMEM;
			}
		}
	}
	return TD_OK;
}

void td_anomalies_cleanup(struct td_anomalies *l)
{
	for (size_t i = 0; i < l->n; i++)
		anomaly_cleanup(&l->v[i]);
	free(l->v);
	memset(l, 0, sizeof *l);
}
