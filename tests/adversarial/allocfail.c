/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * allocfail.c - the allocation-failure sweep: fail the Nth allocation,
 * for every N, and check that tlsdiag's pipeline comes back cleanly.
 *
 *   allocfail [-v] [CAPTURE[:KEYLOG] ...]     (-v: one line per run)
 *
 * Linked with -Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc,
 * --wrap=strdup,--wrap=strndup,--wrap=free (tests/adversarial/
 * adversarial.am), so every allocation libtlsdiag.a makes goes through
 * the __wrap_ functions below, which count it and fail the one asked
 * for.  (Those are all the allocators src/ calls.)  What the wrappers do
 * not see: allocations inside the shared libraries -- wolfSSL, libpcap,
 * zlib, libc's own (fopen's FILE, stdio buffers) -- since --wrap only
 * rewrites references in the objects being linked.
 *
 * For each capture (default: a TLS 1.3 mTLS capture with its key log, a
 * TLS 1.2 resumption with its key log, and a failed TLS 1.2 mTLS
 * handshake, from $top_srcdir/captures), it runs the whole pipeline as
 * src/main.c does -- diagnoser with the lab's trust stores, key log,
 * td_capture_open_file -> td_engine -> JSON sink to /dev/null -- once
 * without failures (counting allocations), then once per N = 1, 2, ...
 * with the Nth allocation failing, until a run goes by without reaching
 * N.  Each run is a fork()ed child, so a crash, an abort, a hang
 * (alarm) or a leak is pinned on its N.  A run passes when the child
 * returns from the pipeline and exits 0, having freed every block our
 * code allocated (tracked here, by pointer: a leak check that works in
 * the plain build too; under ASan, LeakSanitizer checks again at the
 * child's exit and makes it exit nonzero).  On a failure the child's
 * stderr (sanitizer report, or the backtrace printed on a fatal signal)
 * is in the log, with the command line to repeat that N alone:
 * ALLOCFAIL_N=123 allocfail CAPTURE[:KEYLOG].
 *
 * Exit status: 0 when every run of every capture was clean, 1 otherwise,
 * 77 (skip) when the captures are not found.
 */
#include "config.h"

#include <errno.h>
#include <execinfo.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>

#include "capture.h"
#include "diagnose.h"
#include "engine.h"
#include "keylog.h"
#include "out.h"
#include "x509.h"

/* ---- the wrappers --------------------------------------------------------- */

void *__real_malloc(size_t n);
void *__real_calloc(size_t k, size_t n);
void *__real_realloc(void *p, size_t n);
char *__real_strdup(const char *s);
char *__real_strndup(const char *s, size_t n);
void __real_free(void *p);
void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t k, size_t n);
void *__wrap_realloc(void *p, size_t n);
char *__wrap_strdup(const char *s);
char *__wrap_strndup(const char *s, size_t n);
void __wrap_free(void *p);

static bool g_armed;            /* count and fail only inside the pipeline */
static uint64_t g_count;        /* allocations so far in this run */
static uint64_t g_fail_at;      /* fail this one (1-based); 0: none */
static bool g_injected;         /* the failure was handed out */

/* Live blocks our code allocated: an open-addressing set of pointers
 * (static: it must not allocate), with the allocation's number and
 * caller for the leak report. */
enum { LIVE_SLOTS = 1u << 17 };
struct live {
	uintptr_t p;                /* 0: empty; 1: deleted */
	uint64_t seq;
	size_t size;
	void *caller;
};
static struct live g_live[LIVE_SLOTS];
static size_t g_live_n, g_live_overflow;

static size_t slot_of(uintptr_t p)
{
	uint64_t h = (uint64_t)p * 0x9e3779b97f4a7c15ull;
	return (size_t)(h >> 44) & (LIVE_SLOTS - 1);
}

static void live_add(void *p, size_t size, void *caller)
{
	if (!p)
		return;
	if (g_live_n >= LIVE_SLOTS / 2) {
		g_live_overflow++;  /* the set is full: this block is not tracked */
		return;
	}
	size_t i = slot_of((uintptr_t)p);
	while (g_live[i].p > 1)
		i = (i + 1) & (LIVE_SLOTS - 1);
	g_live[i] = (struct live){ (uintptr_t)p, g_count, size, caller };
	g_live_n++;
}

static void live_del(void *p)
{
	if (!p)
		return;
	size_t i = slot_of((uintptr_t)p);
	while (g_live[i].p != 0) {
		if (g_live[i].p == (uintptr_t)p) {
			g_live[i].p = 1;
			g_live_n--;
			return;
		}
		i = (i + 1) & (LIVE_SLOTS - 1);
	}
	/* not ours (allocated before the run or by a library): fine */
}

/* Count one allocation; true when it must fail. */
static bool fail_now(void)
{
	if (!g_armed)
		return false;
	g_count++;
	if (g_fail_at && g_count == g_fail_at) {
		g_injected = true;
		return true;
	}
	return false;
}

void *__wrap_malloc(size_t n)
{
	if (fail_now())
		return NULL;
	void *p = __real_malloc(n);
	if (g_armed)
		live_add(p, n, __builtin_return_address(0));
	return p;
}

void *__wrap_calloc(size_t k, size_t n)
{
	if (fail_now())
		return NULL;
	void *p = __real_calloc(k, n);
	if (g_armed)
		live_add(p, k * n, __builtin_return_address(0));
	return p;
}

void *__wrap_realloc(void *p, size_t n)
{
	if (fail_now())
		return NULL;  /* the old block stays as it was, as realloc's does */
	void *q = __real_realloc(p, n);
	if (g_armed && (q || n == 0)) {
		live_del(p);  /* moved, or freed by realloc(p, 0) */
		live_add(q, n, __builtin_return_address(0));
	}
	return q;
}

char *__wrap_strdup(const char *s)
{
	if (fail_now())
		return NULL;
	char *p = __real_strdup(s);
	if (g_armed)
		live_add(p, strlen(s) + 1, __builtin_return_address(0));
	return p;
}

char *__wrap_strndup(const char *s, size_t n)
{
	if (fail_now())
		return NULL;
	char *p = __real_strndup(s, n);
	if (g_armed)
		live_add(p, n + 1, __builtin_return_address(0));
	return p;
}

void __wrap_free(void *p)
{
	if (g_armed)
		live_del(p);
	__real_free(p);
}

/* ---- one run of the pipeline ---------------------------------------------- */

struct job {
	char name[128];
	char capture[1024];
	char keylog[1024];          /* "" when none */
	char ca_file[1024];         /* the client's trust store (the lab's root) */
	char client_ca_file[1024];  /* the server's store (the lab's client CA) */
};

/* How a run ended, as the child's exit status. */
enum {
	RUN_INJECTED = 0,     /* the Nth allocation failed; clean */
	RUN_LEAK = 3,         /* blocks left allocated after cleanup */
	RUN_NOT_INJECTED = 10 /* the run made fewer than N allocations; clean */
};

static void frame_cb(void *ctx, enum td_link link, uint64_t ts_us, const uint8_t *data,
		     size_t caplen, size_t wirelen)
{
	td_engine_frame(ctx, link, ts_us, data, caplen, wirelen);
}

/* The pipeline of src/main.c, every step checked.  Returns whether it
 * went through to the end (false: it stopped on an error, which is fine
 * when an allocation was made to fail). */
static bool pipeline(const struct job *j, char *err, size_t errlen)
{
	bool done = false;
	struct td_diagnoser *diag = NULL;
	struct td_keylog *keylog = NULL;
	struct td_capture *cap = NULL;
	struct td_sink *sink = NULL;
	struct td_engine *eng = NULL;
	FILE *out = NULL;
	struct td_config cfg;
	struct td_diag_opts dopts = {
		.ca_file = j->ca_file[0] ? j->ca_file : NULL,
		.no_system_store = true,
		.client_ca_file = j->client_ca_file[0] ? j->client_ca_file : NULL,
	};

	err[0] = '\0';
	if (td_x509_global_init() != TD_OK) {
		snprintf(err, errlen, "td_x509_global_init failed");
		return false;  /* nothing to clean up */
	}
	td_config_defaults(&cfg);
	if (td_diagnoser_new(&diag, &dopts, err, errlen) != TD_OK)
		goto out;
	cfg.diagnoser = diag;
	if (j->keylog[0]) {
		keylog = td_keylog_new();
		if (!keylog) {
			snprintf(err, errlen, "td_keylog_new: out of memory");
			goto out;
		}
		if (td_keylog_load_file(keylog, j->keylog, err, errlen) != TD_OK)
			goto out;
		cfg.keylog = keylog;
	}
	if (td_capture_open_file(&cap, j->capture, err, errlen) != TD_OK)
		goto out;
	out = fopen("/dev/null", "w");
	if (!out) {
		snprintf(err, errlen, "/dev/null: %s", strerror(errno));
		goto out;
	}
	sink = td_json_sink_new(out);
	if (!sink) {
		snprintf(err, errlen, "td_json_sink_new: out of memory");
		goto out;
	}
	eng = td_engine_new(&cfg, sink);
	if (!eng) {
		snprintf(err, errlen, "td_engine_new: out of memory");
		goto out;
	}
	enum td_result r = td_capture_run(cap, frame_cb, eng, err, errlen);
	td_engine_finish(eng);
	if (r != TD_OK)
		goto out;
	done = true;
out:
	td_engine_free(eng);
	td_diagnoser_free(diag);
	td_keylog_free(keylog);
	td_sink_free(sink);
	td_capture_close(cap);
	if (out)
		fclose(out);
	td_x509_global_cleanup();
	return done;
}

/* A fatal signal in a child: say where, then die of it. */
static void on_fatal(int sig)
{
	static const char msg[] = "allocfail: fatal signal; backtrace:\n";
	void *bt[64];
	ssize_t w = write(STDERR_FILENO, msg, sizeof msg - 1);
	(void)w;
	int n = backtrace(bt, 64);
	backtrace_symbols_fd(bt, n, STDERR_FILENO);
	signal(sig, SIG_DFL);
	raise(sig);
}

/* The child: one run with the fail_at-th allocation failing (0: none). */
static int child(const struct job *j, uint64_t fail_at, bool verbose, uint64_t *count_out)
{
	/* ASan installs its own handlers (with better reports); ours only
	 * where none is set. */
	struct sigaction old;
	int sigs[] = { SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT };
	for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
		if (sigaction(sigs[i], NULL, &old) == 0 && old.sa_handler == SIG_DFL)
			signal(sigs[i], on_fatal);
	alarm(60);  /* a hang is a failure too */

	char err[512];
	/* g_live is still empty: the parent never arms the wrappers. */
	g_count = 0;
	g_fail_at = fail_at;
	g_injected = false;
	g_armed = true;
	bool done = pipeline(j, err, sizeof err);
	g_armed = false;
	if (count_out)
		*count_out = g_count;

	if (verbose)
		fprintf(stderr, "allocfail: %s N=%llu: %s%s%s\n", j->name,
			(unsigned long long)fail_at, done ? "completed" : "stopped",
			err[0] ? ": " : "", err);
	if (g_live_n > 0) {
		fprintf(stderr, "allocfail: %s N=%llu: %zu block%s leaked by libtlsdiag "
			"(pipeline %s%s%s):\n", j->name, (unsigned long long)fail_at, g_live_n,
			g_live_n == 1 ? "" : "s", done ? "completed" : "stopped",
			err[0] ? ": " : "", err);
		size_t shown = 0;
		for (size_t i = 0; i < LIVE_SLOTS && shown < 10; i++) {
			if (g_live[i].p <= 1)
				continue;
			fprintf(stderr, "  allocation #%llu, %zu bytes, from ",
				(unsigned long long)g_live[i].seq, g_live[i].size);
			backtrace_symbols_fd(&g_live[i].caller, 1, STDERR_FILENO);
			shown++;
		}
		return RUN_LEAK;
	}
	if (g_live_overflow)
		fprintf(stderr, "allocfail: %s: %zu blocks not tracked (set full)\n", j->name,
			g_live_overflow);
	if (fail_at && !g_injected)
		return RUN_NOT_INJECTED;
	/* Error or not, the pipeline came back and cleaned up: that is all a
	 * run has to do.  (err says what stopped it, for -v.) */
	(void)done;
	return RUN_INJECTED;
}

struct outcome {
	int code;        /* exit status, or -1 */
	int sig;         /* the signal that killed it, or 0 */
	uint64_t count;  /* allocations the run made (0 when unknown) */
};

static struct outcome run_forked(const struct job *j, uint64_t fail_at, bool verbose)
{
	struct outcome o = { -1, 0, 0 };
	int fd[2];
	if (pipe(fd) != 0) {
		fprintf(stderr, "allocfail: pipe: %s\n", strerror(errno));
		return o;
	}
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0) {
		fprintf(stderr, "allocfail: fork: %s\n", strerror(errno));
		close(fd[0]);
		close(fd[1]);
		return o;
	}
	if (pid == 0) {
		close(fd[0]);
		uint64_t n = 0;
		int rc = child(j, fail_at, verbose, &n);
		ssize_t w = write(fd[1], &n, sizeof n);
		(void)w;
		close(fd[1]);
		exit(rc);  /* exit(), not _exit(): LeakSanitizer checks at exit */
	}
	close(fd[1]);
	uint64_t n = 0;
	ssize_t got;
	do
		got = read(fd[0], &n, sizeof n);
	while (got < 0 && errno == EINTR);
	close(fd[0]);
	if (got == (ssize_t)sizeof n)
		o.count = n;
	int st;
	while (waitpid(pid, &st, 0) < 0) {
		if (errno != EINTR) {
			fprintf(stderr, "allocfail: waitpid: %s\n", strerror(errno));
			return o;
		}
	}
	if (WIFSIGNALED(st))
		o.sig = WTERMSIG(st);
	else if (WIFEXITED(st))
		o.code = WEXITSTATUS(st);
	return o;
}

static double now_s(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* Sweep one capture.  Returns the number of failed runs. */
static unsigned long sweep(const struct job *j, bool verbose)
{
	double t0 = now_s();
	/* The baseline: a run without failures, and how many allocations it makes. */
	struct outcome base = run_forked(j, 0, verbose);
	if (base.sig || base.code != RUN_INJECTED || base.count == 0) {
		printf("FAIL allocfail %s: the run without failures %s %d (%llu allocations)\n",
		       j->name, base.sig ? "died of signal" : "exited", base.sig ? base.sig : base.code,
		       (unsigned long long)base.count);
		return 1;
	}
	uint64_t total = base.count;
	unsigned long failed = 0, runs = 0;
	uint64_t n;
	const char *env_n = getenv("ALLOCFAIL_N");
	uint64_t only = env_n ? strtoull(env_n, NULL, 10) : 0;
	/* Past the count the run no longer reaches N; the sweep stops at
	 * the first such run (and a safety bound in case counts drift). */
	for (n = only ? only : 1; n <= 2 * total + 1000; n++) {
		struct outcome o = run_forked(j, n, verbose);
		runs++;
		if (o.sig == 0 && o.code == RUN_NOT_INJECTED)
			break;
		if (o.sig || o.code != RUN_INJECTED) {
			failed++;
			if (failed <= 20) {
				if (o.sig)
					printf("FAIL allocfail %s: N=%llu: killed by signal %d (%s)\n",
					       j->name, (unsigned long long)n, o.sig, strsignal(o.sig));
				else if (o.code == RUN_LEAK)
					printf("FAIL allocfail %s: N=%llu: leak (blocks listed above)\n",
					       j->name, (unsigned long long)n);
				else
					printf("FAIL allocfail %s: N=%llu: exit status %d (a sanitizer "
					       "report, LeakSanitizer's included, is above)\n",
					       j->name, (unsigned long long)n, o.code);
				printf("     repeat: ALLOCFAIL_N=%llu %s %s%s%s\n", (unsigned long long)n,
				       "tests/adversarial/allocfail", j->capture, j->keylog[0] ? ":" : "",
				       j->keylog);
			}
		}
		if (only)
			break;
	}
	double dt = now_s() - t0;
	if (only) {
		printf("%s allocfail %s: N=%llu alone\n", failed ? "FAIL" : "ok  ", j->name,
		       (unsigned long long)only);
	} else if (failed) {
		printf("FAIL allocfail %s: %lu of %lu runs failed (%llu allocations, %.1f s)\n",
		       j->name, failed, runs, (unsigned long long)total, dt);
	} else {
		printf("ok   allocfail %s: %llu allocations, %lu runs (the last reaching no failure), "
		       "every one clean, %.1f s\n", j->name, (unsigned long long)total, runs, dt);
	}
	fflush(stdout);
	return failed;
}

static bool exists(const char *p)
{
	struct stat sb;
	return stat(p, &sb) == 0;
}

/* "path/name.pcap[:keylog]" into a job; the trust stores from dir. */
static bool make_job(struct job *j, const char *arg, const char *labdir)
{
	memset(j, 0, sizeof *j);
	const char *colon = strchr(arg, ':');
	size_t clen = colon ? (size_t)(colon - arg) : strlen(arg);
	if (clen >= sizeof j->capture)
		return false;
	memcpy(j->capture, arg, clen);
	if (colon)
		snprintf(j->keylog, sizeof j->keylog, "%s", colon + 1);
	const char *base = strrchr(j->capture, '/');
	snprintf(j->name, sizeof j->name, "%.100s%s", base ? base + 1 : j->capture,
		 j->keylog[0] ? "+keylog" : "");
	snprintf(j->ca_file, sizeof j->ca_file, "%.1000s/rootCA.crt", labdir);
	snprintf(j->client_ca_file, sizeof j->client_ca_file, "%.1000s/clientCA.crt", labdir);
	if (!exists(j->ca_file))
		j->ca_file[0] = '\0';
	if (!exists(j->client_ca_file))
		j->client_ca_file[0] = '\0';
	return exists(j->capture) && (!j->keylog[0] || exists(j->keylog));
}

int main(int argc, char **argv)
{
	bool verbose = false;
	int first = 1;
	if (argc > 1 && strcmp(argv[1], "-v") == 0) {
		verbose = true;
		first = 2;
	}
	const char *srcdir = getenv("top_srcdir");
	if (!srcdir || !*srcdir)
		srcdir = TD_ADV_SRCDIR;
	char caps[1024], lab[1100];
	snprintf(caps, sizeof caps, "%s/captures", srcdir);
	snprintf(lab, sizeof lab, "%s/lab", caps);

	static const char *defaults[] = {
		"tls13-mtls-ok.pcap:tls13-mtls-ok.keylog",
		"tls12-resumed.pcap:tls12-resumed.keylog",
		"tls12-client-cert-untrusted.pcap",
	};
	size_t njobs = argc > first ? (size_t)(argc - first) : sizeof defaults / sizeof defaults[0];
	unsigned long failed = 0;
	size_t failed_jobs = 0;
	double t0 = now_s();
	for (size_t i = 0; i < njobs; i++) {
		char arg[2200];
		if (argc > first) {
			snprintf(arg, sizeof arg, "%s", argv[first + (int)i]);
		} else {
			const char *d = defaults[i];
			const char *colon = strchr(d, ':');
			if (colon)
				snprintf(arg, sizeof arg, "%s/%.*s:%s/%s", caps, (int)(colon - d), d, caps,
					 colon + 1);
			else
				snprintf(arg, sizeof arg, "%s/%s", caps, d);
		}
		struct job j;
		if (!make_job(&j, arg, lab)) {
			printf("SKIP allocfail: %s not found\n", arg);
			return 77;
		}
		unsigned long f = sweep(&j, verbose);
		failed += f;
		failed_jobs += f ? 1 : 0;
	}
	printf("allocfail: %zu passed, %zu failed (captures swept, %.1f s); wolfSSL's, libpcap's, "
	       "zlib's and libc's own allocations are not failed (shared libraries: --wrap cannot "
	       "reach them)\n", njobs - failed_jobs, failed_jobs, now_s() - t0);
	return failed ? 1 : 0;
}
