/* SPDX-License-Identifier: GPL-2.0-or-later
 *
 * keylog-shim.c -- LD_PRELOAD library that writes an NSS key log for any
 * program linked against OpenSSL >= 1.1.1 (nginx, HAProxy, Apache mod_ssl,
 * PostgreSQL's server and libpq/psql), none of which has a key log option.
 *
 * It wraps SSL_CTX_new and SSL_new and installs OpenSSL's own key log
 * callback (SSL_CTX_set_keylog_callback) on every context; the callback
 * appends each line to $SSLKEYLOGFILE (open/append/close per line, so it is
 * safe across fork(): nginx and Apache workers, PostgreSQL backends).
 * Built at capture time by make-real.sh:
 *     cc -shared -fPIC -o keylog-shim.so keylog-shim.c -ldl
 * Part of the capture lab only; not linked into tlsdiag.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <openssl/ssl.h>

static void keylog_cb(const SSL *ssl, const char *line)
{
    const char *path = getenv("SSLKEYLOGFILE");
    (void)ssl;
    if (!path || !*path)
        return;
    int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0)
        return;
    size_t n = strlen(line);
    char *buf = malloc(n + 1);
    if (buf) {
        memcpy(buf, line, n);
        buf[n] = '\n';
        if (write(fd, buf, n + 1) < 0) { /* nothing to do */ }
        free(buf);
    }
    close(fd);
}

SSL_CTX *SSL_CTX_new(const SSL_METHOD *meth)
{
    static SSL_CTX *(*real)(const SSL_METHOD *);
    if (!real)
        real = (SSL_CTX *(*)(const SSL_METHOD *))dlsym(RTLD_NEXT, "SSL_CTX_new");
    SSL_CTX *ctx = real(meth);
    if (ctx)
        SSL_CTX_set_keylog_callback(ctx, keylog_cb);
    return ctx;
}

SSL_CTX *SSL_CTX_new_ex(OSSL_LIB_CTX *lib, const char *propq, const SSL_METHOD *meth)
{
    static SSL_CTX *(*real)(OSSL_LIB_CTX *, const char *, const SSL_METHOD *);
    if (!real)
        real = (SSL_CTX *(*)(OSSL_LIB_CTX *, const char *, const SSL_METHOD *))
            dlsym(RTLD_NEXT, "SSL_CTX_new_ex");
    SSL_CTX *ctx = real(lib, propq, meth);
    if (ctx)
        SSL_CTX_set_keylog_callback(ctx, keylog_cb);
    return ctx;
}

SSL *SSL_new(SSL_CTX *ctx)
{
    static SSL *(*real)(SSL_CTX *);
    if (!real)
        real = (SSL *(*)(SSL_CTX *))dlsym(RTLD_NEXT, "SSL_new");
    if (ctx && !SSL_CTX_get_keylog_callback(ctx))
        SSL_CTX_set_keylog_callback(ctx, keylog_cb);
    return real(ctx);
}
