/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * keylog_watch.c - key log files re-read as they grow (see keylog.h).
 *
 * Clients append to SSLKEYLOGFILE while the capture runs, often a few
 * microseconds after the packets the secrets unlock.  The engine asks
 * for a poll when a secret is missing; each poll reads only the bytes
 * appended since the last one (files stay open, so this also works
 * after privileges are dropped).
 *
 * A FIFO (mkfifo; a client's SSLKEYLOGFILE pointed at it) is opened
 * without waiting for a writer (O_NONBLOCK: start-up never blocks) and
 * read, at each poll, for what is waiting in it; a writer that closes and
 * another that opens later are both read.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "keylog.h"

#define WATCH_MAX 16u

struct td_keylog_watch {
	struct td_keylog *k;
	int fd[WATCH_MAX];
	off_t pos[WATCH_MAX];
	bool fifo[WATCH_MAX];
	size_t n;
};

/* Read what is waiting in FIFO i; true unless reading failed. */
static bool read_fifo(struct td_keylog_watch *w, size_t i)
{
	char buf[16384];
	bool ok = true;
	for (;;) {
		ssize_t got = read(w->fd[i], buf, sizeof buf);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			ok = errno == EAGAIN || errno == EWOULDBLOCK;  /* nothing more now */
			break;
		}
		if (got == 0)
			break;  /* no writer now; one may come */
		if (td_keylog_feed(w->k, buf, (size_t)got) != TD_OK) {
			ok = false;
			break;
		}
	}
	explicit_bzero(buf, sizeof buf);
	return ok;
}

/* Read what file i holds past pos; true unless reading failed. */
static bool read_new(struct td_keylog_watch *w, size_t i)
{
	struct stat st;
	if (w->fifo[i])
		return read_fifo(w, i);
	if (fstat(w->fd[i], &st) != 0)
		return false;
	if (st.st_size < w->pos[i]) {
		/* Rewritten: start again (entries already read stay). */
		w->pos[i] = 0;
		if (td_keylog_feed(w->k, "\n", 1) != TD_OK)
			return false;
	}
	char buf[16384];
	while (w->pos[i] < st.st_size) {
		ssize_t got = pread(w->fd[i], buf, sizeof buf, w->pos[i]);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			return got == 0;
		w->pos[i] += got;
		if (td_keylog_feed(w->k, buf, (size_t)got) != TD_OK)
			return false;
	}
	return true;
}

enum td_result td_keylog_watch_new(struct td_keylog_watch **out, struct td_keylog *k,
				   const char *const *paths, size_t n, char *err, size_t errlen)
{
	*out = NULL;
	if (n > WATCH_MAX) {
		snprintf(err, errlen, "at most %u key log files", WATCH_MAX);
		return TD_ERR_USAGE;
	}
	struct td_keylog_watch *w = calloc(1, sizeof *w);
	if (!w) {
		snprintf(err, errlen, "out of memory");
		return TD_ERR_NOMEM;
	}
	w->k = k;
	for (size_t i = 0; i < n; i++) {
		/* O_NONBLOCK: a FIFO opens at once, writer or not (no effect
		 * on a regular file). */
		w->fd[i] = open(paths[i], O_RDONLY | O_CLOEXEC | O_NONBLOCK);
		if (w->fd[i] < 0) {
			snprintf(err, errlen, "%s: %s", paths[i], strerror(errno));
			td_keylog_watch_free(w);
			return TD_ERR_IO;
		}
		w->n++;
		struct stat st;
		w->fifo[i] = fstat(w->fd[i], &st) == 0 && S_ISFIFO(st.st_mode);
		if (!read_new(w, i)) {
			snprintf(err, errlen, "%s: cannot read", paths[i]);
			td_keylog_watch_free(w);
			return TD_ERR_IO;
		}
	}
	*out = w;
	return TD_OK;
}

void td_keylog_watch_poll(void *watch)
{
	struct td_keylog_watch *w = watch;
	for (size_t i = 0; w && i < w->n; i++)
		(void)read_new(w, i);
}

void td_keylog_watch_free(struct td_keylog_watch *w)
{
	if (!w)
		return;
	for (size_t i = 0; i < w->n; i++)
		close(w->fd[i]);
	free(w);
}
