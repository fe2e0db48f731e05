/*
 * bearssl_server.c - the smallest BearSSL TLS 1.2 server for one
 * ECDHE-ECDSA or ECDHE-RSA suite: br_ssl_server_zero() and then one AEAD,
 * SHA-256, P-256 (m31/i31), and a single certificate and key: P-256
 * (br_ssl_server_set_single_ec) or RSA-2048 with the i31 PKCS#1 v1.5
 * signer (br_ssl_server_set_single_rsa).
 */
#include <bearssl.h>

#include "bearssl_aead.h"
#include "sizeprog.h"

#if !defined(SB_KX_CERT)
#error "BearSSL has no PSK cipher suites"
#endif

static br_ssl_server_context sc;
static br_sslio_context ioc;
static unsigned char iobuf[BR_SSL_BUFSIZE_BIDI];

static const br_x509_certificate chain[] = {
    {(unsigned char *)SB_SERVER_CERT_DER, sizeof(SB_SERVER_CERT_DER)},
};

#if defined(SB_KX_ECDHE_RSA)
static const br_rsa_private_key key = {
    .n_bitlen = SB_RSA_BITS,
    .p = (unsigned char *)sb_rsa_p,
    .plen = sizeof(sb_rsa_p),
    .q = (unsigned char *)sb_rsa_q,
    .qlen = sizeof(sb_rsa_q),
    .dp = (unsigned char *)sb_rsa_dp,
    .dplen = sizeof(sb_rsa_dp),
    .dq = (unsigned char *)sb_rsa_dq,
    .dqlen = sizeof(sb_rsa_dq),
    .iq = (unsigned char *)sb_rsa_iq,
    .iqlen = sizeof(sb_rsa_iq),
};

static void bear_set_key(void)
{
	br_ssl_server_set_single_rsa(&sc, chain, 1, &key, BR_KEYTYPE_SIGN,
	                             &br_rsa_i31_private,
	                             &br_rsa_i31_pkcs1_sign);
}
#else
static const br_ec_private_key key = {
    .curve = BR_EC_secp256r1,
    .x = (unsigned char *)sb_server_key_priv,
    .xlen = sizeof(sb_server_key_priv),
};

static void bear_set_key(void)
{
	br_ssl_server_set_single_ec(&sc, chain, 1, &key, BR_KEYTYPE_SIGN,
	                            BR_KEYTYPE_EC, &br_ec_p256_m31,
	                            &br_ecdsa_i31_sign_asn1);
}
#endif

static int bear_read(void *ctx, unsigned char *buf, size_t len)
{
	(void)ctx;
	int n = sb_plat_recv(buf, len);
	return n > 0 ? n : -1;
}

static int bear_write(void *ctx, const unsigned char *buf, size_t len)
{
	(void)ctx;
	return sb_plat_send(buf, len);
}

int main(void)
{
	unsigned char seed[32], got[SB_PROBE_LEN];
	br_ssl_session_parameters params;

	br_ssl_server_zero(&sc);
	bear_set_common(&sc.eng);
	bear_set_key();
	sb_plat_entropy(seed, sizeof(seed));
	br_ssl_engine_inject_entropy(&sc.eng, seed, sizeof(seed));
	br_ssl_engine_set_buffer(&sc.eng, iobuf, sizeof(iobuf), 1);
	if (!br_ssl_server_reset(&sc))
		sb_plat_fail("br_ssl_server_reset",
		             br_ssl_engine_last_error(&sc.eng));
	br_sslio_init(&ioc, &sc.eng, bear_read, NULL, bear_write, NULL);
	if (br_sslio_read_all(&ioc, got, sizeof(got)) != 0)
		sb_plat_fail("handshake and record",
		             br_ssl_engine_last_error(&sc.eng));
	for (size_t i = 0; i < sizeof(got); i++)
		if (got[i] != (unsigned char)SB_PROBE[i])
			sb_plat_fail("record content", (long)i);
	br_ssl_engine_get_session_parameters(&sc.eng, &params);
	if (params.cipher_suite != SB_SUITE_CODE)
		sb_plat_fail("negotiated suite", params.cipher_suite);
	return 0;
}
