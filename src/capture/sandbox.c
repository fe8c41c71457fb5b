/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * sandbox.c - what is left of the process's rights while it parses
 * packets (see capture.h): no capability, no way to gain one, and (with
 * libseccomp) only the system calls the capture loop makes.
 *
 * Started with file capabilities (setcap cap_net_raw,cap_net_admin+eip)
 * as an ordinary user, tlsdiag is not root and td_privdrop() has nothing
 * to give up, yet CAP_NET_RAW and CAP_NET_ADMIN stay effective for the
 * whole run while hostile bytes are parsed.  Once the interface and the
 * files are open they are not needed: every capability goes, from every
 * set (effective, permitted, inheritable, ambient, and the bounding set
 * where CAP_SETPCAP allows), no_new_privs stops execve() from granting
 * any back, and a seccomp filter allows only the calls listed below.
 *
 * The list was taken from strace(1) over live captures (TPACKET_V3 ring:
 * poll, then the ring in shared memory; pcap_close's setsockopt and
 * munmap), -w, a key log growing during the capture, rotation and
 * SIGHUP, the text, JSON and Markdown reports (tmpfile(3) spools), and
 * the live view (ncurses on /dev/tty, its report files), plus what
 * glibc and mimalloc do underneath (futex, getrandom, madvise) and
 * what worker threads need (clone with CLONE_THREAD only; clone3 is
 * answered ENOSYS, so glibc falls back to clone, whose flags a filter
 * can see).  openat stays: a file the user named may be opened late (a
 * rotated report, the view's s key); what it may open is left to the
 * unprivileged user and the absence of capabilities.  ioctl is limited
 * to the terminal and socket requests used, which keeps TIOCSTI (typing
 * into the user's terminal) out.
 *
 * Anything else: SECCOMP_RET_TRAP.  The kernel does not run the call and
 * sends SIGSYS; the handler says which call on stderr, with its number,
 * and ends the process with status 2.  Not SECCOMP_RET_KILL_PROCESS: it
 * kills without a word (the shell says "Bad system call", the call is
 * only in the audit log), and a user cannot tell what was missing.  Not
 * SECCOMP_RET_ERRNO(EPERM): a library may take EPERM quietly and change
 * the report.  A handler replaced by an attacker gains nothing: the call
 * was not run either way.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/capability.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <termios.h>
/* A sanitizer build (configure --enable-sanitizers: CI's second pass)
 * gets no filter: LeakSanitizer stops the process at exit with a helper
 * that ptrace()s it from a clone without CLONE_THREAD, and a report runs
 * the symbolizer, none of which a capture loop may do.  The capabilities
 * and no_new_privs are the same. */
#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define TD_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define TD_ASAN 1
#endif
#if defined(HAVE_SECCOMP) && !defined(TD_ASAN)
#define TD_SECCOMP 1
#include <sched.h>
#include <seccomp.h>
#endif

#include "capture.h"

/* capget/capset: glibc has no wrapper (libcap is their usual caller). */
static int caps_get(struct __user_cap_data_struct d[2])
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	return (int)syscall(SYS_capget, &h, d);
}

static int caps_set(struct __user_cap_data_struct d[2])
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	return (int)syscall(SYS_capset, &h, d);
}

/* The highest capability this kernel knows (it may know more than the
 * headers tlsdiag was built with). */
static unsigned long last_cap(void)
{
	unsigned long last = CAP_LAST_CAP;
	FILE *f = fopen("/proc/sys/kernel/cap_last_cap", "re");
	if (f) {
		unsigned long v;
		if (fscanf(f, "%lu", &v) == 1 && v < 64)
			last = v;
		fclose(f);
	}
	return last;
}

bool td_caps_drop_bounding(void)
{
	unsigned long last = last_cap();
	bool all = true;
	for (unsigned long c = 0; c <= last; c++) {
		if (prctl(PR_CAPBSET_READ, c, 0, 0, 0) == 1 &&
		    prctl(PR_CAPBSET_DROP, c, 0, 0, 0) != 0)
			all = false;  /* EPERM without CAP_SETPCAP */
	}
	return all;
}

/* Are all of a set's bits clear? */
static bool caps_none(const struct __user_cap_data_struct d[2])
{
	return !d[0].effective && !d[1].effective && !d[0].permitted && !d[1].permitted &&
	       !d[0].inheritable && !d[1].inheritable;
}

#ifdef TD_SECCOMP
/* Append s to msg (n bytes used of len), async-signal-safe. */
static size_t put(char *msg, size_t n, size_t len, const char *s)
{
	while (*s && n < len)
		msg[n++] = *s++;
	return n;
}

/* SIGSYS from the filter: say which call, then stop.  Only async-signal-
 * safe calls (write, _exit), and no stdio. */
static void on_sigsys(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)uc;
	char num[16], msg[256];
	size_t k = sizeof num - 1;
	unsigned v = (unsigned)si->si_syscall;
	num[k] = '\0';
	do {
		num[--k] = (char)('0' + v % 10);
		v /= 10;
	} while (v && k > 0);
	size_t n = put(msg, 0, sizeof msg, "tlsdiag: the seccomp filter stopped system call ");
	n = put(msg, n, sizeof msg, num + k);
	n = put(msg, n, sizeof msg, " (`scmp_sys_resolver ");
	n = put(msg, n, sizeof msg, num + k);
	n = put(msg, n, sizeof msg, "` names it): a bug, please report it; --no-seccomp "
		"runs without the filter\n");
	ssize_t w = write(STDERR_FILENO, msg, n);
	(void)w;
	_exit(2);
}

/* The calls allowed without looking at their arguments. */
static const char *const allowed[] = {
	/* reading packets, key logs, trust stores; writing reports */
	"read", "readv", "pread64", "write", "writev", "pwrite64", "lseek", "close",
	"fstat", "newfstatat", "stat", "lstat", "statx", "fcntl", "dup", "dup2", "dup3",
	"poll", "ppoll", "select", "pselect6", "epoll_wait", "epoll_pwait", "epoll_ctl",
	"epoll_create1", "recvfrom", "recvmsg", "getsockopt", "setsockopt", "getsockname",
	/* files: rotation (create, fdatasync, rename), tmpfile(3), the view's reports */
	"openat", "open", "rename", "renameat", "renameat2", "unlink", "unlinkat", "linkat",
	"fsync", "fdatasync", "ftruncate", "access", "faccessat", "faccessat2", "readlink",
	"getdents64", "getcwd", "umask",
	/* memory (malloc, mimalloc, libpcap's ring) */
	"brk", "mmap", "munmap", "mremap", "mprotect", "madvise",
	/* time, sleeping, waiting */
	"clock_gettime", "clock_getres", "gettimeofday", "time", "nanosleep",
	"clock_nanosleep", "futex", "sched_yield", "restart_syscall",
	/* signals (SIGINT, SIGTERM, SIGHUP, SIGWINCH in the view) */
	"rt_sigaction", "rt_sigprocmask", "rt_sigreturn", "sigaltstack",
	/* identity and limits, as libraries ask */
	"getpid", "gettid", "getuid", "geteuid", "getgid", "getegid", "getresuid",
	"getresgid", "getrandom", "uname", "sysinfo", "prlimit64", "getrlimit",
	"sched_getaffinity",
	/* threads (worker threads; glibc) */
	"set_robust_list", "rseq", "exit", "exit_group",
};

/* ioctl requests: the terminal (ncurses, isatty), FIONREAD, and the
 * interface ones libpcap may use on close.  Not TIOCSTI. */
static const unsigned long ioctls[] = {
	TCGETS, TCSETS, TCSETSW, TCSETSF, TIOCGWINSZ, TIOCSWINSZ, TIOCGPGRP, FIONREAD,
	FIONBIO, SIOCGIFFLAGS, SIOCSIFFLAGS, SIOCGIFINDEX, SIOCGIFHWADDR,
};

static enum td_result install_filter(char *err, size_t errlen)
{
	enum td_result r = TD_ERR_IO;
	int rc = 0;
	const char *what = "";
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_TRAP);
	if (!ctx) {
		snprintf(err, errlen, "seccomp: cannot make a filter (out of memory)");
		return TD_ERR_NOMEM;
	}
	/* Every thread, now and later (threads inherit the filter). */
	rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_TSYNC, 1);
	if (rc < 0) {
		what = "TSYNC";
		goto out;
	}
	for (size_t i = 0; i < sizeof allowed / sizeof allowed[0]; i++) {
		int nr = seccomp_syscall_resolve_name(allowed[i]);
		if (nr == __NR_SCMP_ERROR)
			continue;  /* not a call of this architecture (open on arm64) */
		rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 0);
		if (rc < 0) {
			what = allowed[i];
			goto out;
		}
	}
	for (size_t i = 0; i < sizeof ioctls / sizeof ioctls[0]; i++) {
		rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(ioctl), 1,
				      SCMP_A1(SCMP_CMP_EQ, ioctls[i]));
		if (rc < 0) {
			what = "ioctl";
			goto out;
		}
	}
	/* Threads only: a clone without CLONE_THREAD would be a new process. */
	rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(clone), 1,
			      SCMP_A0(SCMP_CMP_MASKED_EQ, CLONE_THREAD, CLONE_THREAD));
	if (rc == 0)
		rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(clone3), 0);
	/* abort(3) and raise(3) signal this process only. */
	if (rc == 0)
		rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(tgkill), 1,
				      SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)getpid()));
	if (rc < 0) {
		what = "clone, clone3, tgkill";
		goto out;
	}
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = on_sigsys;
	sa.sa_flags = SA_SIGINFO;
	if (sigaction(SIGSYS, &sa, NULL) != 0) {
		rc = -errno;
		what = "SIGSYS handler";
		goto out;
	}
	rc = seccomp_load(ctx);
	what = "loading it";
	if (rc == 0)
		r = TD_OK;
out:
	if (r != TD_OK)
		snprintf(err, errlen, "seccomp: cannot install the system call filter (%s): %s",
			 what, strerror(-rc));
	seccomp_release(ctx);
	return r;
}
#endif

enum td_result td_sandbox_enter(const struct td_sandbox_opts *o, char *note, size_t notelen,
				char *err, size_t errlen)
{
	if (note && notelen)
		note[0] = '\0';
	err[0] = '\0';
	if (!o->keep_caps) {
		/* Ambient first (it is cleared by capset too, but only for the
		 * bits that leave the permitted set), then the bounding set
		 * while CAP_SETPCAP may still be there, then the rest. */
		if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) != 0 && errno != EINVAL) {
			snprintf(err, errlen, "cannot clear the ambient capabilities: %s",
				 strerror(errno));
			return TD_ERR_IO;
		}
		bool bounding = td_caps_drop_bounding();
		struct __user_cap_data_struct d[2];
		memset(d, 0, sizeof d);
		if (caps_set(d) != 0) {
			snprintf(err, errlen, "cannot drop the capabilities: %s", strerror(errno));
			return TD_ERR_IO;
		}
		if (caps_get(d) != 0 || !caps_none(d)) {
			snprintf(err, errlen, "capabilities dropped, yet some are still held");
			return TD_ERR_IO;
		}
		if (!bounding && note && notelen)
			snprintf(note, notelen, "the capability bounding set is kept (dropping it "
				 "needs CAP_SETPCAP); no_new_privs makes it unusable");
	}
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
		snprintf(err, errlen, "cannot set no_new_privs: %s", strerror(errno));
		return TD_ERR_IO;
	}
	if (!o->seccomp)
		return TD_OK;
#ifdef TD_SECCOMP
	return install_filter(err, errlen);
#else
	if (note && notelen && !note[0])
		snprintf(note, notelen, "no seccomp filter: tlsdiag was built without libseccomp "
			 "(Debian: libseccomp-dev), or with the sanitizers");
	return TD_OK;
#endif
}

bool td_sandbox_has_seccomp(void)
{
#ifdef TD_SECCOMP
	return true;
#else
	return false;
#endif
}
