/*
 * gnutls_client.c - a minimal GnuTLS 3.7 TLS 1.2 or DTLS 1.2 client for
 * one suite.
 */
#include "gnutls_common.h"

#if defined(SB_KX_CERT)
static void gtls_configure_auth(gnutls_session_t session)
{
	gnutls_certificate_credentials_t cred;
	const gnutls_datum_t ca = {(unsigned char *)sb_ca_der,
	                           sizeof(sb_ca_der)};
	gtls_check("gnutls_certificate_allocate_credentials",
	           gnutls_certificate_allocate_credentials(&cred));
	gtls_check("gnutls_certificate_set_x509_trust_mem",
	           gnutls_certificate_set_x509_trust_mem(cred, &ca,
	                                                 GNUTLS_X509_FMT_DER));
	gtls_check(
	    "gnutls_credentials_set",
	    gnutls_credentials_set(session, GNUTLS_CRD_CERTIFICATE, cred));
	gtls_check("gnutls_server_name_set",
	           gnutls_server_name_set(session, GNUTLS_NAME_DNS,
	                                  SB_SERVER_NAME,
	                                  strlen(SB_SERVER_NAME)));
	gnutls_session_set_verify_cert(session, SB_SERVER_NAME, 0);
}
#else
static void gtls_configure_auth(gnutls_session_t session)
{
	gnutls_psk_client_credentials_t cred;
	const gnutls_datum_t key = {(unsigned char *)sb_psk, sizeof(sb_psk)};
	gtls_check("gnutls_psk_allocate_client_credentials",
	           gnutls_psk_allocate_client_credentials(&cred));
	gtls_check("gnutls_psk_set_client_credentials",
	           gnutls_psk_set_client_credentials(cred, SB_PSK_IDENTITY,
	                                             &key, GNUTLS_PSK_KEY_RAW));
	gtls_check("gnutls_credentials_set",
	           gnutls_credentials_set(session, GNUTLS_CRD_PSK, cred));
}
#endif

int main(void)
{
	gnutls_session_t session = gtls_session(GNUTLS_CLIENT);
	gtls_configure_auth(session);
	gtls_handshake(session);
	ssize_t n;
	do
		n = gnutls_record_send(session, SB_PROBE, SB_PROBE_LEN);
	while (n == GNUTLS_E_AGAIN || n == GNUTLS_E_INTERRUPTED);
	if (n != (ssize_t)SB_PROBE_LEN)
		sb_plat_fail("gnutls_record_send", (long)n);
	gnutls_deinit(session);
	return 0;
}
