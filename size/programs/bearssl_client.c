/*
 * bearssl_client.c - the smallest BearSSL TLS 1.2 client for one
 * ECDHE-ECDSA or ECDHE-RSA suite (BearSSL has no PSK):
 * br_ssl_client_zero() and then only what the suite needs -- one AEAD,
 * SHA-256, P-256 (m31/i31, the 32-bit implementations), for ECDHE-RSA
 * the RSA PKCS#1 v1.5 verifier (i31) of the ServerKeyExchange, and
 * br_x509_minimal with one trust anchor (whose ECDSA signature is on
 * either leaf).
 * With SB_FULL_PROFILE it starts from br_ssl_client_init_full() instead,
 * which references every suite and algorithm BearSSL has, and offers the
 * same one suite: the reference the minimal client is compared with.
 */
#include <bearssl.h>

#include "bearssl_aead.h"
#include "sizeprog.h"

#if !defined(SB_KX_CERT)
#error "BearSSL has no PSK cipher suites"
#endif

static br_ssl_client_context cc;
static br_x509_minimal_context xc;
static br_sslio_context ioc;
static unsigned char iobuf[BR_SSL_BUFSIZE_BIDI];

/* The CA as `brssl ta` writes a trust anchor: its DN and P-256 key. */
static const br_x509_trust_anchor anchor = {
    .dn = {(unsigned char *)sb_ca_dn, sizeof(sb_ca_dn)},
    .flags = BR_X509_TA_CA,
    .pkey = {.key_type = BR_KEYTYPE_EC,
             .key.ec = {.curve = BR_EC_secp256r1,
                        .q = (unsigned char *)sb_ca_pub,
                        .qlen = sizeof(sb_ca_pub)}},
};

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

#if defined(SB_FULL_PROFILE)
static void bear_configure(void)
{
	static const uint16_t suites[] = {SB_SUITE_CODE};
	br_ssl_client_init_full(&cc, &xc, &anchor, 1);
	br_ssl_engine_set_suites(&cc.eng, suites, 1);
}
#else
static void bear_configure(void)
{
	br_ssl_client_zero(&cc);
	bear_set_common(&cc.eng);
#if defined(SB_KX_ECDHE_RSA)
	br_ssl_engine_set_rsavrfy(&cc.eng, &br_rsa_i31_pkcs1_vrfy);
#else
	br_ssl_engine_set_ecdsa(&cc.eng, &br_ecdsa_i31_vrfy_asn1);
#endif
	br_x509_minimal_init(&xc, &br_sha256_vtable, &anchor, 1);
	br_x509_minimal_set_hash(&xc, br_sha256_ID, &br_sha256_vtable);
	br_x509_minimal_set_ecdsa(&xc, &br_ec_p256_m31,
	                          &br_ecdsa_i31_vrfy_asn1);
	br_ssl_engine_set_x509(&cc.eng, &xc.vtable);
}
#endif

int main(void)
{
	unsigned char seed[32];
	br_ssl_session_parameters params;

	bear_configure();
	br_x509_minimal_set_time(&xc, SB_NOW_DAYS, 0);
	sb_plat_entropy(seed, sizeof(seed));
	br_ssl_engine_inject_entropy(&cc.eng, seed, sizeof(seed));
	br_ssl_engine_set_buffer(&cc.eng, iobuf, sizeof(iobuf), 1);
	if (!br_ssl_client_reset(&cc, SB_SERVER_NAME, 0))
		sb_plat_fail("br_ssl_client_reset",
		             br_ssl_engine_last_error(&cc.eng));
	br_sslio_init(&ioc, &cc.eng, bear_read, NULL, bear_write, NULL);
	if (br_sslio_write_all(&ioc, SB_PROBE, SB_PROBE_LEN) != 0 ||
	    br_sslio_flush(&ioc) != 0)
		sb_plat_fail("handshake and record",
		             br_ssl_engine_last_error(&cc.eng));
	br_ssl_engine_get_session_parameters(&cc.eng, &params);
	if (params.cipher_suite != SB_SUITE_CODE)
		sb_plat_fail("negotiated suite", params.cipher_suite);
	return 0;
}
