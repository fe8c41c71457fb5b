/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * main.c - the tlsdiag command: options (options.c), then capture ->
 * engine -> sink, or the live view.
 */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/stat.h>

#include "capture.h"
#include "caps.h"
#include "diagnose.h"
#include "engine.h"
#include "keylog.h"
#include "keysrc.h"
#include "options.h"
#include "out.h"
#include "outfile.h"
#include "tui.h"
#include "filter.h"
#include "redact.h"
#include "filehash.h"
#include "x509.h"
#include "workers.h"


static struct td_capture *volatile g_capture;
static struct td_outfile *volatile g_outfile;  /* SIGHUP: the next report file */
static struct td_workers *volatile g_workers;


/* Colour on a terminal unless NO_COLOR (https://no-color.org) is set;
 * --color=always and never win. */
static bool want_color(enum color_mode m, bool terminal)
{
	const char *nc = getenv("NO_COLOR");
	if (m != COLOR_AUTO)
		return m == COLOR_ALWAYS;
	return terminal && !(nc && nc[0]);
}

/* The text report's width: --width, else the terminal's when stdout is
 * one, else COLUMNS when it is a whole number, else 80; a terminal or
 * COLUMNS outside 40..1000 is brought inside (narrower, the report's
 * label columns leave no room). */
static unsigned text_width(const struct options *o)
{
	if (o->width)
		return o->width;  /* options.c checked its range */
	unsigned long w = 0;
	struct winsize ws;
	const char *env = getenv("COLUMNS");
	if (isatty(STDOUT_FILENO) && ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) {
		w = ws.ws_col;
	} else if (env && env[0] >= '0' && env[0] <= '9') {
		char *end;
		errno = 0;
		w = strtoul(env, &end, 10);
		if (*end != '\0' || errno != 0)
			w = 0;
	}
	if (w == 0)
		return TD_TEXT_WIDTH_DEFAULT;
	return w < TD_TEXT_WIDTH_MIN ? TD_TEXT_WIDTH_MIN
	     : w > TD_TEXT_WIDTH_MAX ? TD_TEXT_WIDTH_MAX : (unsigned)w;
}

/* Give up root before the first packet: always for a live capture, for
 * a file when -Z asks.  As root, the capability bounding set goes first,
 * while root may still drop it.  False (message printed) when it failed. */
static bool drop_privileges(const struct options *o)
{
	if (!o->iface && !o->user)
		return true;
	if (!o->user && getuid() != 0 && geteuid() != 0)
		return true;  /* not root, nothing asked: nothing to say */
	char note[256], err[256];
	const char *user = o->user ? o->user : TD_PRIVDROP_DEFAULT_USER;
	if (geteuid() == 0 && strcmp(user, "root") != 0)
		(void)td_caps_drop_bounding();  /* td_sandbox_enter() checks the rest */
	if (td_privdrop(user, note, sizeof note, err, sizeof err) != TD_OK) {
		fprintf(stderr, "tlsdiag: %s\n", err);
		return false;
	}
	if (note[0] && o->user)  /* not root: only worth saying when -Z was asked */
		fprintf(stderr, "tlsdiag: note: %s\n", note);
	return true;
}

/* Once everything is open and root is given up: no capability left (file
 * capabilities of a non-root user included), no_new_privs, and the
 * seccomp filter; for the same runs as drop_privileges().  -Z root keeps
 * root's capabilities, as asked.  False (message printed) when it failed. */
static bool enter_sandbox(const struct options *o)
{
	if (!o->iface && !o->user)
		return true;
	struct td_sandbox_opts so = { .keep_caps = geteuid() == 0, .seccomp = !o->no_seccomp };
	char note[256], err[256];
	if (td_sandbox_enter(&so, note, sizeof note, err, sizeof err) != TD_OK) {
		fprintf(stderr, "tlsdiag: %s\n", err);
		return false;
	}
	return true;
}

/* How the report reaches stdout (or the --output-file stream f).  Packets that arrive as they happen (an
 * interface, or a pipe such as `tcpdump -w - | tlsdiag -r -`): line by
 * line, so each connection can be read as soon as it is reported.  A
 * file read from disk into a pipe or a file: in large blocks, since one
 * write per connection was a tenth of the time of a JSON run over a big
 * capture; unbuffered when the sink gathers its own blocks (own_buffer:
 * JSON), so they are not copied once more.  Called before anything is
 * written to stdout. */
/* Packets arrive as they happen: an interface, or -r from a pipe, a FIFO
 * or a socket (not a regular file, even one redirected to stdin). */
static bool input_streams(const struct options *o)
{
	if (o->iface)
		return true;
	struct stat st;
	if (strcmp(o->read_file, "-") == 0)
		return fstat(STDIN_FILENO, &st) != 0 || !S_ISREG(st.st_mode);
	return stat(o->read_file, &st) != 0 || !S_ISREG(st.st_mode);
}

static void stdout_buffering(const struct options *o, FILE *f, bool own_buffer)
{
	if (f == stdout && isatty(STDOUT_FILENO))
		return;  /* a terminal: stdio's line buffering already */
	bool streaming = input_streams(o);
	/* glibc ignores the size unless it is given the buffer too. */
	static char block[1u << 16];
	/* Live to stdout, records are flushed when the capture is idle or
	 * every FLUSH_EVERY_US (frame_cb), not line by line: a write a record
	 * (two, streaming) was a fifth of a busy capture's time.  From a
	 * pipe there is no idle moment to flush at (the read waits), and a
	 * report file marks its records itself: a line at a time. */
	if (streaming && !(o->iface && f == stdout))
		setvbuf(f, NULL, _IOLBF, 0);
	else if (own_buffer)
		setvbuf(f, NULL, _IONBF, 0);  /* the sink writes in 64 KiB blocks */
	else
		setvbuf(f, block, _IOFBF, sizeof block);
}

/* The live view's options; strings borrowed from o. */
/* What a Markdown report's header says about this run (-o markdown and
 * the view's s key).  sha: room for the capture's SHA-256, or NULL to
 * leave it out (the view does not hold start-up back hashing a large
 * file).  With --redact, names the user chose may hold addresses
 * ('host 10.1.2.3') and are not shown. */
static void report_header(const struct options *o, struct td_md_opts *mo, char *keylogs,
			  size_t keylogs_len, char sha[65])
{
	struct stat sb;
	memset(mo, 0, sizeof *mo);
	mo->all = o->all;
	mo->version = PACKAGE_VERSION;
	mo->capture_name = o->iface ? o->iface : o->read_file;
	mo->live = o->iface != NULL;
	mo->filter = o->filter;
	mo->client_trust_store = o->diag.client_ca_file;
	if (o->read_file && strcmp(o->read_file, "-") != 0 && stat(o->read_file, &sb) == 0 &&
	    S_ISREG(sb.st_mode)) {
		mo->capture_size = (uint64_t)sb.st_size;
		char herr[256];
		if (sha && td_file_sha256(o->read_file, sha, herr, sizeof herr) == TD_OK)
			mo->capture_sha256 = sha;
		else if (sha)
			fprintf(stderr, "tlsdiag: warning: %s\n", herr);
	}
	keylogs[0] = '\0';
	for (size_t i = 0; i < o->n_keylogs; i++) {
		size_t used = strlen(keylogs);
		snprintf(keylogs + used, keylogs_len - used, "%s%s", i ? ", " : "", o->keylogs[i]);
	}
	mo->keylog = o->n_keylogs ? keylogs : NULL;
	mo->trust_store = o->diag.ca_file ? o->diag.ca_file : o->diag.ca_path ? o->diag.ca_path
		: o->diag.no_system_store ? "none" : "system bundle";
	if (o->redact) {
		mo->capture_name = "(redacted)";
		mo->filter = o->filter ? "(redacted)" : NULL;
		mo->keylog = mo->keylog ? "(redacted)" : NULL;
	}
}

static void tui_options(const struct options *o, struct td_tui_opts *v, char *keylogs,
			size_t keylogs_len)
{
	memset(v, 0, sizeof *v);
	v->color = want_color(o->color, true);
	v->live = o->iface != NULL;
	v->replay = o->replay;
	v->source = o->iface ? o->iface : o->read_file;
	v->filter = o->filter;
	report_header(o, &v->md, keylogs, keylogs_len, NULL);
	v->summary.color = want_color(o->color, isatty(STDOUT_FILENO));
	v->summary.verbose = o->verbose;
	v->summary_on_quit = o->summary;
	v->summary.width = text_width(o);  /* printed on stdout when the view ends */
	v->force = o->force;
}

/* Is the capture file streamed in (-r - from a pipe, a FIFO, a socket),
 * so that key logs may still be growing while it is read?  A regular
 * file (also as stdin) is read as a whole, its key logs first. */
static bool streamed(const char *path)
{
	struct stat st;
	if (!path)
		return false;
	int rc = strcmp(path, "-") == 0 ? fstat(STDIN_FILENO, &st) : stat(path, &st);
	return rc == 0 && !S_ISREG(st.st_mode);
}

static void on_signal(int sig)
{
	(void)sig;
	if (g_capture)
		td_capture_stop(g_capture);
	if (g_workers)
		td_workers_stop(g_workers);
}

/* SIGHUP with --output-file: publish the current file, start the next. */
static void on_hangup(int sig)
{
	(void)sig;
	td_outfile_rotate_request(g_outfile);
}

/* -c: the last connection wanted has been reported. */
static void count_reached(void *ctx)
{
	td_capture_stop(ctx);
}

/* -c with --workers: stop every capture. */
static void count_reached_workers(void *ctx)
{
	td_workers_stop(ctx);
}

/* -D: one line an interface, as tcpdump -D prints them. */
static void print_interface(void *ctx, unsigned n, const char *name, const char *desc,
			    const char *flags)
{
	unsigned *count = ctx;
	*count = n;
	printf("%u.%s", n, name);
	if (desc && desc[0])
		printf(" (%s)", desc);
	if (flags[0])
		printf(" [%s]", flags);
	putchar('\n');
}

/* Everything written to stdout reached it: a full disk, a closed pipe
 * or a file system error is said once and makes the exit status 2,
 * never a silent half report (stdio keeps a failed write's error on the
 * stream; fclose hands over the rest and says whether that worked).
 * last_errno: errno just after the last write, which said why when the
 * stream's error flag is up. */
static bool stdout_ok(int last_errno)
{
	bool failed = ferror(stdout) != 0;
	int e = failed ? last_errno : 0;
	errno = 0;
	if (fclose(stdout) != 0) {
		failed = true;
		e = errno;
	}
	if (failed)
		fprintf(stderr, "tlsdiag: writing the report: %s\n", e ? strerror(e) : "write error");
	return !failed;
}

/* What the capture loop hands each frame to. */
struct run {
	struct td_engine *eng;
	struct td_capture *cap;
	struct td_outfile *of;    /* --output-file, or NULL */
	bool out_failed;          /* it failed: said, and the capture stopped */
	struct td_sink *flush;    /* live: the sink to flush (stdout_buffering), or NULL */
	uint64_t flushed_us;
};

/* Live: records reach the output at most this long after they are written. */
#define FLUSH_EVERY_US 200000u

/* Live: hand the records written to the output at a clock tick (the
 * capture has nothing to read) or when FLUSH_EVERY_US passed. */
static void flush_due(struct run *run, const uint8_t *data, uint64_t ts_us)
{
	if (!run->flush || (data && ts_us < run->flushed_us + FLUSH_EVERY_US))
		return;
	run->flushed_us = ts_us;
	td_sink_flush(run->flush);
}

/* The kernel's counts, for the statistics the engine hands over next. */
static void note_kernel(struct td_capture *cap, struct td_engine *eng)
{
	uint64_t received = 0, dropped = 0;
	if (td_capture_stats(cap, &received, &dropped))
		td_engine_note_kernel(eng, received, dropped);
}

/* The periodic statistics record, when it is due. */
static void stats_due(struct run *run)
{
	if (td_engine_stats_due(run->eng)) {
		note_kernel(run->cap, run->eng);
		td_engine_emit_stats(run->eng);
	}
}

static void frame_cb(void *ctx, enum td_link link, uint64_t ts_us,
		     const uint8_t *data, size_t caplen, size_t wirelen)
{
	struct run *run = ctx;
	td_engine_frame(run->eng, link, ts_us, data, caplen, wirelen);
	stats_due(run);
	flush_due(run, data, ts_us);
	if (!run->of || run->out_failed)
		return;
	/* Between two frames no record is half written: a -G period or a
	 * SIGHUP can end the file here even when no record comes (a live
	 * capture ticks every 100 ms without packets). */
	char err[512];
	if (td_outfile_boundary(run->of, err, sizeof err) != TD_OK) {
		fprintf(stderr, "tlsdiag: %s\n", err);
		run->out_failed = true;
		td_capture_stop(run->cap);
	}
}

/* --workers N (workers.h): the N workers for this run, before the
 * captures open and privileges go.  NULL with a message when it failed. */
static struct td_workers *new_workers(const struct options *o)
{
	struct td_workers *w = NULL;
	char err[512];
	struct td_workers_opts wo = {
		.n = o->workers, .cfg = o->cfg, .diag = &o->diag,
		.keylog_files = o->keylogs, .n_keylog_files = o->n_keylogs,
	};
	if (td_workers_new(&w, &wo, err, sizeof err) != TD_OK)
		fprintf(stderr, "tlsdiag: %s\n", err);
	return w;
}

/* SIGINT and SIGTERM stop the capture (g_capture) or the workers
 * (g_workers); with --output-file, SIGHUP publishes the report file and
 * starts the next (g_outfile). */
static void catch_signals(struct td_outfile *of)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	if (of) {
		g_outfile = of;
		sa.sa_handler = on_hangup;
		/* SA_RESTART: a read of `-r -` interrupted by SIGHUP goes on
		 * instead of failing; the switch waits for the next frame (or
		 * record, with --workers). */
		sa.sa_flags = SA_RESTART;
		sigaction(SIGHUP, &sa, NULL);
	}
}

/* How a run (one engine, or --workers) ended, for end_run(). */
struct ending {
	enum td_result r;      /* the capture's (or the workers') */
	const char *err;       /* r's message; with TD_OK a warning, or "" */
	int write_errno;       /* errno just after the last writes */
	bool out_failed;       /* --output-file failed during the run (said then) */
	bool truncated;        /* the capture file was cut short */
	uint64_t errors;       /* connections reported with an error */
	uint64_t not_handed;   /* --workers: connections lost handing them over */
};

/* The end of every run: -w's file and the report (stdout, or the last
 * --output-file, published here) closed and checked, what went wrong
 * said once, and the exit status. */
static int end_run(const struct options *o, struct td_capture *cap, struct td_outfile **of,
		   const struct td_keysrc *keys, struct td_sink *sink, struct td_sink *writer,
		   const struct td_redactor *redactor, const struct ending *e)
{
	char werr[512];
	bool saved = !cap || td_capture_save_close(cap, o->write_file, werr, sizeof werr) == TD_OK;
	if (!stdout_ok(e->write_errno))
		return EXIT_USAGE;
	if (*of) {
		/* The last file is published (renamed) here. */
		signal(SIGHUP, SIG_IGN);
		g_outfile = NULL;
		char oerr[512];
		bool out_ok = td_outfile_close(*of, oerr, sizeof oerr) == TD_OK;
		*of = NULL;
		if (!out_ok) {
			if (!e->out_failed)
				fprintf(stderr, "tlsdiag: %s\n", oerr);
			return EXIT_USAGE;
		}
	}
	if (!saved) {
		fprintf(stderr, "tlsdiag: %s\n", werr);
		return EXIT_USAGE;
	}
	if (e->r != TD_OK) {
		fprintf(stderr, "tlsdiag: %s\n", e->err);
		return EXIT_USAGE;
	}
	if (e->err[0])  /* a warning: the file was cut short */
		fprintf(stderr, "tlsdiag: warning: %s\n", e->err);
	td_keysrc_report(keys, cap);
	if (e->not_handed)
		fprintf(stderr, "tlsdiag: warning: %llu connections not written: out of memory "
			"while handing them to the output\n", (unsigned long long)e->not_handed);
	if (td_redactor_overflow(redactor))
		fprintf(stderr, "tlsdiag: warning: --redact: %llu values past the first %u got a "
			"placeholder, not the same from one connection to the next\n",
			(unsigned long long)td_redactor_overflow(redactor), TD_CAP_REDACT_VALUES);
	if (sink != writer && td_filter_sink_dropped(sink))
		fprintf(stderr, "tlsdiag: warning: %llu connections not written: out of memory "
			"while redacting them\n", (unsigned long long)td_filter_sink_dropped(sink));
	uint64_t errors = o->count && sink != writer ? td_filter_sink_errors(sink) : e->errors;
	return e->truncated ? EXIT_USAGE : errors > 0 ? 1 : 0;
}

/* --workers N: run to the end, as main() runs one engine below, and give
 * the exit status.  to: what the workers report to (sink, or the report
 * file's wrapper around it); sink: the filter, or writer itself. */
static int run_workers(const struct options *o, struct td_workers *w, struct td_capture *cap,
		       struct td_outfile **of, const struct td_keysrc *keys, struct td_sink *to,
		       struct td_sink *sink, struct td_sink *writer,
		       const struct td_redactor *redactor)
{
	char err[512];
	g_workers = w;
	catch_signals(*of);
	errno = 0;
	struct ending e = { .err = err };
	e.r = td_workers_run(w, &o->cfg, cap, to, err, sizeof err);
	e.write_errno = errno;
	g_workers = NULL;
	const struct td_stats *st = td_workers_stats(w);
	e.truncated = st->truncated;
	e.errors = st->connections_with_errors;
	e.not_handed = td_workers_dropped(w);
	return end_run(o, cap, of, keys, sink, writer, redactor, &e);
}

int main(int argc, char **argv)
{
	struct options o;
	int rc = td_parse_options(argc, argv, &o);
	if (rc)
		return rc;
	if (o.list_interfaces) {
		char lerr[512];
		unsigned n = 0;
		if (td_capture_list_interfaces(print_interface, &n, lerr, sizeof lerr) != TD_OK) {
			fprintf(stderr, "tlsdiag: %s\n", lerr);
			return EXIT_USAGE;
		}
		if (n == 0) {
			/* As tcpdump: none, most often for want of the right to capture. */
			fprintf(stderr, "tlsdiag: no interfaces available for capture (as root, or "
				"with CAP_NET_RAW, more may be listed)\n");
			return EXIT_USAGE;
		}
		return stdout_ok(errno) ? 0 : EXIT_USAGE;
	}

	int status = EXIT_USAGE;
	char err[512] = "";
	struct td_capture *cap = NULL;
	struct td_sink *sink = NULL;    /* what the engine reports to */
	struct td_sink *writer = NULL;  /* the output format */
	struct td_redactor *redactor = NULL;
	struct td_engine *eng = NULL;
	struct td_diagnoser *diag = NULL;
	struct td_keysrc keys = { 0 };
	struct td_tui *tui = NULL;  /* owned by writer */
	struct td_outfile *of = NULL;  /* --output-file */
	struct td_sink *outsink = NULL; /* marks its record boundaries */
	FILE *out = stdout;             /* where the report goes */
	struct td_workers *workers = NULL;  /* --workers N > 1 */
	enum td_result r;

	if (td_x509_global_init() != TD_OK) {
		fprintf(stderr, "tlsdiag: cannot initialise wolfSSL\n");
		goto out;
	}
	/* --redact keeps the names of CAs the system bundle vouches for. */
	o.diag.judge_public_cas = o.redact && o.redact_level == TD_REDACT_PRIVATE;
	o.diag.keylog_given = o.n_keylogs > 0;
	if (td_diagnoser_new(&diag, &o.diag, err, sizeof err) != TD_OK) {
		fprintf(stderr, "tlsdiag: %s\n", err);
		goto out;
	}
	o.cfg.diagnoser = diag;
	/* -k files, watched when the packets stream in (live, or from a pipe
	 * or FIFO: clients append while we capture); and the capture file's
	 * own pcapng Decryption Secrets Blocks. */
	if (td_keysrc_init(&keys, (const char *const *)o.keylogs, o.n_keylogs, o.read_file != NULL,
			   o.iface || streamed(o.read_file), o.write_file != NULL,
			   err, sizeof err) != TD_OK) {
		fprintf(stderr, "tlsdiag: %s\n", err);
		goto out;
	}
	if (o.n_keylogs) {
		size_t first = 0, bad = td_keylog_bad_lines(keys.keylog, &first);
		if (bad)
			fprintf(stderr, "tlsdiag: warning: key log: %zu malformed line%s skipped "
				"(the first at line %zu)\n", bad, bad == 1 ? "" : "s", first);
	}
	if (o.workers > 1 && !(workers = new_workers(&o)))
		goto out;
	keys.shared = workers != NULL;
	if (o.read_file)
		r = td_capture_open_file_secrets(&cap, o.read_file, td_keysrc_on_secrets, &keys,
						 err, sizeof err);
	else if (workers)
		r = td_workers_open_live(workers, o.iface, o.snaplen, o.promisc, o.filter,
					 err, sizeof err);
	else
		r = td_capture_open_live(&cap, o.iface, o.snaplen, o.promisc, err, sizeof err);
	if (r != TD_OK) {
		fprintf(stderr, "tlsdiag: %s\n", err);
		goto out;
	}
	if (cap && o.filter && td_capture_set_filter(cap, o.filter, err, sizeof err) != TD_OK) {
		fprintf(stderr, "tlsdiag: %s\n", err);
		goto out;
	}
	/* Opened as root, as tcpdump does, so -w may write where the user may
	 * not.  pcapng when there are (or may be) secrets to carry. */
	if (o.write_file) {
		bool ng = td_keysrc_wants_pcapng(&keys, cap);
		r = ng ? td_capture_save_pcapng(cap, o.write_file, err, sizeof err)
		       : td_capture_save_to(cap, o.write_file, err, sizeof err);
		if (r != TD_OK) {
			fprintf(stderr, "tlsdiag: %s\n", err);
			goto out;
		}
		if (ng)
			td_keysrc_save(&keys, cap);
	}
	/* DSBs before the first packet count as -k (read by now: libpcap
	 * reads up to the first interface block when it opens a file, and the
	 * engine starts with the first packet, after which they are). */
	td_keysrc_config(&keys, &o.cfg, &o.diag);
	td_diagnoser_set_keylog_given(diag, o.diag.keylog_given);

	/* The interface, the key logs and the trust stores are open. */
	if (!drop_privileges(&o))
		goto out;
	/* After the drop, as tcpdump opens its -w files with -C and -G: every
	 * file of the run is created by the same user, and a directory that
	 * user cannot write is said now, not at the first rotation. */
	if (o.output_file) {
		struct td_outfile_opts oo = {
			.path = o.output_file,
			.rotate_secs = o.rotate_secs,
			.rotate_bytes = o.rotate_bytes,
			.mode = strcmp(o.format, "json") == 0 ? TD_OUTFILE_LINES : TD_OUTFILE_RECORDS,
		};
		if (td_outfile_open(&of, &oo, err, sizeof err) != TD_OK) {
			fprintf(stderr, "tlsdiag: %s\n", err);
			goto out;
		}
		out = td_outfile_stream(of);
	}
	if (!enter_sandbox(&o))
		goto out;

	char sha[65] = "", keylogs[1024] = "";
	if (o.tui == TUI_ON) {
		struct td_tui_opts vopts;
		tui_options(&o, &vopts, keylogs, sizeof keylogs);
		tui = td_tui_new(&vopts);
		/* The view is the writer: --redact and --only-failed wrap it
		 * as they wrap the others; td_sink_free(writer) frees it. */
		writer = tui ? td_tui_sink(tui) : NULL;
	} else if (strcmp(o.format, "json") == 0) {
		stdout_buffering(&o, out, true);
		writer = td_json_sink_new(out);
	} else if (strcmp(o.format, "ecs") == 0) {
		/* observer.*: this machine, unless --redact hides names. */
		static char host[256];
		if (o.redact || gethostname(host, sizeof host - 1) != 0)
			host[0] = '\0';
		struct td_ecs_opts eo = {
			.version = PACKAGE_VERSION,
			.hostname = host[0] ? host : NULL,
			.interface = o.iface,
		};
		stdout_buffering(&o, out, true);
		writer = td_ecs_sink_new(out, &eo);
	} else if (strcmp(o.format, "markdown") == 0) {
		stdout_buffering(&o, out, false);
		struct td_md_opts mo;
		report_header(&o, &mo, keylogs, sizeof keylogs, sha);
		if (!mo.keylog && keys.dsb_seen)
			mo.keylog = "the capture's pcapng Decryption Secrets Blocks";
		writer = td_markdown_sink_new(out, &mo);
	} else {
		struct td_text_opts topts = {
			.color = want_color(o.color, !of && isatty(STDOUT_FILENO)),
			.verbose = o.verbose,
			/* A report file is not the terminal: its width is --width's or 80. */
			.width = of && !o.width ? TD_TEXT_WIDTH_DEFAULT : text_width(&o),
		};
		stdout_buffering(&o, out, false);
		writer = td_text_sink_new(out, &topts);
	}
	if (writer && o.redact)
		redactor = td_redactor_new(o.redact_level);
	if (!o.redact && !o.only_failed && !o.count)
		sink = writer;
	else if (writer && (redactor || !o.redact))
		sink = td_filter_sink_new(writer, redactor, o.only_failed);
	if (sink && sink != writer && o.count)
		td_filter_sink_set_limit(sink, o.count, workers ? count_reached_workers : count_reached,
					 workers ? (void *)workers : (void *)cap);
	if (sink && of)
		outsink = td_outfile_sink_new(of, sink);
	/* Packets as they happen: each connection is reported when its
	 * handshake's outcome is known, its end later (engine.h).  The view
	 * shows connections as they change anyway. */
	o.cfg.stream = input_streams(&o) && !tui;
	if (workers && sink && (!of || outsink)) {
		/* Each worker reports to a queue the output thread empties into
		 * sink (streaming and statistics records too). */
		status = run_workers(&o, workers, cap, &of, &keys, outsink ? outsink : sink, sink,
				     writer, redactor);
		goto out;
	}
	eng = sink && (!of || outsink) ? td_engine_new(&o.cfg, outsink ? outsink : sink) : NULL;
	if (!eng) {
		fprintf(stderr, "tlsdiag: out of memory\n");
		goto out;
	}
	td_keysrc_engine(&keys, eng, diag);

	if (tui) {
		/* The view runs its own poll loop, signals and end summary,
		 * and calls td_engine_finish() itself. */
		r = td_tui_run(tui, cap, eng, err, sizeof err);
		if (r != TD_OK) {
			fprintf(stderr, "tlsdiag: %s\n", err);
			goto out;
		}
		if (err[0])  /* a warning: e.g. the file was cut short */
			fprintf(stderr, "tlsdiag: warning: %s\n", err);
		td_keysrc_report(&keys, cap);
		status = td_engine_stats(eng)->connections_with_errors > 0 ? 1 : 0;
		if (td_capture_cut_short(cap))
			status = EXIT_USAGE;
		if (td_capture_save_close(cap, o.write_file, err, sizeof err) != TD_OK) {
			fprintf(stderr, "tlsdiag: %s\n", err);
			status = EXIT_USAGE;
		}
		goto out;
	}

	g_capture = cap;
	catch_signals(of);
	struct run run = { .eng = eng, .cap = cap, .of = of,
			   .flush = o.iface ? (outsink ? outsink : sink) : NULL };
	struct ending e = { .err = err };
	e.r = td_capture_run(cap, frame_cb, &run, err, sizeof err);
	note_kernel(cap, eng);
	g_capture = NULL;
	e.truncated = e.r == TD_OK && td_capture_cut_short(cap);
	if (e.truncated)
		td_engine_note_truncated(eng, td_capture_cut_short(cap));
	errno = 0;
	td_engine_finish(eng);  /* the last writes to stdout */
	e.write_errno = errno;
	e.out_failed = run.out_failed;
	e.errors = td_engine_stats(eng)->connections_with_errors;
	status = end_run(&o, cap, &of, &keys, sink, writer, redactor, &e);
out:
	td_workers_free(workers);  /* before what its first worker borrows */
	td_engine_free(eng);
	td_sink_free(outsink);
	td_diagnoser_free(diag);
	if (sink != writer)
		td_sink_free(sink);     /* the filter: frees itself only */
	td_sink_free(writer);
	td_redactor_free(redactor);
	td_capture_close(cap);
	if (of) {
		/* Stopped early by an error: what was written is still published. */
		char oerr[512];
		if (td_outfile_close(of, oerr, sizeof oerr) != TD_OK)
			fprintf(stderr, "tlsdiag: %s\n", oerr);
	}
	td_keysrc_cleanup(&keys);
	td_x509_global_cleanup();
	free(o.filter);
	return status;
}
