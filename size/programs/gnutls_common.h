/*
 * gnutls_common.h - what the GnuTLS client and server share.  GnuTLS is
 * measured only as Debian builds it (prebuilt, whole-library), so it
 * only ever runs on Linux.  Its default transport calls recv() and
 * send(), which a pipe refuses: the session reads and writes through the
 * platform layer instead.
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

/* TLS 1.2 only, the one suite, P-256, no session tickets. */
#define GTLS_PRIORITY                                                          \
	"NONE:+VERS-TLS1.2:" GTLS_KX ":" GTLS_CIPHER                           \
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

static ssize_t gtls_pull(gnutls_transport_ptr_t ptr, void *buf, size_t len)
{
	(void)ptr;
	return sb_plat_recv(buf, len);
}

static gnutls_session_t gtls_session(unsigned flags)
{
	gnutls_session_t session;
	gtls_check("gnutls_init", gnutls_init(&session, flags));
	gtls_check("gnutls_priority_set_direct",
	           gnutls_priority_set_direct(session, GTLS_PRIORITY, NULL));
	gnutls_transport_set_push_function(session, gtls_push);
	gnutls_transport_set_pull_function(session, gtls_pull);
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
