/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * publicca.h - which CAs of a connection are public (diagnoser-internal).
 *
 * --redact keeps the names of public CAs and hides those of a private
 * PKI (redact.h).  "Public" means known to the system trust store
 * (TD_TRUST_SYSTEM_BUNDLE), never to the store the user gave: a CA named
 * in --ca-file or --client-ca-file is exactly the private kind.  The
 * diagnoser judges it once per connection, here, while the certificates'
 * DER is still on the model, and stores it on the model (conn.h:
 * td_chain.public_ca and public_issuer, td_cert_request.ca_public,
 * td_conn.public_cas_judged) for the redactor to read.
 */
#ifndef TD_PUBLICCA_H
#define TD_PUBLICCA_H

#include "conn.h"
#include "result.h"
#include "verify.h"

/*
 * Judge c's certificates and acceptable CA names against sys, the system
 * store with its subjects indexed (td_trust_index_subjects; NULL or
 * empty: nothing is public), and set c->public_cas_judged.  A chain
 * certificate is a public CA when td_trust_vouch() vouches for it and it
 * is not the leaf; its issuer is public when td_trust_vouch() says a
 * public CA issued it or the issuer's name is an anchor's; an acceptable
 * CA name is public when it is an anchor's name or a public CA's of
 * either chain.  TD_ERR_NOMEM leaves c judged as "nothing public" (the
 * safe side: everything gets a pseudonym).
 */
enum td_result td_judge_public_cas(const struct td_trust *sys, struct td_conn *c) TD_MUST_CHECK;

#endif
