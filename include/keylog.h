/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * keylog.h - NSS key log files (SSLKEYLOGFILE), the secrets tlsdiag
 * decrypts with.
 *
 * Each line is "LABEL <client_random, 64 hex> <secret, hex>"; '#' starts a
 * comment line and blank lines are allowed.  The client random (from the
 * ClientHello) ties a secret to a connection.  A malformed line is
 * recorded (line number and reason) and skipped, never fatal; a line with
 * a label tlsdiag does not use (RSA, QUIC or future labels) is counted as
 * ignored, not as malformed.
 *
 * Entries are capped at TD_CAP_KEYLOG_ENTRIES (caps.h); lines past the
 * cap are counted as dropped.  Lookup is a hash of (label, client random).
 * A later line for the same label and client random replaces the earlier
 * secret.
 */
#ifndef TD_KEYLOG_H
#define TD_KEYLOG_H

#include <stddef.h>
#include <stdint.h>

#include "result.h"

/* The labels tlsdiag uses.  Order is the table order in keylog.c. */
enum td_keylog_label {
	TD_KEYLOG_CLIENT_RANDOM = 0,             /* TLS <= 1.2: 48-byte master secret */
	TD_KEYLOG_CLIENT_EARLY_TRAFFIC_SECRET,
	TD_KEYLOG_CLIENT_HANDSHAKE_TRAFFIC_SECRET,
	TD_KEYLOG_SERVER_HANDSHAKE_TRAFFIC_SECRET,
	TD_KEYLOG_CLIENT_TRAFFIC_SECRET_0,
	TD_KEYLOG_SERVER_TRAFFIC_SECRET_0,
	TD_KEYLOG_EXPORTER_SECRET,
	TD_KEYLOG_EARLY_EXPORTER_SECRET,
	TD_KEYLOG_LABEL_COUNT
};

/* Length of a client random, and of the longest secret kept (SHA-512). */
#define TD_KEYLOG_RANDOM_LEN  32u
#define TD_KEYLOG_SECRET_MAX  64u
/* Longest line accepted (a SHA-512 secret line is 31 + 1 + 64 + 1 + 128). */
#define TD_KEYLOG_LINE_MAX    512u
/* Bad lines whose number and reason are kept (all are counted). */
#define TD_KEYLOG_BAD_KEPT    8u

struct td_keylog;

/* A new, empty key log; NULL when out of memory.  Free with td_keylog_free(). */
struct td_keylog *td_keylog_new(void);
/* Free a key log and wipe its secrets.  Accepts NULL. */
void td_keylog_free(struct td_keylog *k);

/*
 * Read a whole key log file and add its entries.  Line numbers continue
 * from text added before.  TD_ERR_IO when the file cannot be opened or
 * read, with one line of explanation (path and strerror) in err; bad
 * lines are not an error (see td_keylog_bad_lines()).  TD_ERR_NOMEM when
 * out of memory.
 */
enum td_result td_keylog_load_file(struct td_keylog *k, const char *path,
				   char *err, size_t errlen) TD_MUST_CHECK;

/*
 * Add key log text (len bytes, not NUL-terminated; may hold NUL bytes,
 * which make their line malformed).  The end of text ends the last line.
 * Only TD_ERR_NOMEM is an error.
 */
enum td_result td_keylog_add_text(struct td_keylog *k, const char *text, size_t len) TD_MUST_CHECK;

/*
 * Add text that may end in the middle of a line, as when re-reading a key
 * log a client is still appending to: an unterminated last line is kept
 * and completed by the next call (or by td_keylog_add_text()).
 */
enum td_result td_keylog_feed(struct td_keylog *k, const char *text, size_t len) TD_MUST_CHECK;

/*
 * Hand every line added from now on (by any of the calls above or the
 * watch below) to fn as well, without its LF, once it is whole: -w copies
 * the key log into the pcapng file it writes.  The line is borrowed for
 * the call.  Lines longer than TD_KEYLOG_LINE_MAX and empty lines are not
 * handed over.  fn NULL: none.
 */
typedef void (*td_keylog_tap_fn)(void *ctx, const char *line, size_t len);
void td_keylog_set_tap(struct td_keylog *k, td_keylog_tap_fn fn, void *ctx);

/* Number of malformed lines so far; *first_line (when not NULL) gets the
 * number of the first one (1-based), or 0 when there is none. */
size_t td_keylog_bad_lines(const struct td_keylog *k, size_t *first_line);
/* The i-th kept bad line (i < min(bad lines, TD_KEYLOG_BAD_KEPT)): its
 * reason, a static English string, and its number in *line; NULL when
 * i is out of range. */
const char *td_keylog_bad_line(const struct td_keylog *k, size_t i, size_t *line);

/* Entries kept, lines with an unused label, and lines dropped at the cap. */
size_t td_keylog_count(const struct td_keylog *k);
size_t td_keylog_ignored(const struct td_keylog *k);
size_t td_keylog_dropped(const struct td_keylog *k);

/*
 * The secret for label and client random, its length in *len; NULL (and
 * *len = 0) when there is none.  The pointer is borrowed: valid until the
 * next add, feed or load on k, or td_keylog_free().
 */
const uint8_t *td_keylog_find(const struct td_keylog *k, enum td_keylog_label label,
			      const uint8_t client_random[TD_KEYLOG_RANDOM_LEN], size_t *len);

/*
 * Live captures: key log files kept open and re-read as they grow
 * (src/tls/keylog_watch.c).  td_keylog_watch_new() opens every file (do
 * it before dropping privileges) and adds what they hold now;
 * td_keylog_watch_poll() adds what was appended since, a line at a time
 * (a half-written last line waits for its end).  A file that shrinks
 * (truncated, rewritten) is read again from its start.
 */
struct td_keylog_watch;
enum td_result td_keylog_watch_new(struct td_keylog_watch **out, struct td_keylog *k,
				   const char *const *paths, size_t n,
				   char *err, size_t errlen) TD_MUST_CHECK;
/* Read what was appended; void * so it can be the engine's keylog_refresh. */
void td_keylog_watch_poll(void *watch);
void td_keylog_watch_free(struct td_keylog_watch *w);

/* The file spelling of a label ("CLIENT_RANDOM"...); "?" when out of range. */
const char *td_keylog_label_name(enum td_keylog_label label);

#endif
