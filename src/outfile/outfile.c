/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * outfile.c - the rotating report file behind a FILE (see outfile.h).
 *
 * One fopencookie(3) stream for the whole run; underneath it, one file
 * at a time:
 *
 *   sink --fwrite--> FILE (stdio buffer) --cookie write--> .NAME.tmp
 *                                                           | rotate or close:
 *                                                           | fdatasync, close,
 *                                                           v rename()
 *                                                          NAME
 *
 * The switch happens inside the cookie's write only right after a '\n'
 * (LINES mode), so a 64 KiB block of JSON lines that crosses the size
 * limit is cut at the line that crosses it, and the sinks never learn
 * that files change.  fdatasync() before rename(): after a crash, a file
 * under its real name is never shorter than what was written to it.
 *
 * Time is the wall clock (time(2)), as tcpdump's -G: a capture file read
 * at full speed is rotated by how long the run takes, not by the
 * packets' timestamps.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio_ext.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "outfile.h"

struct td_outfile {
	FILE *fp;                   /* the cookie stream the sinks write to */
	struct td_outfile_opts o;   /* o.path points at pattern */
	char pattern[PATH_MAX];     /* the name as given */
	char name[PATH_MAX];        /* the current file's published name */
	char tmp[PATH_MAX];         /* ... and its hidden temporary name */
	int fd;                     /* the current file, or -1 between files */
	uint64_t size;              /* bytes written to the current file */
	char last;                  /* its last byte ('\n': at a line's end) */
	time_t period_start;        /* -G: when the current period began */
	bool new_period;            /* the next file begins a period (count 0) */
	uint64_t count;             /* the number after the name; 0: none */
	uint64_t published;         /* files renamed to their name */
	volatile sig_atomic_t hup;  /* td_outfile_rotate_request() */
	bool failed;                /* a write, create or rename failed */
	int err_no;                 /* errno of the failure */
	char errmsg[PATH_MAX + 128];
};

static void fail(struct td_outfile *of, int e, const char *what, const char *path)
{
	if (of->failed)
		return;
	of->failed = true;
	of->err_no = e ? e : EIO;
	snprintf(of->errmsg, sizeof of->errmsg, "%s %s: %s", what, path, strerror(of->err_no));
}

/* The names of the next file: NAME (strftime'd with -G, then the count
 * when not 0) and DIR/.BASE.tmp beside it. */
static bool make_names(struct td_outfile *of, char *err, size_t errlen)
{
	char base[PATH_MAX];
	if (of->o.rotate_secs) {
		struct tm tm;
		/* The pattern is the user's, as tcpdump -G takes it; strftime()
		 * has no %n-style writes, so an unchecked format only makes odd
		 * names. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
		size_t len = localtime_r(&of->period_start, &tm)
			     ? strftime(base, sizeof base, of->pattern, &tm) : 0;
#pragma GCC diagnostic pop
		if (len == 0) {
			snprintf(err, errlen, "--output-file %s: the -G name expands to nothing "
				 "or to more than %d bytes", of->pattern, PATH_MAX - 1);
			return false;
		}
	} else {
		snprintf(base, sizeof base, "%s", of->pattern);
	}
	int n = of->count ? snprintf(of->name, sizeof of->name, "%s%llu", base,
				     (unsigned long long)of->count)
			  : snprintf(of->name, sizeof of->name, "%s", base);
	const char *slash = strrchr(of->name, '/');
	const char *file = slash ? slash + 1 : of->name;
	int dirlen = (int)(file - of->name);
	if (n < 0 || (size_t)n >= sizeof of->name || !file[0] ||
	    strcmp(file, ".") == 0 || strcmp(file, "..") == 0) {
		snprintf(err, errlen, "--output-file %s: not a usable file name", of->name);
		return false;
	}
	n = snprintf(of->tmp, sizeof of->tmp, "%.*s.%s.tmp", dirlen, of->name, file);
	if (n < 0 || (size_t)n >= sizeof of->tmp) {
		snprintf(err, errlen, "--output-file %s: the name is too long", of->name);
		return false;
	}
	return true;
}

/* Start the next file.  TD_ERR_USAGE (a bad name) or TD_ERR_IO (cannot
 * create it), with err when err is given (td_outfile_open), else on
 * of->failed (a later file, said by td_outfile_boundary()). */
static enum td_result open_next(struct td_outfile *of, time_t now, char *err, size_t errlen)
{
	if (of->new_period) {
		of->new_period = false;
		of->period_start = now;
		of->count = 0;
	} else {
		of->count++;
	}
	char buf[PATH_MAX + 128];
	if (!make_names(of, err ? err : buf, err ? errlen : sizeof buf)) {
		if (!err) {
			of->failed = true;
			of->err_no = ENAMETOOLONG;
			snprintf(of->errmsg, sizeof of->errmsg, "%s", buf);
		}
		return TD_ERR_USAGE;
	}
	/* O_NOFOLLOW: a link planted under the temporary name in a shared
	 * directory must not redirect the report. */
	of->fd = open(of->tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0666);
	if (of->fd < 0) {
		if (err)
			snprintf(err, errlen, "cannot create the report file %s: %s", of->tmp,
				 strerror(errno));
		else
			fail(of, errno, "cannot create the report file", of->tmp);
		return TD_ERR_IO;
	}
	of->size = 0;
	of->last = '\n';
	return TD_OK;
}

/* Finish the current file: publish it under its name, or remove it when
 * it is empty and discard_empty. */
static void finish_file(struct td_outfile *of, bool discard_empty)
{
	if (of->fd < 0)
		return;
	int fd = of->fd;
	of->fd = -1;
	if (of->size == 0 && discard_empty) {
		close(fd);
		unlink(of->tmp);
		return;
	}
	if (fdatasync(fd) != 0 && errno != EINVAL && errno != EROFS) {
		fail(of, errno, "cannot write the report file", of->name);
		close(fd);
		return;
	}
	if (close(fd) != 0) {
		fail(of, errno, "cannot write the report file", of->name);
		return;
	}
	if (rename(of->tmp, of->name) != 0) {
		fail(of, errno, "cannot rename the finished report file to", of->name);
		return;
	}
	of->published++;
}

/* Is a new file due now?  A request with no file open is dropped: the
 * next file begins when there is something to write. */
static bool due(struct td_outfile *of, time_t now)
{
	if (of->fd < 0) {
		of->hup = 0;
		return false;
	}
	if (of->hup && of->size > 0)
		return true;
	if (of->o.rotate_bytes && of->size > of->o.rotate_bytes)
		return true;
	return of->o.rotate_secs && (uint64_t)(now - of->period_start) >= of->o.rotate_secs;
}

static bool at_boundary(const struct td_outfile *of)
{
	return of->size == 0 || of->last == '\n';
}

static void rotate(struct td_outfile *of, time_t now)
{
	bool timed = of->o.rotate_secs && (uint64_t)(now - of->period_start) >= of->o.rotate_secs;
	of->hup = 0;
	finish_file(of, true);
	if (timed)
		of->new_period = true;
}

/* How many of the n bytes at p to write before looking again: in LINES
 * mode, up to the end of the line that makes the file due (or all). */
static size_t chunk(struct td_outfile *of, const char *p, size_t n, time_t now)
{
	size_t from;
	if (of->o.mode != TD_OUTFILE_LINES)
		return n;
	if (due(of, now)) {
		from = 0;  /* due, in the middle of a line: finish it */
	} else if (of->o.rotate_bytes) {
		uint64_t room = of->o.rotate_bytes - of->size;  /* size <= limit: not due */
		if (n <= room)
			return n;
		from = (size_t)room;  /* the byte that makes the file larger than the limit */
	} else {
		return n;
	}
	const char *nl = memchr(p + from, '\n', n - from);
	return nl ? (size_t)(nl - p) + 1 : n;
}

static bool write_all(struct td_outfile *of, const char *p, size_t n)
{
	const char *end = p + n;
	while (p < end) {
		ssize_t w = write(of->fd, p, (size_t)(end - p));
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			fail(of, w < 0 ? errno : EIO, "cannot write the report file", of->name);
			return false;
		}
		p += w;
		of->size += (uint64_t)w;
		of->last = p[-1];
	}
	return true;
}

static ssize_t cookie_write(void *cookie, const char *buf, size_t len)
{
	struct td_outfile *of = cookie;
	size_t done = 0;
	while (done < len && !of->failed) {
		time_t now = of->o.rotate_secs ? time(NULL) : 0;
		if (of->o.mode == TD_OUTFILE_LINES && at_boundary(of) && due(of, now)) {
			rotate(of, now);
			continue;
		}
		if (of->fd < 0 && open_next(of, now, NULL, 0) != TD_OK)
			break;
		size_t n = chunk(of, buf + done, len - done, now);
		if (!write_all(of, buf + done, n))
			break;
		done += n;
	}
	if (done < len)
		errno = of->err_no;
	/* fopencookie(3): the bytes taken, 0 on an error, never negative. */
	return (ssize_t)done;
}

enum td_result td_outfile_open(struct td_outfile **out, const struct td_outfile_opts *o,
			       char *err, size_t errlen)
{
	*out = NULL;
	err[0] = '\0';
	if (!o->path || !o->path[0] || strlen(o->path) >= PATH_MAX) {
		snprintf(err, errlen, "--output-file needs a file name shorter than %d bytes",
			 PATH_MAX);
		return TD_ERR_USAGE;
	}
	struct td_outfile *of = calloc(1, sizeof *of);
	if (!of) {
		snprintf(err, errlen, "out of memory");
		return TD_ERR_NOMEM;
	}
	snprintf(of->pattern, sizeof of->pattern, "%s", o->path);
	of->o = *o;
	of->o.path = of->pattern;
	of->fd = -1;
	of->new_period = true;
	/* The time zone is read now: later, a locked-down process may not be
	 * able to open it (localtime_r() does not read it again). */
	tzset();
	enum td_result r = open_next(of, time(NULL), err, errlen);
	if (r != TD_OK)
		goto out;
	cookie_io_functions_t io = { .write = cookie_write };
	of->fp = fopencookie(of, "w", io);
	if (!of->fp) {
		snprintf(err, errlen, "out of memory");
		r = TD_ERR_NOMEM;
		goto out;
	}
	*out = of;
	return TD_OK;
out:
	if (of->fd >= 0) {
		close(of->fd);
		unlink(of->tmp);
	}
	free(of);
	return r;
}

FILE *td_outfile_stream(struct td_outfile *of)
{
	return of->fp;
}

void td_outfile_rotate_request(struct td_outfile *of)
{
	if (of)
		of->hup = 1;
}

/* TD_ERR_IO with the failure's message, once there is one. */
static enum td_result report(struct td_outfile *of, char *err, size_t errlen)
{
	err[0] = '\0';
	if (!of->failed)
		return TD_OK;
	snprintf(err, errlen, "%s", of->errmsg);
	return TD_ERR_IO;
}

enum td_result td_outfile_boundary(struct td_outfile *of, char *err, size_t errlen)
{
	if (of->failed)
		return report(of, err, errlen);
	time_t now = of->o.rotate_secs ? time(NULL) : 0;
	/* The bytes still in the FILE's buffer count too: a text report
	 * (fully buffered) is cut near -C, not a buffer later, and SIGHUP
	 * publishes what was written even when it is not flushed yet. */
	uint64_t held = (of->fd >= 0 ? of->size : 0) + __fpending(of->fp);
	bool soon = (of->o.rotate_bytes && held > of->o.rotate_bytes) || (of->hup && held > 0);
	if (!soon && !due(of, now))
		return report(of, err, errlen);
	if (fflush(of->fp) != 0 && !of->failed)
		fail(of, errno, "cannot write the report file", of->name);
	/* The flush may have switched files already (LINES mode): look
	 * again at the file now open. */
	if (!of->failed && of->size > 0 && at_boundary(of) && due(of, now))
		rotate(of, now);
	return report(of, err, errlen);
}

enum td_result td_outfile_close(struct td_outfile *of, char *err, size_t errlen)
{
	err[0] = '\0';
	if (!of)
		return TD_OK;
	if (fflush(of->fp) != 0 && !of->failed)
		fail(of, errno, "cannot write the report file", of->name);
	fclose(of->fp);  /* the cookie has no close of its own */
	/* The last file: published even when empty if it is the only one
	 * (the user asked for a report file), else an empty one is dropped. */
	if (!of->failed)
		finish_file(of, of->published > 0);
	else if (of->fd >= 0)
		close(of->fd);  /* the temporary name stays: it shows what was lost */
	enum td_result r = report(of, err, errlen);
	free(of);
	return r;
}

uint64_t td_outfile_published(const struct td_outfile *of)
{
	return of ? of->published : 0;
}
