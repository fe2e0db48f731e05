/*
 * wolfssl_server.c - a minimal wolfSSL 5.7.2 TLS 1.2 or DTLS 1.2 server for one
 * suite: PSK, ECDHE-PSK, or ECDHE-ECDSA with one certificate and key.
 */
#include "wolfssl_common.h"

#if defined(SB_KX_PSK) || defined(SB_KX_ECDHE_PSK)
static void wolf_configure_auth(WOLFSSL_CTX *ctx)
{
	/* the PSK authenticates the client */
	wolfSSL_CTX_set_psk_server_callback(ctx, wolf_psk);
}
#else
static void wolf_configure_auth(WOLFSSL_CTX *ctx)
{
	wolf_check("wolfSSL_CTX_use_certificate_buffer",
	           wolfSSL_CTX_use_certificate_buffer(
	               ctx, SB_SERVER_CERT_DER, sizeof(SB_SERVER_CERT_DER),
	               WOLFSSL_FILETYPE_ASN1));
	wolf_check("wolfSSL_CTX_use_PrivateKey_buffer",
	           wolfSSL_CTX_use_PrivateKey_buffer(ctx, SB_SERVER_KEY_DER,
	                                             sizeof(SB_SERVER_KEY_DER),
	                                             WOLFSSL_FILETYPE_ASN1));
}
#endif

int main(void)
{
	unsigned char got[SB_PROBE_LEN];
	int have = 0;
	WOLFSSL_CTX *ctx = wolf_configure(WOLF_SERVER_METHOD());
	wolf_configure_auth(ctx);
	WOLFSSL *ssl = wolfSSL_new(ctx);
	if (!ssl)
		sb_plat_fail("wolfSSL_new", 0);
	wolf_handshake(ssl, wolfSSL_accept);
	while (have < (int)sizeof(got)) {
		int ret =
		    wolfSSL_read(ssl, got + have, (int)sizeof(got) - have);
		if (ret <= 0) {
			int err = wolfSSL_get_error(ssl, ret);
			if (err == WOLFSSL_ERROR_WANT_READ)
				continue;
			sb_plat_fail("wolfSSL_read", err);
		}
		have += ret;
	}
	if (memcmp(got, SB_PROBE, SB_PROBE_LEN) != 0)
		sb_plat_fail("record content", 0);
	return 0;
}
