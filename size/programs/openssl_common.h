/*
 * openssl_common.h - what the OpenSSL client and server share.  OpenSSL
 * is measured only as Debian builds it (prebuilt, whole-library): for
 * TLS its own I/O (file-descriptor BIOs on standard input and output) is
 * used directly, since the program only ever runs on Linux.  DTLS
 * (-DSB_DTLS) needs a datagram BIO: one over the platform layer, which
 * frames each datagram on the pipe, with the MTU set as `run` sets it.
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

#if defined(SB_DTLS)
#define OSSL_VERSION DTLS1_2_VERSION
#define OSSL_CLIENT_METHOD DTLS_client_method
#define OSSL_SERVER_METHOD DTLS_server_method
#define OSSL_MTU 1232 /* as `suitebench run`: IPv6's minimum less headers */

static int ossl_dgram_write(BIO *bio, const char *buf, int len)
{
	BIO_clear_retry_flags(bio);
	return sb_plat_send((const unsigned char *)buf, (size_t)len);
}

static int ossl_dgram_read(BIO *bio, char *buf, int cap)
{
	BIO_clear_retry_flags(bio);
	return sb_plat_recv((unsigned char *)buf, (size_t)cap);
}

static long ossl_dgram_ctrl(BIO *bio, int cmd, long num, void *ptr)
{
	(void)bio;
	(void)num;
	(void)ptr;
	return cmd == BIO_CTRL_FLUSH || cmd == BIO_CTRL_DGRAM_SET_NEXT_TIMEOUT;
}

static BIO *ossl_bio(void)
{
	BIO_METHOD *m = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK,
	                             "sb-datagram");
	ossl_check("BIO_meth_new",
	           m && BIO_meth_set_write(m, ossl_dgram_write) &&
	               BIO_meth_set_read(m, ossl_dgram_read) &&
	               BIO_meth_set_ctrl(m, ossl_dgram_ctrl));
	BIO *bio = BIO_new(m);
	ossl_check("BIO_new", bio != NULL);
	BIO_set_init(bio, 1);
	return bio;
}
#else
#define OSSL_VERSION TLS1_2_VERSION
#define OSSL_CLIENT_METHOD TLS_client_method
#define OSSL_SERVER_METHOD TLS_server_method
#endif

/* TLS 1.2 or DTLS 1.2 only, the one suite, P-256, no session tickets. */
static SSL_CTX *ossl_configure(const SSL_METHOD *method)
{
	SSL_CTX *ctx = SSL_CTX_new(method);
	ossl_check("SSL_CTX_new", ctx != NULL);
	ossl_check("SSL_CTX_set_min_proto_version",
	           SSL_CTX_set_min_proto_version(ctx, OSSL_VERSION));
	ossl_check("SSL_CTX_set_max_proto_version",
	           SSL_CTX_set_max_proto_version(ctx, OSSL_VERSION));
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
#if defined(SB_DTLS)
	BIO *bio = ossl_bio();
	SSL_set_bio(ssl, bio, bio);
	/* No MTU query (the BIO has no socket): the MTU is set. */
	SSL_set_options(ssl, SSL_OP_NO_QUERY_MTU);
	ossl_check("SSL_set_mtu", SSL_set_mtu(ssl, OSSL_MTU) != 0);
#else
	BIO *in = BIO_new_fd(0, BIO_NOCLOSE), *out = BIO_new_fd(1, BIO_NOCLOSE);
	ossl_check("BIO_new_fd", in && out);
	SSL_set_bio(ssl, in, out);
#endif
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
