/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * steps.c - what the STARTTLS protocol files (lines.c, binary.c) call
 * to say what a frame was: the steps told to the caller, the ask, the
 * answer, the plaintext after, and the ASCII helpers they share.  Below
 * them and starttls.c; calls none of them.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "starttls_int.h"
#include "text.h"

/* ---- ASCII helpers ---- */

static int lower(uint8_t c)
{
	return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

static bool word_char(uint8_t c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_' || c == '-';
}

bool stls_prefix_ci(const uint8_t *p, size_t n, const char *w)
{
	size_t wl = strlen(w);
	if (wl > n)
		return false;
	for (size_t i = 0; i < wl; i++)
		if (lower(stls_at(p, n, i)) != lower((uint8_t)w[i]))
			return false;
	return true;
}

bool stls_word(const uint8_t *p, size_t n, const char *w)
{
	size_t wl = strlen(w);
	return stls_prefix_ci(p, n, w) && (wl == n || !word_char(stls_at(p, n, wl)));
}

bool stls_has(const uint8_t *p, size_t n, const char *w)
{
	size_t wl = strlen(w);
	for (size_t i = 0; i + wl <= n; i++) {
		if ((i == 0 || !word_char(stls_at(p, n, i - 1))) && stls_prefix_ci(p + i, n - i, w) &&
		    (i + wl == n || !word_char(stls_at(p, n, i + wl))))
			return true;
	}
	return false;
}

/* ---- steps and facts ---- */

static size_t trim(const uint8_t *p, size_t n)
{
	while (n > 0 && (stls_at(p, n, n - 1) == '\n' || stls_at(p, n, n - 1) == '\r'))
		n--;
	return n;
}

static bool room_for(struct td_stls *s, enum td_stls_role role)
{
	/* The steps that decide (the ask, the answer, the plaintext after)
	 * are always told; the rest up to the cap.  The timeline has its own
	 * cap (TD_CAP_EVENTS) behind this one. */
	if (role == TD_STLS_STEP && s->steps >= TD_CAP_STLS_STEPS) {
		s->steps_dropped++;
		return false;
	}
	s->steps++;
	return true;
}

void stls_step(struct td_stls *s, enum td_dir dir, const uint8_t *text, size_t n, size_t wire,
	       enum td_stls_role role)
{
	if (!s->out || !room_for(s, role))
		return;
	char *t = td_text_sanitize(text, trim(text, n));
	if (!t) {
		s->steps_dropped++;
		return;
	}
	s->out->step(s->out->ctx, dir, t, wire, role);
	free(t);
}

void stls_step_str(struct td_stls *s, enum td_dir dir, const char *text, size_t wire,
		   enum td_stls_role role)
{
	if (!s->out || !room_for(s, role))
		return;
	/* Callers format into TD_STLS_TEXT_MAX buffers and cut at a character;
	 * the copy cuts again so that no caller can hand on half a character. */
	char copy[2 * TD_STLS_TEXT_MAX];
	snprintf(copy, sizeof copy, "%s", text);
	td_text_cut_utf8(copy);
	s->out->step(s->out->ctx, dir, copy, wire, role);
}

void stls_quote(char *dst, const uint8_t *p, size_t n)
{
	n = trim(p, n);
	char *t = td_text_sanitize(p, n < TD_STLS_TEXT_MAX - 1 ? n : TD_STLS_TEXT_MAX - 1);
	dst[0] = '\0';
	if (!t)
		return;
	snprintf(dst, TD_STLS_TEXT_MAX, "%s", t);
	td_text_cut_utf8(dst);
	free(t);
}

void stls_ask(struct td_stls *s)
{
	s->asked = true;
	s->answered = s->agreed = s->refused = false;
	s->answer[0] = '\0';
}

void stls_agree(struct td_stls *s)
{
	s->answered = s->agreed = true;
	s->d[TD_DIR_C2S].tls = s->d[TD_DIR_S2C].tls = true;
}

void stls_refuse(struct td_stls *s, const uint8_t *quote, size_t n)
{
	s->answered = s->refused = true;
	stls_quote(s->answer, quote, n);
}

void stls_after(struct td_stls *s, const char *text)
{
	if (!s->plaintext_after) {
		s->plaintext_after = true;
		snprintf(s->after, sizeof s->after, "%s", text);
		td_text_cut_utf8(s->after);
		stls_step_str(s, TD_DIR_C2S, text, 0, TD_STLS_AFTER);
	}
	/* Past this, the session is plaintext: nothing more to learn, and
	 * what follows (a mail, a query) is no business of ours. */
	s->state = ST_DONE;
}

