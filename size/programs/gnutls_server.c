/*
 * gnutls_server.c - a minimal GnuTLS 3.7 TLS 1.2 or DTLS 1.2 server for
 * one suite.  DTLS: with HelloVerifyRequest cookies, as `suitebench run`
 * by default, the stateless exchange of GnuTLS's DTLS server example.
 */
#include "gnutls_common.h"

#if defined(SB_DTLS)
/*
 * Before any session: read a ClientHello; without a valid cookie answer
 * with a HelloVerifyRequest (keeping nothing) and read the next.  The
 * ClientHello that passes stays held for the session, with the cookie
 * exchange's sequence numbers.
 */
static void gtls_cookie_exchange(gnutls_session_t session)
{
	static const char address[] = "sb-size-client"; /* the one client */
	static gnutls_datum_t key;
	gnutls_dtls_prestate_st prestate;
	gtls_check("gnutls_key_generate",
	           gnutls_key_generate(&key, GNUTLS_COOKIE_KEY_SIZE));
	for (;;) {
		int n = sb_plat_recv(gtls_held, sizeof(gtls_held));
		if (n <= 0)
			sb_plat_fail("reading the ClientHello", n);
		memset(&prestate, 0, sizeof(prestate));
		if (gnutls_dtls_cookie_verify(&key, (void *)address,
		                              sizeof(address), gtls_held,
		                              (size_t)n, &prestate) == 0) {
			gtls_held_len = (size_t)n;
			gnutls_dtls_prestate_set(session, &prestate);
			return;
		}
		gtls_check("gnutls_dtls_cookie_send",
		           gnutls_dtls_cookie_send(&key, (void *)address,
		                                   sizeof(address), &prestate,
		                                   NULL, gtls_push));
	}
}
#else
static void gtls_cookie_exchange(gnutls_session_t session)
{
	(void)session; /* TLS: no cookies */
}
#endif

#if defined(SB_KX_CERT)
static void gtls_configure_auth(gnutls_session_t session)
{
	gnutls_certificate_credentials_t cred;
	const gnutls_datum_t cert = {(unsigned char *)SB_SERVER_CERT_DER,
	                             sizeof(SB_SERVER_CERT_DER)};
	const gnutls_datum_t key = {(unsigned char *)SB_SERVER_KEY_DER,
	                            sizeof(SB_SERVER_KEY_DER)};
	gtls_check("gnutls_certificate_allocate_credentials",
	           gnutls_certificate_allocate_credentials(&cred));
	gtls_check("gnutls_certificate_set_x509_key_mem",
	           gnutls_certificate_set_x509_key_mem(cred, &cert, &key,
	                                               GNUTLS_X509_FMT_DER));
	gtls_check(
	    "gnutls_credentials_set",
	    gnutls_credentials_set(session, GNUTLS_CRD_CERTIFICATE, cred));
}
#else
static int gtls_psk(gnutls_session_t session, const char *username,
                    gnutls_datum_t *key)
{
	(void)session;
	if (strcmp(username, SB_PSK_IDENTITY) != 0)
		return -1;
	key->data = gnutls_malloc(sizeof(sb_psk));
	if (!key->data)
		return -1;
	memcpy(key->data, sb_psk, sizeof(sb_psk));
	key->size = sizeof(sb_psk);
	return 0;
}

static void gtls_configure_auth(gnutls_session_t session)
{
	gnutls_psk_server_credentials_t cred;
	gtls_check("gnutls_psk_allocate_server_credentials",
	           gnutls_psk_allocate_server_credentials(&cred));
	gnutls_psk_set_server_credentials_function(cred, gtls_psk);
	gtls_check("gnutls_credentials_set",
	           gnutls_credentials_set(session, GNUTLS_CRD_PSK, cred));
}
#endif

int main(void)
{
	char got[SB_PROBE_LEN];
	size_t have = 0;
	gnutls_session_t session = gtls_session(GNUTLS_SERVER);
	gtls_configure_auth(session);
	gtls_cookie_exchange(session);
	gtls_handshake(session);
	while (have < sizeof(got)) {
		ssize_t n =
		    gnutls_record_recv(session, got + have, sizeof(got) - have);
		if (n == GNUTLS_E_AGAIN || n == GNUTLS_E_INTERRUPTED)
			continue;
		if (n <= 0)
			sb_plat_fail("gnutls_record_recv", (long)n);
		have += (size_t)n;
	}
	if (memcmp(got, SB_PROBE, SB_PROBE_LEN) != 0)
		sb_plat_fail("record content", 0);
	gnutls_deinit(session);
	return 0;
}
