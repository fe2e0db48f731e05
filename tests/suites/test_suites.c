/*
 * test_suites.c - the suite table against the RFCs' facts: code points
 * from the IANA registry, tag and nonce lengths from the AEAD RFCs.
 */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <string.h>

#include "suites/suites.h"

struct suite_fact {
	char iana_name[64]; /* inline: Criterion re-executes the binary, so
	                       pointers in parameters would dangle */
	unsigned code_point;
	enum sb_kx kx;
	enum sb_aead aead;
	unsigned key_len, tag_len, nonce_len, dtls_overhead;
};

/* IANA TLS Cipher Suites registry; RFC 5487, 6655, 7251, 7905, 8442. */
static struct suite_fact facts[] = {
    {"TLS_PSK_WITH_AES_128_GCM_SHA256", 0x00A8, SB_KX_PSK, SB_AEAD_AES_128_GCM,
     16, 16, 8, 37},
    {"TLS_PSK_WITH_AES_128_CCM", 0xC0A4, SB_KX_PSK, SB_AEAD_AES_128_CCM, 16, 16,
     8, 37},
    {"TLS_PSK_WITH_AES_128_CCM_8", 0xC0A8, SB_KX_PSK, SB_AEAD_AES_128_CCM_8, 16,
     8, 8, 29},
    {"TLS_PSK_WITH_CHACHA20_POLY1305_SHA256", 0xCCAB, SB_KX_PSK,
     SB_AEAD_CHACHA20_POLY1305, 32, 16, 0, 29},
    {"TLS_ECDHE_PSK_WITH_CHACHA20_POLY1305_SHA256", 0xCCAC, SB_KX_ECDHE_PSK,
     SB_AEAD_CHACHA20_POLY1305, 32, 16, 0, 29},
    {"TLS_ECDHE_PSK_WITH_AES_128_GCM_SHA256", 0xD001, SB_KX_ECDHE_PSK,
     SB_AEAD_AES_128_GCM, 16, 16, 8, 37},
    {"TLS_ECDHE_PSK_WITH_AES_128_CCM_8_SHA256", 0xD003, SB_KX_ECDHE_PSK,
     SB_AEAD_AES_128_CCM_8, 16, 8, 8, 29},
    {"TLS_ECDHE_PSK_WITH_AES_128_CCM_SHA256", 0xD005, SB_KX_ECDHE_PSK,
     SB_AEAD_AES_128_CCM, 16, 16, 8, 37},
    {"TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", 0xC02B, SB_KX_ECDHE_ECDSA,
     SB_AEAD_AES_128_GCM, 16, 16, 8, 37},
    {"TLS_ECDHE_ECDSA_WITH_AES_128_CCM", 0xC0AC, SB_KX_ECDHE_ECDSA,
     SB_AEAD_AES_128_CCM, 16, 16, 8, 37},
    {"TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8", 0xC0AE, SB_KX_ECDHE_ECDSA,
     SB_AEAD_AES_128_CCM_8, 16, 8, 8, 29},
    {"TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", 0xCCA9, SB_KX_ECDHE_ECDSA,
     SB_AEAD_CHACHA20_POLY1305, 32, 16, 0, 29},
    /* RFC 5289 (AES-GCM) and RFC 7905 (ChaCha20-Poly1305). */
    {"TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", 0xC02F, SB_KX_ECDHE_RSA,
     SB_AEAD_AES_128_GCM, 16, 16, 8, 37},
    {"TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256", 0xCCA8, SB_KX_ECDHE_RSA,
     SB_AEAD_CHACHA20_POLY1305, 32, 16, 0, 29},
};
#define FACT_COUNT (sizeof(facts) / sizeof(facts[0]))

/* ---- safety ----------------------------------------------------------- */

Test(suites, unknown_names_are_not_found)
{
	cr_assert_null(sb_suite_find(""));
	cr_assert_null(sb_suite_find("psk"));
	cr_assert_null(sb_suite_find("psk-ccm88"));
	cr_assert_null(sb_suite_find("psk-ccm8 "));
	cr_assert_null(sb_suite_by_code(0x0000));
	cr_assert_eq(sb_kx_find("rsa"), -1);
}

/* ---- behaviour -------------------------------------------------------- */

/*
 * TLS 1.3 (RFC 8446 B.4 and 5.2): the code point names the AEAD only, one
 * row per key exchange; no explicit nonce; a record adds the 5-byte
 * header, 1 byte of inner content type and the tag.
 */
struct tls13_fact {
	char short_name[32];
	unsigned code_point;
	enum sb_kx kx;
	enum sb_aead aead;
	size_t tag_len;
	size_t tls13_overhead;
};

static struct tls13_fact tls13_facts[] = {
    {"tls13-psk-gcm", 0x1301, SB_KX_PSK, SB_AEAD_AES_128_GCM, 16, 22},
    {"tls13-ecdhe-psk-ccm", 0x1304, SB_KX_ECDHE_PSK, SB_AEAD_AES_128_CCM, 16,
     22},
    {"tls13-ecdhe-ecdsa-ccm8", 0x1305, SB_KX_ECDHE_ECDSA, SB_AEAD_AES_128_CCM_8,
     8, 14},
    {"tls13-psk-chacha20", 0x1303, SB_KX_PSK, SB_AEAD_CHACHA20_POLY1305, 16,
     22},
    {"tls13-ecdhe-rsa-gcm", 0x1301, SB_KX_ECDHE_RSA, SB_AEAD_AES_128_GCM, 16,
     22},
};
#define TLS13_FACT_COUNT (sizeof(tls13_facts) / sizeof(tls13_facts[0]))

Test(suites, table_has_the_tls12_and_thirteen_tls13_suites)
{
	size_t tls13 = 0;
	for (size_t i = 0; i < sb_suites_count; i++)
		tls13 += sb_suites[i].tls13;
	cr_assert_eq(sb_suites_count - tls13, FACT_COUNT);
	/* 4 AEADs x psk_ke, psk_dhe_ke, ECDSA certificate; and AES-128-GCM
	 * with the RSA certificate, for contrast. */
	cr_assert_eq(tls13, 13);
}

ParameterizedTestParameters(suites, tls13_facts_match_rfcs)
{
	return cr_make_param_array(struct tls13_fact, tls13_facts,
	                           TLS13_FACT_COUNT);
}

ParameterizedTest(struct tls13_fact *f, suites, tls13_facts_match_rfcs)
{
	const struct sb_suite *s = sb_suite_find(f->short_name);
	cr_assert_not_null(s, "%s missing", f->short_name);
	cr_expect(s->tls13);
	cr_expect_eq(s->code_point, f->code_point);
	cr_expect_eq(sb_suite_by_code_kx((uint16_t)f->code_point, f->kx), s);
	cr_expect_eq(s->aead, f->aead);
	cr_expect_eq(s->tag_len, f->tag_len);
	cr_expect_eq(s->explicit_nonce_len, 0);
	cr_expect_eq(sb_suite_tls13_overhead(s), f->tls13_overhead);
	/* RFC 9147 4: flags + 16-bit sequence + length = TLS's 5 bytes; an
	 * 8-bit sequence without length saves 3, a 4-byte CID adds 4. */
	cr_expect_eq(sb_suite_dtls13_overhead(s, 0, 2, true),
	             f->tls13_overhead);
	cr_expect_eq(sb_suite_dtls13_overhead(s, 0, 1, false),
	             f->tls13_overhead - 3);
	cr_expect_eq(sb_suite_dtls13_overhead(s, 4, 2, true),
	             f->tls13_overhead + 4);
}

ParameterizedTestParameters(suites, facts_match_rfcs)
{
	return cr_make_param_array(struct suite_fact, facts, FACT_COUNT);
}

ParameterizedTest(struct suite_fact *f, suites, facts_match_rfcs)
{
	const struct sb_suite *s = sb_suite_find(f->iana_name);
	cr_assert_not_null(s, "%s missing", f->iana_name);
	cr_expect_eq(s->code_point, f->code_point, "%s: 0x%04X, want 0x%04X",
	             f->iana_name, s->code_point, f->code_point);
	cr_expect_eq(sb_suite_by_code((uint16_t)f->code_point), s);
	cr_expect_eq(s->kx, f->kx);
	cr_expect_eq(s->aead, f->aead);
	cr_expect_eq(s->key_len, f->key_len);
	cr_expect_eq(s->tag_len, f->tag_len);
	cr_expect_eq(s->explicit_nonce_len, f->nonce_len);
	cr_expect_eq(sb_suite_dtls12_overhead(s), f->dtls_overhead);
	/* TLS 1.2's header is 5 bytes, DTLS 1.2's 13 (RFC 5246 6.2.1). */
	cr_expect_eq(sb_suite_tls12_overhead(s), f->dtls_overhead - 8);
}

Test(suites, names_match_loosely)
{
	const struct sb_suite *ccm8 = sb_suite_by_code(0xC0A8);
	cr_assert_eq(sb_suite_find("psk-ccm8"), ccm8);
	cr_assert_eq(sb_suite_find("PSK_CCM8"), ccm8);
	cr_assert_eq(sb_suite_find("Psk-Ccm8"), ccm8);
	cr_assert_eq(sb_suite_find("tls-psk-with-aes-128-ccm-8"), ccm8);
	cr_assert_eq(sb_suite_find("ecdhe-ecdsa-chacha20"),
	             sb_suite_by_code(0xCCA9));
	cr_assert_eq(sb_kx_find("ECDHE_PSK"), SB_KX_ECDHE_PSK);
	cr_assert_eq(sb_kx_find("ecdhe-rsa"), SB_KX_ECDHE_RSA);
}

/* Short names are unique, and so is a code point with its key exchange
 * (a TLS 1.3 code point has one row per key exchange). */
Test(suites, names_and_code_points_are_unique)
{
	for (size_t i = 0; i < sb_suites_count; i++)
		for (size_t j = i + 1; j < sb_suites_count; j++) {
			cr_expect(
			    sb_suites[i].code_point !=
			            sb_suites[j].code_point ||
			        (sb_suites[i].tls13 && sb_suites[j].tls13 &&
			         sb_suites[i].kx != sb_suites[j].kx),
			    "%s and %s share 0x%04X", sb_suites[i].short_name,
			    sb_suites[j].short_name, sb_suites[i].code_point);
			cr_expect_str_neq(sb_suites[i].short_name,
			                  sb_suites[j].short_name);
		}
}

/* Only PSK and ECDHE-PSK authenticate by the key; the rest by certificate. */
Test(suites, psk_key_exchanges_are_told_apart)
{
	cr_assert(sb_kx_uses_psk(SB_KX_PSK));
	cr_assert(sb_kx_uses_psk(SB_KX_ECDHE_PSK));
	cr_assert_not(sb_kx_uses_psk(SB_KX_ECDHE_ECDSA));
	cr_assert_not(sb_kx_uses_psk(SB_KX_ECDHE_RSA));
}

/* ---- adversarial: the classic code-point trap ------------------------ */

Test(suites, psk_gcm_and_psk_ccm8_code_points_not_confused)
{
	cr_assert_eq(sb_suite_by_code(0x00A8)->aead, SB_AEAD_AES_128_GCM);
	cr_assert_eq(sb_suite_by_code(0xC0A8)->aead, SB_AEAD_AES_128_CCM_8);
}
