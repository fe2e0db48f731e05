/*
 * bearssl_aead.h - the record protection and primitives one BearSSL
 * engine needs for the suite's AEAD, and nothing else.
 *
 * The portable constant-time implementations (aes_ct, ghash_ctmul32,
 * chacha20_ct, poly1305_ctmul) on every target: what a Cortex-M4 runs,
 * and the same code on x86-64 so that the builds compare like with like.
 */
#ifndef SB_BEARSSL_AEAD_H
#define SB_BEARSSL_AEAD_H

#include <bearssl.h>

static inline void bear_set_aead(br_ssl_engine_context *eng)
{
#if defined(SB_AEAD_GCM)
	br_ssl_engine_set_gcm(eng, &br_sslrec_in_gcm_vtable,
	                      &br_sslrec_out_gcm_vtable);
	br_ssl_engine_set_aes_ctr(eng, &br_aes_ct_ctr_vtable);
	br_ssl_engine_set_ghash(eng, &br_ghash_ctmul32);
#elif defined(SB_AEAD_CCM) || defined(SB_AEAD_CCM8)
	br_ssl_engine_set_ccm(eng, &br_sslrec_in_ccm_vtable,
	                      &br_sslrec_out_ccm_vtable);
	br_ssl_engine_set_aes_ctrcbc(eng, &br_aes_ct_ctrcbc_vtable);
#else
	br_ssl_engine_set_chapol(eng, &br_sslrec_in_chapol_vtable,
	                         &br_sslrec_out_chapol_vtable);
	br_ssl_engine_set_chacha20(eng, &br_chacha20_ct_run);
	br_ssl_engine_set_poly1305(eng, &br_poly1305_ctmul_run);
#endif
}

/* TLS 1.2 only, the one suite, SHA-256 for the transcript and the PRF,
 * P-256 for ECDHE: what both sides share. */
static inline void bear_set_common(br_ssl_engine_context *eng)
{
	static const uint16_t suites[] = {SB_SUITE_CODE};
	br_ssl_engine_set_versions(eng, BR_TLS12, BR_TLS12);
	br_ssl_engine_set_suites(eng, suites, 1);
	br_ssl_engine_set_hash(eng, br_sha256_ID, &br_sha256_vtable);
	br_ssl_engine_set_prf_sha256(eng, &br_tls12_sha256_prf);
	br_ssl_engine_set_ec(eng, &br_ec_p256_m31);
	bear_set_aead(eng);
}

#endif
