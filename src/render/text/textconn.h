/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * textconn.h - the parts of a connection's block in the text report
 * (text.c writes the block; its opening comment shows one): what the
 * client offered and the hellos in full (text_hello.c), the certificate
 * chains and the certificate request (text_cert.c), and the layout they
 * share.
 *
 * Each function writes whole lines on t (textw.h), from the model,
 * borrowed for the call; nothing fails.
 */
#ifndef TD_TEXTCONN_H
#define TD_TEXTCONN_H

#include <stdbool.h>
#include <stdint.h>
#include "conn.h"
#include "textw.h"

enum {
	IND_BLOCK = 4,   /* the lines of a connection block */
	IND_SUB = 6,     /* lines under a heading */
	IND_VALUE = 18,  /* values after a label column ("      sig algs    ") */
	IND_CERT = 10,   /* the lines of one certificate */
	LIST_SHORT = 8,  /* lines of a long list shown without --verbose */
	NARROW = 60,     /* below this width, "client offered: " parts hang at
			    IND_SUB, not under the first part: 20 columns
			    would leave room for hardly one group name */
	EVENT_ROOM = 30  /* columns a timeline event needs after its time and
			    arrow to wrap under its own start ("ServerKeyExchange
			    (552 bytes)"); with less, it hangs at IND_SUB + 2 */
};

/* "client offered: TLS 1.3, TLS 1.2; 31 suites; groups ...; ALPN ...",
 * its parts wrapped under the first one (the default report). */
void td_text_offer(struct td_tw *t, const struct td_conn *c);

/* A QUIC connection's line: version, connection IDs, Retry (text_quic.c);
 * nothing for TCP. */
void td_text_quic(struct td_tw *t, const struct td_conn *c);
/* A hello's QUIC transport parameters, one verbose row. */
void td_text_quic_tp(struct td_tw *t, const struct td_quic_tps *p);

/* Both hellos, every field and list (--verbose). */
void td_text_hellos_verbose(struct td_tw *t, const struct td_conn *c);

/* "<who> certificates (N)" and each certificate of ch. */
void td_text_chain(struct td_tw *t, const struct td_conn *c, const struct td_chain *ch,
		   const char *who, bool verbose);

/* Why the server's (server) or the client's chain is not shown, when
 * one could be expected. */
void td_text_no_chain(struct td_tw *t, const struct td_conn *c, bool server);

/* The CertificateRequest and the client CAs it names. */
void td_text_cert_request(struct td_tw *t, const struct td_conn *c, bool verbose);

/* "      label       " then the list: all of it wrapped when verbose. */
static inline void list_row(struct td_tw *t, bool verbose, const char *label,
			    const struct td_tw_items *it)
{
	td_tw_spaces(t, IND_SUB);
	td_tw_pad(t, label, IND_VALUE - IND_SUB - 1);
	td_tw_put(t, " ");
	if (verbose)
		td_tw_list_wrap(t, it, IND_VALUE);
	else
		td_tw_list_fit(t, it, SIZE_MAX, t->width, IND_VALUE);
	td_tw_end(t);
}

#endif
