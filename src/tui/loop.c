/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * loop.c - the TUI's terminal session (tui.h): curses set-up and
 * teardown, signals, the sink, the poll loop, the keys and the s report.
 *
 * One thread, one poll(2) over two descriptors: the capture's selectable
 * descriptor (live) and the keyboard.  Capture never blocks the UI: the
 * capture is non-blocking and read in batches of at most BATCH frames,
 * with the keyboard checked between batches.  The UI never starves
 * capture: a frame is drawn at most TD_TUI_FPS times a second, whatever
 * the number of connections, and drawing only reads the TUI's own copies.
 *
 * The terminal is given back on every way out: the normal path (endwin),
 * SIGINT/SIGTERM/SIGHUP/SIGQUIT (a flag; the loop ends and cleans up),
 * exit() from anywhere (atexit), and fatal signals (SIGSEGV, SIGBUS,
 * SIGFPE, SIGILL, SIGABRT: the saved terminal modes and the terminal's
 * own reset strings are written with async-signal-safe calls, then the
 * signal goes on to the handler that was there before, e.g. a sanitizer's,
 * or to its default action).
 *
 * Leaving the view prints nothing: the user saw it all, and a screenful
 * of text after q buries the shell prompt.  With --summary
 * (opts.summary_on_quit) the text report's end summary (out.h) is
 * printed: a text sink counts every connection while the view runs, its
 * output discarded by a gate (an unbuffered stdio cookie, so that no
 * connection block waits in a buffer to come out with the summary), and
 * after the terminal is restored the gate opens for its summary alone.
 */
#include "config.h"

#define NCURSES_WIDECHAR 1  /* get_wch(): keys as code points */

#include <curses.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <langinfo.h>
#include <locale.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <term.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "tui_int.h"

enum {
	BATCH_LIVE = 512,    /* frames per dispatch, live */
	BATCH_FILE = 4096,   /* ...from a file read all at once */
	TICK_MS = 200,       /* live: wake up at least this often (idle timeouts) */
	STATUS_US = 1000000, /* live: redraw the status at least once a second */
	MSG_US = 15000000    /* how long a message (s) stays, unless a key is pressed */
};

/* ---- the terminal, restored on every exit path ----------------------------- */

static const int fatal_sigs[] = { SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT };
static const int quit_sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT };

static struct {
	volatile sig_atomic_t active;    /* curses owns the terminal */
	int fd;                          /* the terminal (stdout) */
	bool have_modes;
	struct termios modes;            /* as they were before curses */
	char reset[256];                 /* leave the alternate screen, show the cursor */
	size_t reset_len;
	SCREEN *screen;
	FILE *in;                        /* keys: stdin, or /dev/tty */
	struct sigaction old_fatal[sizeof fatal_sigs / sizeof fatal_sigs[0]];
	struct sigaction old_quit[sizeof quit_sigs / sizeof quit_sigs[0]];
	bool atexit_set;
} g_term = { .fd = -1 };

static volatile sig_atomic_t g_quit;

static void on_quit_signal(int sig)
{
	(void)sig;
	g_quit = 1;
}

/* Async-signal-safe: tcsetattr and write only. */
static void restore_raw(void)
{
	if (!g_term.active)
		return;
	g_term.active = 0;
	if (g_term.have_modes)
		(void)tcsetattr(g_term.fd, TCSANOW, &g_term.modes);
	if (g_term.reset_len)
		(void)!write(g_term.fd, g_term.reset, g_term.reset_len);
}

static void on_fatal_signal(int sig, siginfo_t *info, void *uctx)
{
	(void)uctx;
	restore_raw();
	for (size_t i = 0; i < sizeof fatal_sigs / sizeof fatal_sigs[0]; i++) {
		if (fatal_sigs[i] != sig)
			continue;
		sigaction(sig, &g_term.old_fatal[i], NULL);
		/* A real fault happens again when the handler returns, now with
		 * the old disposition.  abort(), and a signal sent with kill
		 * (si_code <= 0), must be raised again (blocked until return). */
		if (sig == SIGABRT || !info || info->si_code <= 0)
			raise(sig);
		return;
	}
}

static void term_atexit(void)
{
	if (g_term.active) {
		g_term.active = 0;
		endwin();
	}
}

/* Append the terminfo capability cap (if the terminal has one) to the
 * reset string. */
static void add_reset(const char *cap)
{
	char *s = tigetstr(cap);
	if (!s || s == (char *)-1)
		return;
	size_t n = strlen(s);
	if (n < sizeof g_term.reset - g_term.reset_len) {
		memcpy(g_term.reset + g_term.reset_len, s, n);
		g_term.reset_len += n;
	}
}

static void signals_install(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sigemptyset(&sa.sa_mask);
	/* No SA_RESTART: poll() returns EINTR and the loop sees the flag. */
	sa.sa_handler = on_quit_signal;
	for (size_t i = 0; i < sizeof quit_sigs / sizeof quit_sigs[0]; i++)
		sigaction(quit_sigs[i], &sa, &g_term.old_quit[i]);
	sa.sa_handler = NULL;
	sa.sa_sigaction = on_fatal_signal;
	sa.sa_flags = (int)SA_RESETHAND | SA_SIGINFO;
	for (size_t i = 0; i < sizeof fatal_sigs / sizeof fatal_sigs[0]; i++)
		sigaction(fatal_sigs[i], &sa, &g_term.old_fatal[i]);
}

static void signals_restore(void)
{
	for (size_t i = 0; i < sizeof quit_sigs / sizeof quit_sigs[0]; i++)
		sigaction(quit_sigs[i], &g_term.old_quit[i], NULL);
	for (size_t i = 0; i < sizeof fatal_sigs / sizeof fatal_sigs[0]; i++)
		sigaction(fatal_sigs[i], &g_term.old_fatal[i], NULL);
}

/* Can this terminal show a full-screen view?  Asked through setupterm()
 * before newterm(): newterm() on an unknown terminal leaks its screen. */
static enum td_result term_check(char *err, size_t errlen)
{
	const char *term = getenv("TERM");
	int e = 0;
	if (setupterm(NULL, STDOUT_FILENO, &e) != OK) {
		snprintf(err, errlen, "unknown terminal type (TERM=%s): use --no-tui, or set TERM",
			 term ? term : "unset");
		return TD_ERR_USAGE;
	}
	char *cup = tigetstr("cup");
	bool moves = cup && cup != (char *)-1;
	del_curterm(cur_term);
	if (!moves) {
		/* TERM=dumb: no cursor addressing, no full-screen view. */
		snprintf(err, errlen, "the terminal (TERM=%s) cannot show the live view: "
			 "use --no-tui", term ? term : "unset");
		return TD_ERR_USAGE;
	}
	return TD_OK;
}

static enum td_result term_open(struct td_tui *t, char *err, size_t errlen)
{
	if (!isatty(STDOUT_FILENO)) {
		snprintf(err, errlen, "the live view needs a terminal on standard output "
			 "(use --no-tui for the text, JSON or Markdown report)");
		return TD_ERR_USAGE;
	}
	enum td_result res = term_check(err, errlen);
	if (res != TD_OK)
		return res;
	g_term.in = stdin;
	if (!isatty(STDIN_FILENO)) {
		/* -r - --tui: the capture comes on stdin, keys from the terminal. */
		g_term.in = fopen("/dev/tty", "re");
		if (!g_term.in) {
			snprintf(err, errlen, "no keyboard for the live view: /dev/tty: %s",
				 strerror(errno));
			return TD_ERR_IO;
		}
	}
	g_term.fd = STDOUT_FILENO;
	g_term.have_modes = tcgetattr(g_term.fd, &g_term.modes) == 0;
	setlocale(LC_CTYPE, "");
	t->utf8 = strcmp(nl_langinfo(CODESET), "UTF-8") == 0;
	/* Ours first: curses leaves handlers that are already set alone. */
	signals_install();
	g_term.screen = newterm(NULL, stdout, g_term.in);
	if (!g_term.screen) {
		signals_restore();
		if (g_term.in != stdin)
			fclose(g_term.in);
		const char *term = getenv("TERM");
		snprintf(err, errlen, "cannot set up the terminal (TERM=%s)", term ? term : "unset");
		return TD_ERR_IO;
	}
	set_term(g_term.screen);
	g_term.active = 1;

	if (!g_term.atexit_set && atexit(term_atexit) == 0)
		g_term.atexit_set = true;
	g_term.reset_len = 0;
	add_reset("rmcup");
	add_reset("cnorm");
	add_reset("sgr0");
	cbreak();
	noecho();
	nonl();
	intrflush(stdscr, FALSE);
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	set_escdelay(25);
	curs_set(0);
	td_tui_draw_init(t);
	return TD_OK;
}

static void term_close(void)
{
	if (!g_term.screen)
		return;
	if (g_term.active) {
		g_term.active = 0;
		endwin();
	}
	delscreen(g_term.screen);
	g_term.screen = NULL;
	if (g_term.in && g_term.in != stdin)
		fclose(g_term.in);
	g_term.in = NULL;
	signals_restore();
}

/* ---- the gate for the end summary ------------------------------------------- */

static ssize_t gate_write(void *cookie, const char *buf, size_t n)
{
	struct td_tui *t = cookie;
	if (!t->gate_open)
		return (ssize_t)n;  /* the per-connection blocks: the view showed them */
	return (ssize_t)fwrite(buf, 1, n, stdout);
}

/* ---- the sink ---------------------------------------------------------------- */

static void tui_conn_update(struct td_sink *s, const struct td_conn *c)
{
	struct td_tui *t = (struct td_tui *)s;
	if (td_tui_model_update(&t->model, c, false) != TD_OK) {
		/* counted in model.nomem, shown in the status line */
	}
}

static void tui_conn_done(struct td_sink *s, const struct td_conn *c)
{
	struct td_tui *t = (struct td_tui *)s;
	if (td_tui_model_update(&t->model, c, true) != TD_OK) {
		/* counted in model.nomem, shown in the status line */
	}
	if (t->summary)
		t->summary->conn_done(t->summary, c);
}

static void tui_finish(struct td_sink *s, const struct td_stats *st)
{
	struct td_tui *t = (struct td_tui *)s;
	if (st) {
		t->stats = *st;
		t->have_stats = true;
	}
}

static void tui_free(struct td_sink *s)
{
	struct td_tui *t = (struct td_tui *)s;
	td_tui_model_cleanup(&t->model);
	td_tui_view_cleanup(&t->view);
	td_tui_doc_cleanup(&t->doc);
	td_sink_free(t->summary);
	if (t->gate)
		fclose(t->gate);
	free(t);
}

struct td_tui *td_tui_new(const struct td_tui_opts *opts)
{
	struct td_tui *t = calloc(1, sizeof *t);
	if (!t)
		return NULL;
	t->opts = *opts;
	t->sink.conn_update = tui_conn_update;
	t->sink.conn_done = tui_conn_done;
	t->sink.finish = tui_finish;
	t->sink.free = tui_free;
	td_tui_ui_init(&t->ui);
	td_tui_doc_init(&t->doc, 80);
	size_t rows = opts->max_rows ? opts->max_rows : TD_TUI_MAX_ROWS;
	size_t bytes = opts->max_bytes ? opts->max_bytes : TD_TUI_MAX_BYTES;
	bool ok = false;
	if (td_tui_model_init(&t->model, rows, bytes) != TD_OK)
		goto out;
	if (opts->summary_on_quit) {
		cookie_io_functions_t io = { .write = gate_write };
		t->gate = fopencookie(t, "w", io);
		/* Unbuffered: a block written while the gate is shut is dropped
		 * there and then, not kept in the buffer until the summary. */
		if (!t->gate || setvbuf(t->gate, NULL, _IONBF, 0) != 0)
			goto out;
		t->summary = td_text_sink_new(t->gate, &opts->summary);
		if (!t->summary)
			goto out;
	}
	ok = true;
out:
	if (!ok) {
		tui_free(&t->sink);
		return NULL;
	}
	return t;
}

struct td_sink *td_tui_sink(struct td_tui *t)
{
	return &t->sink;
}

/* ---- keys ---------------------------------------------------------------------- */

static uint64_t mono_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

/* The next key as enum td_tui_key or a code point; TD_KEY_NONE when none. */
static uint32_t read_key(void)
{
	wint_t wc;
	int rc = get_wch(&wc);
	if (rc == ERR)
		return TD_KEY_NONE;
	if (rc == KEY_CODE_YES) {
		switch (wc) {
		case KEY_UP: return TD_KEY_UP;
		case KEY_DOWN: return TD_KEY_DOWN;
		case KEY_PPAGE: return TD_KEY_PGUP;
		case KEY_NPAGE: return TD_KEY_PGDN;
		case KEY_HOME: return TD_KEY_HOME;
		case KEY_END: return TD_KEY_END;
		case KEY_ENTER: return TD_KEY_ENTER;
		case KEY_BTAB: return TD_KEY_TAB;
		case KEY_BACKSPACE: return TD_KEY_BACKSPACE;
		case KEY_RESIZE: return TD_KEY_RESIZE;
		default: return 0xfffd;  /* a key with no meaning here */
		}
	}
	switch (wc) {
	case '\n':
	case '\r': return TD_KEY_ENTER;
	case '\t': return TD_KEY_TAB;
	case 127:
	case 8: return TD_KEY_BACKSPACE;
	case 27: return TD_KEY_ESC;
	default: return (uint32_t)wc;
	}
}

/* ---- s: the selected connection as a Markdown report ------------------------- */

/* Create a new file for the report in dir: tlsdiag-conn-ID.md, or
 * tlsdiag-conn-ID-N.md when that exists.  O_EXCL and O_NOFOLLOW: never
 * overwrite, never follow a planted link.  The fd, or -1 with errno. */
static int create_report(const char *dir, uint64_t id, bool force, char *path, size_t len)
{
	if (force) {
		/* --force: replace the report of this connection (still never
		 * through a link). */
		snprintf(path, len, "%s/tlsdiag-conn-%" PRIu64 ".md", dir, id);
		return open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644);
	}
	for (unsigned k = 0; k < 100; k++) {
		if (k == 0)
			snprintf(path, len, "%s/tlsdiag-conn-%" PRIu64 ".md", dir, id);
		else
			snprintf(path, len, "%s/tlsdiag-conn-%" PRIu64 "-%u.md", dir, id, k + 1);
		int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
		if (fd >= 0 || errno != EEXIST)
			return fd;
	}
	errno = EEXIST;
	return -1;
}

static void save_report(struct td_tui *t, uint64_t now)
{
	t->msg_until = now + MSG_US;
	const struct td_tui_row *r = t->view.n ? td_tui_model_row(&t->model, t->ui.sel_seq) : NULL;
	if (!r) {
		snprintf(t->msg, sizeof t->msg, "s: no connection selected");
		return;
	}
	if (!r->conn) {
		snprintf(t->msg, sizeof t->msg, "s: the details of #%" PRIu64 " were dropped "
			 "(memory cap); nothing to save", r->id);
		return;
	}
	/* The working directory, else the temporary one (after dropping
	 * root, the unprivileged user often cannot write where it started). */
	char cwd[4096], path[4096 + 64];
	const char *tmp = getenv("TMPDIR");
	const char *dirs[2] = { getcwd(cwd, sizeof cwd) ? cwd : ".",
				tmp && tmp[0] == '/' ? tmp : "/tmp" };
	int fd = -1, first_errno = 0;
	for (size_t i = 0; i < 2 && fd < 0; i++) {
		fd = create_report(dirs[i], r->id, t->opts.force, path, sizeof path);
		if (fd < 0 && i == 0)
			first_errno = errno;
	}
	if (fd < 0) {
		snprintf(t->msg, sizeof t->msg, "s: cannot create the report: %s",
			 strerror(first_errno ? first_errno : errno));
		return;
	}
	FILE *f = fdopen(fd, "w");
	if (!f) {
		close(fd);
		snprintf(t->msg, sizeof t->msg, "s: %s: %s", path, strerror(errno));
		return;
	}
	enum td_result res = td_markdown_write_conn(f, r->conn, &t->opts.md);
	bool werr = ferror(f) != 0;
	if (fclose(f) != 0)
		werr = true;
	if (res != TD_OK || werr)
		snprintf(t->msg, sizeof t->msg, "s: writing %s failed (%s)", path,
			 res != TD_OK ? td_result_str(res) : "write error");
	else
		snprintf(t->msg, sizeof t->msg, "saved #%" PRIu64 " to %s", r->id, path);
}

/* n/N found no failed connection: say so, or the key seems dead. */
static void not_found(struct td_tui *t, uint32_t key, uint64_t now)
{
	t->msg_until = now + MSG_US;
	snprintf(t->msg, sizeof t->msg, "%c: no failed connection %s the selected one",
		 key == 'n' ? 'n' : 'N', key == 'n' ? "below" : "above");
}

/* ---- the loop ------------------------------------------------------------------- */

static void frame_cb(void *ctx, enum td_link link, uint64_t ts_us, const uint8_t *data,
		     size_t caplen, size_t wirelen)
{
	td_engine_frame(ctx, link, ts_us, data, caplen, wirelen);
}

struct pace {
	bool started;
	uint64_t wall0, ts0;  /* the first frame's wall time and capture time */
};

/* One round of capture work.  Returns true when something was read. */
static bool capture_step(struct td_tui *t, struct pace *p, uint64_t now, enum td_result *res,
			 char *err, size_t errlen)
{
	char cerr[512];
	uint64_t until = UINT64_MAX;
	if (t->opts.replay) {
		uint64_t ts;
		if (!p->started) {
			enum td_result r = td_capture_next_ts(t->cap, &ts, cerr, sizeof cerr);
			if (r == TD_OK) {
				p->started = true;
				p->wall0 = now;
				p->ts0 = ts;
			} else if (r != TD_SKIP) {
				snprintf(err, errlen, "%s", cerr);
				*res = TD_ERR_IO;
				t->capture_done = true;
				snprintf(t->note, sizeof t->note, "capture failed: %s", cerr);
				return true;
			}
		}
		until = p->started ? p->ts0 + (now - p->wall0) : UINT64_MAX;
	}
	size_t n = 0;
	bool eof = false;
	enum td_result r = td_capture_dispatch(t->cap, t->opts.live ? BATCH_LIVE : BATCH_FILE,
					       until, frame_cb, t->eng, &n, &eof, cerr, sizeof cerr);
	if (r != TD_OK) {
		snprintf(err, errlen, "%s", cerr);
		*res = r;
		t->capture_done = true;
		snprintf(t->note, sizeof t->note, "capture failed: %s", cerr);
		return true;
	}
	if (eof) {
		t->capture_done = true;
		if (cerr[0]) {
			snprintf(err, errlen, "%s", cerr);  /* a warning: cut short */
			snprintf(t->note, sizeof t->note, "warning: %s", cerr);
		}
		if (!t->finished) {
			const char *cut = td_capture_cut_short(t->cap);
			if (cut)  /* the summary says so, as the reports do */
				td_engine_note_truncated(t->eng, cut);
			td_engine_finish(t->eng);  /* report what is still open */
			t->finished = true;
		}
		return true;
	}
	return n > 0;
}

/* Milliseconds until the next thing to do (-1: only a key). */
static int wait_ms(struct td_tui *t, struct pace *p, uint64_t now, bool dirty,
		   uint64_t last_draw)
{
	const uint64_t frame = 1000000u / TD_TUI_FPS;
	uint64_t wake = UINT64_MAX;
	if (dirty)
		wake = last_draw + frame;
	if (t->msg[0] && t->msg_until > now && t->msg_until < wake)
		wake = t->msg_until;
	if (!t->capture_done) {
		if (t->opts.live) {
			uint64_t tick = now + TICK_MS * 1000u;
			if (tick < wake)
				wake = tick;
			if (last_draw + STATUS_US < wake)
				wake = last_draw + STATUS_US;
		} else if (!t->opts.replay) {
			return 0;  /* read on as fast as the keys allow */
		} else {
			uint64_t ts;
			char cerr[256];
			if (td_capture_next_ts(t->cap, &ts, cerr, sizeof cerr) != TD_OK)
				return 0;  /* the end or an error: the next step says which */
			uint64_t due = p->started && ts > p->ts0 ? p->wall0 + (ts - p->ts0) : now;
			if (due < wake)
				wake = due;
		}
	}
	if (wake == UINT64_MAX)
		return -1;
	if (wake <= now)
		return 0;
	uint64_t ms = (wake - now + 999u) / 1000u;
	return ms > 60000u ? 60000 : (int)ms;
}

static void update_counters(struct td_tui *t)
{
	t->frames = td_engine_stats(t->eng)->frames;
	if (t->opts.live)
		t->have_kernel = td_capture_stats(t->cap, &t->kernel_recv, &t->kernel_drop);
}

enum td_result td_tui_run(struct td_tui *t, struct td_capture *cap, struct td_engine *eng,
			  char *err, size_t errlen)
{
	err[0] = '\0';
	t->cap = cap;
	t->eng = eng;
	enum td_result res = td_capture_set_nonblock(cap, err, errlen);
	if (res != TD_OK)
		return res;
	res = term_open(t, err, errlen);
	if (res != TD_OK)
		return res;
	g_quit = 0;
	struct pace pace = { 0 };
	const uint64_t frame = 1000000u / TD_TUI_FPS;
	uint64_t last_draw = 0;
	bool dirty = true;
	int cap_fd = t->opts.live ? td_capture_fd(cap) : -1;
	int key_fd = fileno(g_term.in);
	while (!g_quit) {
		uint64_t now = mono_us();
		if (!t->capture_done && capture_step(t, &pace, now, &res, err, errlen))
			dirty = true;
		bool quit = false;
		for (uint32_t key; !quit && (key = read_key()) != TD_KEY_NONE;) {
			t->msg[0] = '\0';  /* a key clears the message */
			enum td_tui_action act = td_tui_ui_key(&t->ui, &t->view, &t->model, key,
							       t->model.next);
			if (act == TD_ACT_QUIT)
				quit = true;
			else if (act == TD_ACT_SAVE)
				save_report(t, now);
			else if (act == TD_ACT_NOT_FOUND)
				not_found(t, key, now);
			dirty = true;
		}
		if (quit)
			break;
		if (t->opts.live && now >= last_draw + STATUS_US)
			dirty = true;
		if (t->msg[0] && now >= t->msg_until) {
			t->msg[0] = '\0';
			dirty = true;
		}
		if (dirty && now >= last_draw + frame) {
			update_counters(t);
			td_tui_draw(t, now);
			last_draw = now;
			dirty = false;
		}
		struct pollfd pfd[2] = {
			{ .fd = key_fd, .events = POLLIN },
			{ .fd = !t->capture_done ? cap_fd : -1, .events = POLLIN },
		};
		int ms = wait_ms(t, &pace, now, dirty, last_draw);
		if (t->opts.live && !t->capture_done && cap_fd < 0 && (ms < 0 || ms > 20))
			ms = 20;  /* no selectable descriptor: look often */
		if (poll(pfd, 2, ms) < 0 && errno != EINTR) {
			snprintf(err, errlen, "poll: %s", strerror(errno));
			res = TD_ERR_IO;
			break;
		}
	}
	term_close();
	if (!t->finished) {
		td_engine_finish(eng);
		t->finished = true;
	}
	/* --summary: the text report's summary, now that the terminal is
	 * back.  Without it, nothing goes to stdout. */
	if (t->summary) {
		t->gate_open = true;
		if (t->summary->finish)
			t->summary->finish(t->summary, t->have_stats ? &t->stats : NULL);
		fflush(t->gate);
		t->gate_open = false;
	}
	if (fflush(stdout) != 0 && res == TD_OK) {
		snprintf(err, errlen, "writing the summary: %s", strerror(errno));
		res = TD_ERR_IO;
	}
	t->cap = NULL;
	t->eng = NULL;
	return res;
}
