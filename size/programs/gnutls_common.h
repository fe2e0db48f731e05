/*
 * gnutls_common.h - what the GnuTLS client and server share.  GnuTLS is
 * measured only as Debian builds it (prebuilt, whole-library), so it
 * only ever runs on Linux.  Its default transport calls recv() and
 * send(), which a pipe refuses: the session reads and writes through the
 * platform layer instead.  DTLS (-DSB_DTLS): one push, one datagram (the
 * pieces GnuTLS writes at once gathered), and reads that always wait:
 * the pipe loses nothing, so no flight is ever retransmitted.
 */
#ifndef SB_GNUTLS_COMMON_H
#define SB_GNUTLS_COMMON_H

#include <gnutls/gnutls.h>
#include <string.h>

#include "sizeprog.h"

/* The suite's names in a priority string, as backends/gnutls.c builds it. */
#if defined(SB_KX_PSK)
#define GTLS_KX "+PSK"
#elif defined(SB_KX_ECDHE_PSK)
#define GTLS_KX "+ECDHE-PSK"
#elif defined(SB_KX_ECDHE_ECDSA)
#define GTLS_KX "+ECDHE-ECDSA"
#else
#define GTLS_KX "+ECDHE-RSA"
#endif
#if defined(SB_AEAD_GCM)
#define GTLS_CIPHER "+AES-128-GCM"
#elif defined(SB_AEAD_CCM)
#define GTLS_CIPHER "+AES-128-CCM"
#elif defined(SB_AEAD_CCM8)
#define GTLS_CIPHER "+AES-128-CCM-8"
#else
#define GTLS_CIPHER "+CHACHA20-POLY1305"
#endif
#if defined(SB_KX_ECDHE_RSA)
#define GTLS_SIGN "+SIGN-RSA-SHA256:+SIGN-ECDSA-SHA256"
#else
#define GTLS_SIGN "+SIGN-ECDSA-SHA256"
#endif

#if defined(SB_DTLS)
#include <gnutls/dtls.h>
#define GTLS_VERSION "+VERS-DTLS1.2"
#define GTLS_DATAGRAM GNUTLS_DATAGRAM
#else
#define GTLS_VERSION "+VERS-TLS1.2"
#define GTLS_DATAGRAM 0
#endif

/* TLS 1.2 or DTLS 1.2 only, the one suite, P-256, no session tickets. */
#define GTLS_PRIORITY                                                          \
	"NONE:" GTLS_VERSION ":" GTLS_KX ":" GTLS_CIPHER                       \
	":+AEAD:+COMP-NULL:+GROUP-SECP256R1:" GTLS_SIGN                        \
	":+CTYPE-X509:%NO_TICKETS"

static void gtls_check(const char *what, int ret)
{
	if (ret < 0)
		sb_plat_fail(what, ret);
}

static ssize_t gtls_push(gnutls_transport_ptr_t ptr, const void *buf,
                         size_t len)
{
	(void)ptr;
	return sb_plat_send(buf, len);
}

#if defined(SB_DTLS)
/* A datagram taken off the pipe ahead of the session (the server's
 * cookie check reads the ClientHello first): the session reads it next. */
static unsigned char gtls_held[16384];
static size_t gtls_held_len;

static ssize_t gtls_pull(gnutls_transport_ptr_t ptr, void *buf, size_t len)
{
	(void)ptr;
	if (gtls_held_len == 0)
		return sb_plat_recv(buf, len);
	size_t n = gtls_held_len < len ? gtls_held_len : len;
	memcpy(buf, gtls_held, n);
	gtls_held_len = 0;
	return (ssize_t)n;
}

/* The pieces of one record, one datagram. */
static ssize_t gtls_vec_push(gnutls_transport_ptr_t ptr, const giovec_t *iov,
                             int iovcnt)
{
	static unsigned char datagram[16384];
	size_t len = 0;
	(void)ptr;
	for (int i = 0; i < iovcnt; i++) {
		if (iov[i].iov_len > sizeof(datagram) - len)
			return -1;
		memcpy(datagram + len, iov[i].iov_base, iov[i].iov_len);
		len += iov[i].iov_len;
	}
	return sb_plat_send(datagram, len);
}

/* Reads block, and the pipe delivers every datagram: always ready. */
static int gtls_pull_timeout(gnutls_transport_ptr_t ptr, unsigned int ms)
{
	(void)ptr;
	(void)ms;
	return 1;
}

static void gtls_transport(gnutls_session_t session)
{
	gnutls_transport_set_vec_push_function(session, gtls_vec_push);
	gnutls_transport_set_pull_timeout_function(session, gtls_pull_timeout);
}
#else
static ssize_t gtls_pull(gnutls_transport_ptr_t ptr, void *buf, size_t len)
{
	(void)ptr;
	return sb_plat_recv(buf, len);
}

static void gtls_transport(gnutls_session_t session)
{
	(void)session; /* TLS: the stream as it comes */
}
#endif

static gnutls_session_t gtls_session(unsigned flags)
{
	gnutls_session_t session;
	gtls_check("gnutls_init", gnutls_init(&session, flags | GTLS_DATAGRAM));
	gtls_check("gnutls_priority_set_direct",
	           gnutls_priority_set_direct(session, GTLS_PRIORITY, NULL));
	gnutls_transport_set_push_function(session, gtls_push);
	gnutls_transport_set_pull_function(session, gtls_pull);
	gtls_transport(session);
	return session;
}

/* The handshake, then the negotiated suite's code point checked. */
static void gtls_handshake(gnutls_session_t session)
{
	int ret;
	do
		ret = gnutls_handshake(session);
	while (ret < 0 && !gnutls_error_is_fatal(ret));
	gtls_check("gnutls_handshake", ret);
	gnutls_kx_algorithm_t kx = gnutls_kx_get(session);
	gnutls_cipher_algorithm_t cipher = gnutls_cipher_get(session);
	gnutls_mac_algorithm_t mac = gnutls_mac_get(session);
	for (size_t i = 0;; i++) {
		unsigned char id[2];
		gnutls_kx_algorithm_t k;
		gnutls_cipher_algorithm_t c;
		gnutls_mac_algorithm_t m;
		if (!gnutls_cipher_suite_info(i, id, &k, &c, &m, NULL))
			sb_plat_fail("negotiated suite", 0);
		if (k == kx && c == cipher && m == mac) {
			if ((id[0] << 8 | id[1]) != SB_SUITE_CODE)
				sb_plat_fail("negotiated suite",
				             id[0] << 8 | id[1]);
			return;
		}
	}
}

#endif
