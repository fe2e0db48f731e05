/*
 * openssl_common.h - what the OpenSSL client and server share.  OpenSSL
 * is measured only as Debian builds it (prebuilt, whole-library): its
 * own I/O (file-descriptor BIOs on standard input and output) is used
 * directly, since the program only ever runs on Linux.
 */
#ifndef SB_OPENSSL_COMMON_H
#define SB_OPENSSL_COMMON_H

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <string.h>

#include "sizeprog.h"

#if !defined(SB_OPENSSL_NAME)
#error "SB_OPENSSL_NAME: the suite's OpenSSL name, from size/build.sh"
#endif

static void ossl_check(const char *what, int ok)
{
	if (!ok)
		sb_plat_fail(what, (long)ERR_peek_last_error());
}

/* TLS 1.2 only, the one suite, P-256, no session tickets. */
static SSL_CTX *ossl_configure(const SSL_METHOD *method)
{
	SSL_CTX *ctx = SSL_CTX_new(method);
	ossl_check("SSL_CTX_new", ctx != NULL);
	ossl_check("SSL_CTX_set_min_proto_version",
	           SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION));
	ossl_check("SSL_CTX_set_max_proto_version",
	           SSL_CTX_set_max_proto_version(ctx, TLS1_2_VERSION));
	ossl_check("SSL_CTX_set_cipher_list",
	           SSL_CTX_set_cipher_list(ctx, SB_OPENSSL_NAME));
	ossl_check("SSL_CTX_set1_groups_list",
	           SSL_CTX_set1_groups_list(ctx, "P-256"));
	SSL_CTX_set_options(ctx, SSL_OP_NO_TICKET);
	return ctx;
}

static SSL *ossl_connection(SSL_CTX *ctx)
{
	SSL *ssl = SSL_new(ctx);
	ossl_check("SSL_new", ssl != NULL);
	BIO *in = BIO_new_fd(0, BIO_NOCLOSE), *out = BIO_new_fd(1, BIO_NOCLOSE);
	ossl_check("BIO_new_fd", in && out);
	SSL_set_bio(ssl, in, out);
	return ssl;
}

static void ossl_check_suite(SSL *ssl)
{
	unsigned suite =
	    SSL_CIPHER_get_protocol_id(SSL_get_current_cipher(ssl));
	if (suite != SB_SUITE_CODE)
		sb_plat_fail("negotiated suite", (long)suite);
}

#endif
