/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * starttls_int.h - inside the STARTTLS recogniser (starttls.h): the
 * state shared by its files.
 *
 *   starttls.c  the recogniser's life, telling the protocol from the
 *               first bytes, framing (lines, '>'-ended XML tags,
 *               length-prefixed messages), the caps, the facts
 *   steps.c     what a frame was: steps, ask, answer, plaintext after
 *   lines.c     the text protocols: SMTP, FTP, IMAP, POP3, XMPP
 *   binary.c    the binary ones: PostgreSQL, MySQL, LDAP (BER)
 *
 * The protocol files see whole frames (struct frame) and say what they
 * are through the helpers below; they never touch the byte stream.
 */
#ifndef TD_STARTTLS_INT_H
#define TD_STARTTLS_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "caps.h"
#include "reader.h"
#include "conn.h"
#include "starttls.h"

enum stls_state {
	ST_UNDECIDED = 0,  /* the first bytes are being looked at */
	ST_ON,             /* a STARTTLS protocol: frames are read */
	ST_NOT,            /* no STARTTLS protocol: everything passes to TLS */
	ST_DONE            /* nothing more to learn (plaintext went on, a cap):
			      the plaintext left is counted, not read */
};

struct stls_dir {
	bool tls;             /* from here on, this direction's bytes are TLS's */
	uint8_t buf[TD_CAP_STLS_LINE]; /* the frame being read (its first bytes) */
	size_t len;           /* bytes in buf */
	size_t need;          /* length-prefixed frames: its whole length, 0 unknown */
	size_t got;           /* the frame's bytes so far, kept or not */
	bool cut;             /* the frame was longer than buf */
	uint64_t bytes;       /* plaintext bytes read */
	uint32_t frames;      /* frames read */
};

/* A whole frame as the protocol files see it: its first len bytes (the
 * rest, when cut, was counted and passed over), its length on the wire. */
struct frame {
	enum td_dir dir;
	const uint8_t *p;
	size_t len;
	size_t wire;
	bool cut;
};

struct td_stls {
	enum stls_state state;
	enum td_starttls_proto proto;
	bool smtp_or_ftp;      /* a 3-digit greeting: SMTP or FTP until told apart */
	uint16_t port;
	struct stls_dir d[2];  /* by td_dir */
	const struct td_stls_out *out; /* during a feed */

	/* What the exchange showed (the facts). */
	bool asked, answered, agreed, refused;
	bool offered, caps_seen, plaintext_after;
	char answer[TD_STLS_TEXT_MAX];
	char after[TD_STLS_TEXT_MAX];
	uint64_t steps, steps_dropped, cap_dropped;
	bool capped;           /* TD_CAP_STLS_PREAMBLE stopped the reading: every
				  byte after, either way, is counted as dropped */

	/* The protocols' own state. */
	int reply;             /* SMTP/FTP: the code of a multi-line reply under way, 0 none */
	bool reply_offers;     /* ...one of its lines offered the upgrade */
	bool in_caps;          /* the server's reply is a capability list (EHLO, FEAT,
				  POP3 CAPA, IMAP CAPABILITY, XMPP features) */
	bool capa_asked;       /* POP3: CAPA sent, its +OK list not yet ended */
	bool secret_next;      /* the server asked for a continuation (334, "+ "):
				  the client's next line may be a credential */
	char tag[32];          /* IMAP: the tag of the client's STARTTLS */
	bool pg_startup;       /* PostgreSQL: a StartupMessage was sent */
	bool gss_asked;        /* PostgreSQL: the ask was a GSSENCRequest */
	bool mysql_greeted;    /* MySQL: the server's greeting was read */
	bool xmpp_err;         /* XMPP: inside the server's <stream:error> */
	char xmpp_cond[48];    /* ...its condition element's name (raw bytes,
				  sanitized when quoted), "" none yet */
	char xmpp_text[96];    /* ...its <text/>, the same way */
};

/* ---- steps.c: what the protocol files call ---- */

/* A step: text (n bytes, sanitized here; CR and LF at its end dropped) of
 * direction dir, its wire length and role.  Past TD_CAP_STLS_STEPS,
 * plain steps are counted, not told. */
void stls_step(struct td_stls *s, enum td_dir dir, const uint8_t *text, size_t n, size_t wire,
	       enum td_stls_role role);
/* The same for a text of our own words (a binary message described). */
void stls_step_str(struct td_stls *s, enum td_dir dir, const char *text, size_t wire,
		   enum td_stls_role role);
/* The client asked to upgrade (the step was told). */
void stls_ask(struct td_stls *s);
/* The server agreed: both directions are TLS's from their next byte. */
void stls_agree(struct td_stls *s);
/* The server refused; quote (n bytes) is its answer. */
void stls_refuse(struct td_stls *s, const uint8_t *quote, size_t n);
/* The client sent this plaintext (n bytes, shown as text: secrets already
 * hidden) after a refusal or without an offer: noted once, then the
 * recogniser is done. */
void stls_after(struct td_stls *s, const char *text);
/* Whether the client's plaintext now matters (and goes to stls_after):
 * after a refusal, or once the capabilities were seen and the client did
 * not ask (offered: the upgrade was there and not used; not offered: it
 * could not be).  Otherwise the exchange is still under way. */
static inline bool stls_clear_matters(const struct td_stls *s)
{
	return s->refused || (!s->asked && s->caps_seen);
}
/* Keep the first bytes of a frame as the answer quoted. */
void stls_quote(char *dst, const uint8_t *p, size_t n);

/* ---- lines.c ---- */

/* One line (CR LF or LF ended) of SMTP, FTP, IMAP or POP3, or one XML
 * tag (ended by '>') of XMPP. */
void stls_line(struct td_stls *s, const struct frame *fr);
/* SMTP or FTP, from a client's command (its first word); false while it
 * cannot say. */
bool stls_smtp_or_ftp(struct td_stls *s, const uint8_t *p, size_t n);

/* ---- binary.c ---- */

/* The whole length of the frame whose first n bytes are at p, 0 while
 * more bytes are needed to know, SIZE_MAX when they make no frame of the
 * protocol (the recogniser then stands aside). */
size_t stls_frame_len(const struct td_stls *s, enum td_dir dir, const uint8_t *p, size_t n);
void stls_binary(struct td_stls *s, const struct frame *fr);
/* Recognition of the binary protocols from a direction's first bytes:
 * the protocol, TD_STLS_NONE when not one, or *more set when more bytes
 * are needed. */
enum td_starttls_proto stls_detect_binary(enum td_dir dir, const uint8_t *p, size_t n,
					  bool *more);

/* Byte i of the n at p, through the bounded reader (0 past the end). */
static inline uint8_t stls_at(const uint8_t *p, size_t n, size_t i)
{
	struct td_reader r = td_rd_make(p, n);
	return td_rd_peek(&r, i);
}

/* ASCII helpers. */
bool stls_word(const uint8_t *p, size_t n, const char *w);   /* starts with word w,
							      case-insensitive,
							      then end or space */
bool stls_has(const uint8_t *p, size_t n, const char *w);    /* contains w as a word,
							      case-insensitive */
bool stls_prefix_ci(const uint8_t *p, size_t n, const char *w); /* starts with w,
								  case-insensitive */

#endif
