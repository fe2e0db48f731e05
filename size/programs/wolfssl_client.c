/*
 * wolfssl_client.c - a minimal wolfSSL 5.7.2 TLS 1.2 or DTLS 1.2 client for one
 * suite: PSK, ECDHE-PSK or ECDHE-ECDSA (then the CA chain and the
 * server's name are checked), against the tailored library
 * (size/wolfssl-configs/user_settings.h).
 */
#include "wolfssl_common.h"

#if defined(SB_KX_PSK) || defined(SB_KX_ECDHE_PSK)
static void wolf_configure_auth(WOLFSSL_CTX *ctx)
{
	/* the PSK authenticates the server */
	wolfSSL_CTX_set_psk_client_callback(ctx, wolf_psk);
}
#else
static void wolf_configure_auth(WOLFSSL_CTX *ctx)
{
	wolf_check("wolfSSL_CTX_load_verify_buffer",
	           wolfSSL_CTX_load_verify_buffer(ctx, sb_ca_der,
	                                          sizeof(sb_ca_der),
	                                          WOLFSSL_FILETYPE_ASN1));
	wolfSSL_CTX_set_verify(ctx, WOLFSSL_VERIFY_PEER, NULL);
}
#endif

int main(void)
{
	WOLFSSL_CTX *ctx = wolf_configure(WOLF_CLIENT_METHOD());
	wolf_configure_auth(ctx);
	WOLFSSL *ssl = wolfSSL_new(ctx);
	if (!ssl)
		sb_plat_fail("wolfSSL_new", 0);
#if defined(SB_KX_CERT)
	wolf_check("wolfSSL_check_domain_name",
	           wolfSSL_check_domain_name(ssl, SB_SERVER_NAME));
#endif
	wolf_handshake(ssl, wolfSSL_connect);
	int ret;
	while ((ret = wolfSSL_write(ssl, SB_PROBE, (int)SB_PROBE_LEN)) <= 0)
		if (wolfSSL_get_error(ssl, ret) != WOLFSSL_ERROR_WANT_WRITE)
			sb_plat_fail("wolfSSL_write",
			             wolfSSL_get_error(ssl, ret));
	if ((size_t)ret != SB_PROBE_LEN)
		sb_plat_fail("wolfSSL_write: short write", ret);
	return 0;
}
