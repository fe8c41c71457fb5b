/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * lines.c - the text protocols of the STARTTLS recogniser (starttls.h):
 * one call per line (SMTP, FTP, IMAP, POP3) or per XML tag (XMPP).
 *
 *   SMTP (RFC 3207 4, RFC 5321 4.2)       FTP (RFC 4217 4, RFC 2389 FEAT)
 *   S: 220 mail.example ESMTP             S: 220 ftp.example ready
 *   C: EHLO client.example                C: FEAT
 *   S: 250-mail.example                   S: 211-Features:
 *   S: 250 STARTTLS                       S:  AUTH TLS
 *   C: STARTTLS                           S: 211 End
 *   S: 220 Ready to start TLS             C: AUTH TLS
 *      (454 TLS not available: refused)   S: 234 Proceed (4xx, 5xx: refused)
 *
 *   IMAP (RFC 9051 6.2.1, 7.1)            POP3 (RFC 2595 4)
 *   S: * OK [CAPABILITY ... STARTTLS]     S: +OK ready
 *   C: a1 STARTTLS                        C: CAPA
 *   S: a1 OK Begin TLS now                S: +OK / STLS / .
 *      (a1 NO / a1 BAD: refused)          C: STLS
 *                                         S: +OK (-ERR: refused)
 *
 *   XMPP (RFC 6120 5.4.2)
 *   C: <stream:stream ...>    S: <stream:stream ...><stream:features>
 *   S: <starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/></stream:features>
 *   C: <starttls xmlns=.../>  S: <proceed xmlns=.../> (<failure/>: refused)
 *
 * Replies of several lines (SMTP "250-", FTP "211-" up to "211 End")
 * are followed to their last line, which carries the answer.  A
 * client's command after a refusal (or after capabilities without the
 * upgrade) is the plaintext the diagnosis reports; its arguments are
 * hidden when they may be a secret (PASS, LOGIN, AUTH, APOP, or the line
 * answering a server's continuation "334" / "+ ").
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "starttls_int.h"
#include "text.h"

/* The end of the k-th word (k >= 1) of the n bytes at p (spaces part
 * words), or n. */
static size_t words_end(const uint8_t *p, size_t n, size_t k)
{
	size_t i = 0;
	for (size_t w = 0; w < k; w++) {
		while (i < n && stls_at(p, n, i) == ' ')
			i++;
		while (i < n && stls_at(p, n, i) != ' ')
			i++;
	}
	return i;
}

/* The line's i-th word (from 0): *w and its length. */
static size_t word_at(const uint8_t *p, size_t n, size_t k, const uint8_t **w)
{
	size_t b = k == 0 ? 0 : words_end(p, n, k);
	while (b < n && stls_at(p, n, b) == ' ')
		b++;
	size_t e = b;
	while (e < n && stls_at(p, n, e) != ' ' && stls_at(p, n, e) != '\r' && stls_at(p, n, e) != '\n')
		e++;
	*w = p + b;
	return e - b;
}

static size_t trimmed(const uint8_t *p, size_t n)
{
	while (n > 0 && (stls_at(p, n, n - 1) == '\n' || stls_at(p, n, n - 1) == '\r'))
		n--;
	return n;
}

/* The command as shown: its first `keep` words, then "[hidden]" in place
 * of the rest when `secret`. */
static void shown(const uint8_t *p, size_t n, size_t keep, bool secret, char *out, size_t len)
{
	n = trimmed(p, n);
	size_t e = secret ? words_end(p, n, keep) : n;
	if (e > TD_STLS_TEXT_MAX - 16)
		e = TD_STLS_TEXT_MAX - 16;
	char *t = td_text_sanitize(p, e);
	snprintf(out, len, "%s%s", t ? t : "", secret && e < n ? " [hidden]" : "");
	td_text_cut_utf8(out);
	free(t);
}

/* The client went on in plaintext (after a refusal, or after the
 * capabilities without asking, whether or not they offered the upgrade):
 * the finding.  Before the capabilities, the session is not read. */
static void plaintext(struct td_stls *s, const struct frame *fr, size_t keep, bool secret)
{
	if (stls_clear_matters(s)) {
		char t[TD_STLS_TEXT_MAX];
		shown(fr->p, fr->len, keep, secret, t, sizeof t);
		stls_after(s, t);
		return;
	}
	s->state = ST_DONE;
}

/* A client's line answering a continuation: maybe a credential. */
static bool hidden_line(struct td_stls *s, const struct frame *fr)
{
	if (!s->secret_next || fr->dir != TD_DIR_C2S)
		return false;
	s->secret_next = false;
	if (stls_clear_matters(s))
		stls_after(s, "[hidden]");
	else
		stls_step_str(s, fr->dir, "[hidden]", fr->wire, TD_STLS_STEP);
	return true;
}

/* ---- SMTP and FTP: 3-digit replies ---- */

bool stls_smtp_or_ftp(struct td_stls *s, const uint8_t *p, size_t n)
{
	static const char *const smtp[] = { "ehlo", "helo", "lhlo", "starttls", "mail" };
	static const char *const ftp[] = { "auth", "user", "feat", "syst", "pbsz", "opts", "pass" };
	for (size_t i = 0; i < sizeof smtp / sizeof smtp[0]; i++)
		if (stls_word(p, n, smtp[i])) {
			s->proto = TD_STLS_SMTP;
			s->smtp_or_ftp = false;
			return true;
		}
	for (size_t i = 0; i < sizeof ftp / sizeof ftp[0]; i++)
		if (stls_word(p, n, ftp[i])) {
			s->proto = TD_STLS_FTP;
			s->smtp_or_ftp = false;
			return true;
		}
	return false;
}

static bool code3(const uint8_t *p, size_t n, int *code)
{
	if (n < 3 || stls_at(p, n, 0) < '0' || stls_at(p, n, 0) > '9' || stls_at(p, n, 1) < '0' || stls_at(p, n, 1) > '9' || stls_at(p, n, 2) < '0' ||
	    stls_at(p, n, 2) > '9')
		return false;
	*code = (stls_at(p, n, 0) - '0') * 100 + (stls_at(p, n, 1) - '0') * 10 + (stls_at(p, n, 2) - '0');
	return true;
}

/* Case-insensitive substring. */
static bool contains(const uint8_t *p, size_t n, const char *w)
{
	size_t wl = strlen(w);
	for (size_t i = 0; i + wl <= n; i++) {
		size_t j = 0;
		while (j < wl && (stls_at(p, n, i + j) | 0x20) == (w[j] | 0x20))
			j++;
		if (j == wl)
			return true;
	}
	return false;
}

/* A 3-digit greeting that names its protocol ("ESMTP", "vsFTPd"). */
static void greeting_hint(struct td_stls *s, const uint8_t *p, size_t n)
{
	if (contains(p, n, "smtp")) {
		s->proto = TD_STLS_SMTP;
		s->smtp_or_ftp = false;
	} else if (contains(p, n, "ftp")) {
		s->proto = TD_STLS_FTP;
		s->smtp_or_ftp = false;
	}
}

/* Does this capability line offer the upgrade? */
static bool offers(const struct td_stls *s, const uint8_t *p, size_t n)
{
	if (s->proto == TD_STLS_FTP)
		return stls_has(p, n, "auth") && (stls_has(p, n, "tls") || stls_has(p, n, "ssl"));
	return stls_has(p, n, "starttls");
}

static void reply_line(struct td_stls *s, const struct frame *fr)
{
	const uint8_t *p = fr->p;
	size_t n = trimmed(p, fr->len);
	int code = 0;
	bool coded = code3(p, n, &code);
	bool last;
	if (s->reply) {
		/* Inside a reply of several lines: it ends at "<code> " (FTP's
		 * middle lines may be anything, RFC 959 4.2). */
		last = coded && code == s->reply && (n == 3 || stls_at(p, n, 3) == ' ');
	} else {
		last = !(coded && n > 3 && stls_at(p, n, 3) == '-');
		if (!last && coded)
			s->reply = code;
	}
	if (s->smtp_or_ftp)
		greeting_hint(s, p, n);
	if (s->in_caps && offers(s, p, n))
		s->reply_offers = true;
	bool answer = last && s->asked && !s->answered;
	if (!answer) {
		stls_step(s, fr->dir, p, n, fr->wire, TD_STLS_STEP);
	} else if (coded && code >= 200 && code < 300) {
		stls_step(s, fr->dir, p, n, fr->wire, TD_STLS_ANSWER);
		stls_agree(s);
	} else if (coded && code >= 400) {
		stls_step(s, fr->dir, p, n, fr->wire, TD_STLS_ANSWER);
		stls_refuse(s, p, n);
	} else {
		stls_step(s, fr->dir, p, n, fr->wire, TD_STLS_STEP);
	}
	if (last) {
		if (s->in_caps) {
			s->caps_seen = true;
			s->offered = s->offered || s->reply_offers;
			s->in_caps = false;
		}
		s->reply = 0;
		s->reply_offers = false;
		/* SMTP AUTH's and FTP's 334: the client's next line is data
		 * that may be a credential. */
		s->secret_next = coded && code == 334;
	}
}

static void smtp_command(struct td_stls *s, const struct frame *fr)
{
	const uint8_t *p = fr->p;
	size_t n = trimmed(p, fr->len);
	if (stls_word(p, n, "starttls")) {
		stls_step(s, fr->dir, p, n, fr->wire, TD_STLS_ASK);
		stls_ask(s);
	} else if (stls_word(p, n, "ehlo") || stls_word(p, n, "lhlo")) {
		s->in_caps = true;
		stls_step(s, fr->dir, p, n, fr->wire, TD_STLS_STEP);
	} else if (stls_word(p, n, "helo") || stls_word(p, n, "quit") || stls_word(p, n, "rset") ||
		   stls_word(p, n, "noop")) {
		stls_step(s, fr->dir, p, n, fr->wire, TD_STLS_STEP);
	} else {
		plaintext(s, fr, 2, stls_word(p, n, "auth"));
	}
}

static void ftp_command(struct td_stls *s, const struct frame *fr)
{
	const uint8_t *p = fr->p;
	size_t n = trimmed(p, fr->len);
	const uint8_t *arg;
	size_t an = word_at(p, n, 1, &arg);
	if (stls_word(p, n, "auth") && (stls_word(arg, an, "tls") || stls_word(arg, an, "ssl") ||
					stls_word(arg, an, "tls-c") || stls_word(arg, an, "tls-p"))) {
		stls_step(s, fr->dir, p, n, fr->wire, TD_STLS_ASK);
		stls_ask(s);
	} else if (stls_word(p, n, "feat")) {
		s->in_caps = true;
		stls_step(s, fr->dir, p, n, fr->wire, TD_STLS_STEP);
	} else if (stls_word(p, n, "quit") || stls_word(p, n, "syst") || stls_word(p, n, "noop") ||
		   stls_word(p, n, "help")) {
		stls_step(s, fr->dir, p, n, fr->wire, TD_STLS_STEP);
	} else {
		bool secret = stls_word(p, n, "pass") || stls_word(p, n, "acct") ||
			      stls_word(p, n, "auth") || stls_word(p, n, "adat");
		plaintext(s, fr, 1, secret);
	}
}

/* ---- IMAP ---- */

static void imap_server(struct td_stls *s, const struct frame *fr)
{
	const uint8_t *p = fr->p;
	size_t n = trimmed(p, fr->len);
	const uint8_t *tag, *st;
	size_t tn = word_at(p, n, 0, &tag);
	size_t sn = word_at(p, n, 1, &st);
	if (stls_word(tag, tn, "*")) {
		if (stls_has(p, n, "capability")) {
			s->caps_seen = true;
			s->offered = s->offered || stls_has(p, n, "starttls");
		}
		stls_step(s, fr->dir, p, n, fr->wire, TD_STLS_STEP);
		return;
	}
	if (stls_word(tag, tn, "+")) {
		s->secret_next = true;
		stls_step(s, fr->dir, p, n, fr->wire, TD_STLS_STEP);
		return;
	}
	bool mine = s->asked && !s->answered && tn > 0 && tn == strlen(s->tag) &&
		    memcmp(tag, s->tag, tn) == 0;
	if (mine && stls_word(st, sn, "ok")) {
		stls_step(s, fr->dir, p, n, fr->wire, TD_STLS_ANSWER);
		stls_agree(s);
	} else if (mine && (stls_word(st, sn, "no") || stls_word(st, sn, "bad"))) {
		stls_step(s, fr->dir, p, n, fr->wire, TD_STLS_ANSWER);
		stls_refuse(s, p, n);
	} else {
		stls_step(s, fr->dir, p, n, fr->wire, TD_STLS_STEP);
	}
}

static void imap_client(struct td_stls *s, const struct frame *fr)
{
	const uint8_t *p = fr->p;
	size_t n = trimmed(p, fr->len);
	const uint8_t *tag, *cmd;
	size_t tn = word_at(p, n, 0, &tag);
	size_t cn = word_at(p, n, 1, &cmd);
	if (stls_word(cmd, cn, "starttls")) {
		size_t k = tn < sizeof s->tag - 1 ? tn : sizeof s->tag - 1;
		memcpy(s->tag, tag, k);
		s->tag[k] = '\0';
		stls_step(s, fr->dir, p, n, fr->wire, TD_STLS_ASK);
		stls_ask(s);
	} else if (stls_word(cmd, cn, "capability") || stls_word(cmd, cn, "noop") ||
		   stls_word(cmd, cn, "logout") || stls_word(cmd, cn, "id")) {
		stls_step(s, fr->dir, p, n, fr->wire, TD_STLS_STEP);
	} else if (stls_word(cmd, cn, "authenticate")) {
		plaintext(s, fr, 3, true);
	} else {
		plaintext(s, fr, 2, stls_word(cmd, cn, "login"));
	}
}

/* ---- POP3 ---- */

static void pop_server(struct td_stls *s, const struct frame *fr)
{
	const uint8_t *p = fr->p;
	size_t n = trimmed(p, fr->len);
	if (s->in_caps) {
		/* A CAPA list, up to its "." line (RFC 2449 5). */
		if (n == 1 && stls_at(p, n, 0) == '.') {
			s->in_caps = false;
			s->caps_seen = true;
		} else if (stls_word(p, n, "stls")) {
			s->offered = true;
		}
		stls_step(s, fr->dir, p, n, fr->wire, TD_STLS_STEP);
		return;
	}
	bool ok = stls_word(p, n, "+ok"), err = stls_word(p, n, "-err");
	if (s->asked && !s->answered && (ok || err)) {
		stls_step(s, fr->dir, p, n, fr->wire, TD_STLS_ANSWER);
		if (ok)
			stls_agree(s);
		else
			stls_refuse(s, p, n);
		return;
	}
	if (s->capa_asked && (ok || err)) {
		s->capa_asked = false;
		s->in_caps = ok;
		if (err)
			s->caps_seen = true;  /* no CAPA: no STLS either */
	}
	if (stls_word(p, n, "+"))
		s->secret_next = true;
	stls_step(s, fr->dir, p, n, fr->wire, TD_STLS_STEP);
}

static void pop_client(struct td_stls *s, const struct frame *fr)
{
	const uint8_t *p = fr->p;
	size_t n = trimmed(p, fr->len);
	if (stls_word(p, n, "stls")) {
		stls_step(s, fr->dir, p, n, fr->wire, TD_STLS_ASK);
		stls_ask(s);
	} else if (stls_word(p, n, "capa")) {
		s->capa_asked = true;
		stls_step(s, fr->dir, p, n, fr->wire, TD_STLS_STEP);
	} else if (stls_word(p, n, "quit") || stls_word(p, n, "noop")) {
		stls_step(s, fr->dir, p, n, fr->wire, TD_STLS_STEP);
	} else {
		bool auth = stls_word(p, n, "auth");
		bool secret = auth || stls_word(p, n, "pass") || stls_word(p, n, "apop");
		plaintext(s, fr, auth ? 2 : 1, secret);
	}
}

/* ---- XMPP ---- */

/* The tag's name: after '<' (and a '/'), up to a space, '/' or '>'. */
static size_t tag_name(const uint8_t *p, size_t n, const uint8_t **name, bool *closing)
{
	size_t i = 0;
	while (i < n && (stls_at(p, n, i) == ' ' || stls_at(p, n, i) == '\t' || stls_at(p, n, i) == '\r' || stls_at(p, n, i) == '\n'))
		i++;
	/* Text before the tag (a mechanism's name) is not the tag. */
	while (i < n && stls_at(p, n, i) != '<')
		i++;
	if (i < n)
		i++;
	*closing = i < n && stls_at(p, n, i) == '/';
	if (*closing)
		i++;
	size_t b = i;
	while (i < n && stls_at(p, n, i) != ' ' && stls_at(p, n, i) != '/' && stls_at(p, n, i) != '>' && stls_at(p, n, i) != '\t' &&
	       stls_at(p, n, i) != '\r' && stls_at(p, n, i) != '\n')
		i++;
	*name = p + b;
	return i - b;
}

/* The frame from its '<' on (leading whitespace and text dropped). */
static void tag_text(const uint8_t *p, size_t n, const uint8_t **t, size_t *tn)
{
	size_t i = 0;
	while (i < n && stls_at(p, n, i) != '<')
		i++;
	*t = p + i;
	*tn = n - i;
}

/* Copy the n bytes at p into dst (size dn) as a C string, cut; the
 * bytes are quoted through stls_quote, which sanitizes them. */
static void keep_raw(char *dst, size_t dn, const uint8_t *p, size_t n)
{
	size_t k = n < dn - 1 ? n : dn - 1;
	for (size_t i = 0; i < k; i++) {
		uint8_t c = stls_at(p, n, i);
		dst[i] = c ? (char)c : ' ';
	}
	dst[k] = '\0';
}

/*
 * Inside the server's <stream:error> (RFC 6120 4.9): its condition
 * element and <text/>.  At </stream:error> the error is told as one
 * step, "<stream:error> condition: text".  Before the client asked, it
 * is the server ending the stream instead of listing its features: the
 * capabilities were seen, and lacked the upgrade (prosody whose TLS
 * setup failed, with c2s_require_encryption: "No stream features to
 * proceed with"); the words are kept as the server's answer.  After the
 * client's <starttls/>, it is the server's no (RFC 6120 5.4.2.2 has
 * <failure/>, but a stream error says no too, with a reason).
 */
static bool xmpp_error_part(struct td_stls *s, const struct frame *fr, const uint8_t *name,
			    size_t nn, bool closing)
{
	if (!s->xmpp_err)
		return false;
	if (closing && stls_word(name, nn, "text")) {
		size_t i = 0;  /* the text is what comes before "</text>" */
		while (i < fr->len && stls_at(fr->p, fr->len, i) != '<')
			i++;
		keep_raw(s->xmpp_text, sizeof s->xmpp_text, fr->p, i);
		return true;
	}
	if (!closing && !stls_word(name, nn, "stream:error") && !stls_word(name, nn, "text") &&
	    !s->xmpp_cond[0]) {
		keep_raw(s->xmpp_cond, sizeof s->xmpp_cond, name, nn);
		return true;
	}
	if (!closing || !stls_word(name, nn, "stream:error"))
		return !stls_word(name, nn, "stream:error") && !stls_word(name, nn, "stream:stream");
	s->xmpp_err = false;
	char words[TD_STLS_TEXT_MAX];
	snprintf(words, sizeof words, "<stream:error> %s%s%s", s->xmpp_cond[0] ? s->xmpp_cond : "?",
		 s->xmpp_text[0] ? ": " : "", s->xmpp_text);
	size_t wn = strlen(words);
	if (s->asked && !s->answered) {
		stls_step(s, fr->dir, (const uint8_t *)words, wn, fr->wire, TD_STLS_ANSWER);
		stls_refuse(s, (const uint8_t *)words, wn);
		return true;
	}
	stls_step(s, fr->dir, (const uint8_t *)words, wn, fr->wire, TD_STLS_STEP);
	if (!s->asked && !s->caps_seen) {
		s->caps_seen = true;
		stls_quote(s->answer, (const uint8_t *)words, wn);
	}
	return true;
}

static void xmpp_tag(struct td_stls *s, const struct frame *fr)
{
	const uint8_t *name, *t;
	bool closing;
	size_t nn = tag_name(fr->p, fr->len, &name, &closing);
	size_t tn;
	tag_text(fr->p, fr->len, &t, &tn);
	bool c2s = fr->dir == TD_DIR_C2S;
	if (!c2s && xmpp_error_part(s, fr, name, nn, closing))
		return;
	if (!closing && stls_word(name, nn, "stream:stream")) {
		stls_step(s, fr->dir, t, tn, fr->wire, TD_STLS_STEP);
	} else if (closing && stls_word(name, nn, "stream:stream")) {
		stls_step(s, fr->dir, t, tn, fr->wire, TD_STLS_STEP);
	} else if (!c2s && stls_word(name, nn, "stream:features")) {
		if (closing) {
			s->in_caps = false;
			s->caps_seen = true;
			if (!s->offered)
				stls_step(s, fr->dir, t, tn, fr->wire, TD_STLS_STEP);
		} else if (t + tn > t && tn >= 2 && stls_at(t, tn, tn - 2) == '/') {
			s->caps_seen = true;  /* <stream:features/>: empty */
			stls_step(s, fr->dir, t, tn, fr->wire, TD_STLS_STEP);
		} else {
			s->in_caps = true;
			stls_step(s, fr->dir, t, tn, fr->wire, TD_STLS_STEP);
		}
	} else if (!closing && stls_word(name, nn, "starttls")) {
		if (c2s) {
			stls_step(s, fr->dir, t, tn, fr->wire, TD_STLS_ASK);
			stls_ask(s);
		} else {
			s->offered = true;
			stls_step(s, fr->dir, t, tn, fr->wire, TD_STLS_STEP);
		}
	} else if (!c2s && !closing && s->asked && !s->answered &&
		   stls_word(name, nn, "proceed")) {
		stls_step(s, fr->dir, t, tn, fr->wire, TD_STLS_ANSWER);
		stls_agree(s);
	} else if (!c2s && !closing && s->asked && !s->answered &&
		   stls_word(name, nn, "failure")) {
		stls_step(s, fr->dir, t, tn, fr->wire, TD_STLS_ANSWER);
		stls_refuse(s, t, tn);
	} else if (!c2s && !closing && stls_word(name, nn, "stream:error")) {
		/* Told whole at its end (xmpp_error_part), unless empty. */
		s->xmpp_err = !(tn >= 2 && stls_at(t, tn, tn - 2) == '/');
		s->xmpp_cond[0] = s->xmpp_text[0] = '\0';
		if (!s->xmpp_err)
			stls_step(s, fr->dir, t, tn, fr->wire, TD_STLS_STEP);
	} else if (c2s && !closing && nn > 0 && stls_at(name, nn, 0) != '?' && s->caps_seen) {
		/* A stanza or SASL <auth> in plaintext: only its name is shown
		 * (an <auth/> carries the credentials). */
		char what[TD_STLS_TEXT_MAX];
		char *nm = td_text_sanitize(name, nn < 64 ? nn : 64);
		snprintf(what, sizeof what, "<%s ...>", nm ? nm : "?");
		free(nm);
		if (stls_clear_matters(s))
			stls_after(s, what);
	}
}

void stls_line(struct td_stls *s, const struct frame *fr)
{
	if (s->proto == TD_STLS_XMPP) {
		xmpp_tag(s, fr);
		return;
	}
	if (hidden_line(s, fr))
		return;
	bool c2s = fr->dir == TD_DIR_C2S;
	switch (s->proto) {
	case TD_STLS_SMTP:
		if (c2s)
			smtp_command(s, fr);
		else
			reply_line(s, fr);
		return;
	case TD_STLS_FTP:
		if (c2s)
			ftp_command(s, fr);
		else
			reply_line(s, fr);
		return;
	case TD_STLS_IMAP:
		if (c2s)
			imap_client(s, fr);
		else
			imap_server(s, fr);
		return;
	case TD_STLS_POP3:
		if (c2s)
			pop_client(s, fr);
		else
			pop_server(s, fr);
		return;
	case TD_STLS_XMPP:
	case TD_STLS_LDAP:
	case TD_STLS_POSTGRES:
	case TD_STLS_MYSQL:
	case TD_STLS_NONE:
		break;
	}
}
