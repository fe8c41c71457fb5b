/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * privdrop.c - give up root once the capture is open (see capture.h).
 *
 * tlsdiag parses hostile bytes.  Opening an interface needs root (or
 * CAP_NET_RAW); parsing what comes through it does not.  As tcpdump
 * (-Z) and OpenBSD's privsep do, the process drops to an unprivileged
 * user after the interface, the key logs and the trust stores are open
 * and before the first packet is parsed, so a parser bug cannot be
 * turned into root.
 *
 * Order matters: supplementary groups first (they need root), then the
 * group ids (setresgid needs root too), then the user ids last.  Each
 * call is checked: a process that failed half-way must not carry on.
 * setresuid() sets the saved set-user-id as well, so there is no way
 * back; that is verified rather than assumed, by trying to regain root.
 */
#include "config.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#include "capture.h"

/* Clear the out-parameters' messages. */
static void clear(char *buf, size_t len)
{
	if (buf && len)
		buf[0] = '\0';
}

enum td_result td_privdrop(const char *user, char *note, size_t notelen,
			   char *err, size_t errlen)
{
	clear(note, notelen);
	clear(err, errlen);
	if (!user || !user[0]) {
		snprintf(err, errlen, "-Z needs a user name");
		return TD_ERR_USAGE;
	}
	uid_t ruid, euid, suid;
	gid_t rgid, egid, sgid;
	if (getresuid(&ruid, &euid, &suid) != 0 || getresgid(&rgid, &egid, &sgid) != 0) {
		snprintf(err, errlen, "cannot read the process ids: %s", strerror(errno));
		return TD_ERR_IO;
	}
	errno = 0;
	const struct passwd *pw = getpwnam(user);
	if (!pw) {
		if (errno)
			snprintf(err, errlen, "cannot look up user '%s' for -Z: %s", user,
				 strerror(errno));
		else
			snprintf(err, errlen, "unknown user '%s' for -Z: give an existing "
				 "unprivileged user (e.g. -Z %s)", user, TD_PRIVDROP_DEFAULT_USER);
		return TD_ERR_USAGE;
	}
	uid_t uid = pw->pw_uid;
	gid_t gid = pw->pw_gid;
	/* The user is checked first, so that a typo in -Z is an error
	 * whoever runs the command. */
	if (ruid != 0 && euid != 0 && suid != 0) {
		/* Nothing to give up: not root (a capture capability given
		 * with setcap is not root, and -Z cannot take it away). */
		snprintf(note, notelen, "not running as root: privileges left as they are "
			 "(-Z %s not needed)", user);
		return TD_OK;
	}
	if (uid == 0) {
		snprintf(note, notelen, "-Z %s: staying root as asked; packets are parsed "
			 "with full privileges", user);
		return TD_OK;
	}
	/* getpwnam's buffer is static and initgroups may reuse it. */
	const char *name = user;

	if (initgroups(name, gid) != 0) {
		/* initgroups can fail on a broken group database; the user's
		 * primary group alone is still a complete drop. */
		if (setgroups(1, &gid) != 0) {
			snprintf(err, errlen, "cannot set the groups of user '%s': %s", name,
				 strerror(errno));
			return TD_ERR_IO;
		}
	}
	if (setresgid(gid, gid, gid) != 0) {
		snprintf(err, errlen, "cannot change group to %lu (user '%s'): %s",
			 (unsigned long)gid, name, strerror(errno));
		return TD_ERR_IO;
	}
	if (setresuid(uid, uid, uid) != 0) {
		snprintf(err, errlen, "cannot change user to '%s' (%lu): %s", name,
			 (unsigned long)uid, strerror(errno));
		return TD_ERR_IO;
	}
	/* Verify: every id is the user's, and root cannot be regained. */
	if (getresuid(&ruid, &euid, &suid) != 0 || getresgid(&rgid, &egid, &sgid) != 0 ||
	    ruid != uid || euid != uid || suid != uid ||
	    rgid != gid || egid != gid || sgid != gid) {
		snprintf(err, errlen, "dropping to user '%s' left other ids behind", name);
		return TD_ERR_IO;
	}
	if (setuid(0) == 0 || seteuid(0) == 0 || (gid != 0 && setgid(0) == 0)) {
		snprintf(err, errlen, "dropped to user '%s' but could regain root", name);
		return TD_ERR_IO;
	}
	return TD_OK;
}
