#include "suites.h"

#include <ctype.h>
#include <stdbool.h>
#include <string.h>

/*
 * Code points: IANA TLS Cipher Suites registry.  PSK AES-GCM is RFC 5487,
 * AES-CCM (PSK and ECDHE-ECDSA) RFC 6655 and RFC 7251, ChaCha20-Poly1305
 * RFC 7905, ECDHE-PSK with AES-GCM/CCM RFC 8442, ECDHE-RSA with AES-GCM
 * RFC 5289.  Beware: PSK AES-128-GCM
 * is 0x00A8 while PSK AES-128-CCM_8 is 0xC0A8.
 *
 * Nonces: GCM and CCM carry an 8-byte explicit nonce per record (RFC 5288
 * 3, RFC 6655 3); ChaCha20-Poly1305 derives its nonce from the sequence
 * number and sends none (RFC 7905 2).  Tags are 16 bytes, 8 for CCM_8.
 */
#define GCM SB_AEAD_AES_128_GCM, 16, 16, 8
#define CCM SB_AEAD_AES_128_CCM, 16, 16, 8
#define CCM_8 SB_AEAD_AES_128_CCM_8, 16, 8, 8
#define CHACHA SB_AEAD_CHACHA20_POLY1305, 32, 16, 0

/*
 * TLS 1.3 (RFC 8446 B.4, all four with SHA-256):
 * the suite names the AEAD only, so each appears once per key exchange --
 * psk_ke (plain PSK), psk_dhe_ke (PSK with ECDHE on P-256), and the
 * certificate one.  The nonce is derived from the sequence number (RFC
 * 8446 5.3): none on the wire.  Names: OpenSSL and GnuTLS call them by
 * their IANA names, wolfSSL "TLS13-...".
 */
#define TLS13(code, iana, short_name, kx, aead, wolfssl_name)                  \
	{                                                                      \
		code, iana, short_name, kx, aead, iana, NULL, NULL,            \
		    wolfssl_name, true, iana                                   \
	}
#define GCM13 SB_AEAD_AES_128_GCM, 16, 16, 0
#define CCM13 SB_AEAD_AES_128_CCM, 16, 16, 0
#define CCM_8_13 SB_AEAD_AES_128_CCM_8, 16, 8, 0

const struct sb_suite sb_suites[] = {
    {0x00A8, "TLS_PSK_WITH_AES_128_GCM_SHA256", "psk-gcm", SB_KX_PSK, GCM,
     "PSK-AES128-GCM-SHA256", "TLS-PSK-WITH-AES-128-GCM-SHA256", NULL,
     "PSK-AES128-GCM-SHA256", false, "TLS_PSK_AES_128_GCM_SHA256"},
    {0xC0A4, "TLS_PSK_WITH_AES_128_CCM", "psk-ccm", SB_KX_PSK, CCM,
     "PSK-AES128-CCM", "TLS-PSK-WITH-AES-128-CCM", NULL, "PSK-AES128-CCM",
     false, "TLS_PSK_AES_128_CCM"},
    {0xC0A8, "TLS_PSK_WITH_AES_128_CCM_8", "psk-ccm8", SB_KX_PSK, CCM_8,
     "PSK-AES128-CCM8", "TLS-PSK-WITH-AES-128-CCM-8", NULL, "PSK-AES128-CCM-8",
     false, "TLS_PSK_AES_128_CCM_8"},
    {0xCCAB, "TLS_PSK_WITH_CHACHA20_POLY1305_SHA256", "psk-chacha20", SB_KX_PSK,
     CHACHA, "PSK-CHACHA20-POLY1305", "TLS-PSK-WITH-CHACHA20-POLY1305-SHA256",
     NULL, "PSK-CHACHA20-POLY1305", false, "TLS_PSK_CHACHA20_POLY1305"},
    {0xCCAC, "TLS_ECDHE_PSK_WITH_CHACHA20_POLY1305_SHA256",
     "ecdhe-psk-chacha20", SB_KX_ECDHE_PSK, CHACHA,
     "ECDHE-PSK-CHACHA20-POLY1305",
     "TLS-ECDHE-PSK-WITH-CHACHA20-POLY1305-SHA256", NULL,
     "ECDHE-PSK-CHACHA20-POLY1305", false, "TLS_ECDHE_PSK_CHACHA20_POLY1305"},
    {0xD001, "TLS_ECDHE_PSK_WITH_AES_128_GCM_SHA256", "ecdhe-psk-gcm",
     SB_KX_ECDHE_PSK, GCM, NULL, NULL, NULL, "ECDHE-PSK-AES128-GCM-SHA256",
     false, NULL},
    {0xD003, "TLS_ECDHE_PSK_WITH_AES_128_CCM_8_SHA256", "ecdhe-psk-ccm8",
     SB_KX_ECDHE_PSK, CCM_8, NULL, NULL, NULL, NULL, false, NULL},
    {0xD005, "TLS_ECDHE_PSK_WITH_AES_128_CCM_SHA256", "ecdhe-psk-ccm",
     SB_KX_ECDHE_PSK, CCM, NULL, NULL, NULL, NULL, false, NULL},
    {0xC02B, "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "ecdhe-ecdsa-gcm",
     SB_KX_ECDHE_ECDSA, GCM, "ECDHE-ECDSA-AES128-GCM-SHA256",
     "TLS-ECDHE-ECDSA-WITH-AES-128-GCM-SHA256",
     "BR_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
     "ECDHE-ECDSA-AES128-GCM-SHA256", false,
     "TLS_ECDHE_ECDSA_AES_128_GCM_SHA256"},
    {0xC0AC, "TLS_ECDHE_ECDSA_WITH_AES_128_CCM", "ecdhe-ecdsa-ccm",
     SB_KX_ECDHE_ECDSA, CCM, "ECDHE-ECDSA-AES128-CCM",
     "TLS-ECDHE-ECDSA-WITH-AES-128-CCM", "BR_TLS_ECDHE_ECDSA_WITH_AES_128_CCM",
     "ECDHE-ECDSA-AES128-CCM", false, "TLS_ECDHE_ECDSA_AES_128_CCM"},
    {0xC0AE, "TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8", "ecdhe-ecdsa-ccm8",
     SB_KX_ECDHE_ECDSA, CCM_8, "ECDHE-ECDSA-AES128-CCM8",
     "TLS-ECDHE-ECDSA-WITH-AES-128-CCM-8",
     "BR_TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8", "ECDHE-ECDSA-AES128-CCM-8", false,
     "TLS_ECDHE_ECDSA_AES_128_CCM_8"},
    {0xCCA9, "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
     "ecdhe-ecdsa-chacha20", SB_KX_ECDHE_ECDSA, CHACHA,
     "ECDHE-ECDSA-CHACHA20-POLY1305",
     "TLS-ECDHE-ECDSA-WITH-CHACHA20-POLY1305-SHA256",
     "BR_TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
     "ECDHE-ECDSA-CHACHA20-POLY1305", false,
     "TLS_ECDHE_ECDSA_CHACHA20_POLY1305"},
    TLS13(0x1301, "TLS_AES_128_GCM_SHA256", "tls13-psk-gcm", SB_KX_PSK, GCM13,
          "TLS13-AES128-GCM-SHA256"),
    TLS13(0x1301, "TLS_AES_128_GCM_SHA256", "tls13-ecdhe-psk-gcm",
          SB_KX_ECDHE_PSK, GCM13, "TLS13-AES128-GCM-SHA256"),
    TLS13(0x1301, "TLS_AES_128_GCM_SHA256", "tls13-ecdhe-ecdsa-gcm",
          SB_KX_ECDHE_ECDSA, GCM13, "TLS13-AES128-GCM-SHA256"),
    TLS13(0x1304, "TLS_AES_128_CCM_SHA256", "tls13-psk-ccm", SB_KX_PSK, CCM13,
          "TLS13-AES128-CCM-SHA256"),
    TLS13(0x1304, "TLS_AES_128_CCM_SHA256", "tls13-ecdhe-psk-ccm",
          SB_KX_ECDHE_PSK, CCM13, "TLS13-AES128-CCM-SHA256"),
    TLS13(0x1304, "TLS_AES_128_CCM_SHA256", "tls13-ecdhe-ecdsa-ccm",
          SB_KX_ECDHE_ECDSA, CCM13, "TLS13-AES128-CCM-SHA256"),
    TLS13(0x1305, "TLS_AES_128_CCM_8_SHA256", "tls13-psk-ccm8", SB_KX_PSK,
          CCM_8_13, "TLS13-AES128-CCM-8-SHA256"),
    TLS13(0x1305, "TLS_AES_128_CCM_8_SHA256", "tls13-ecdhe-psk-ccm8",
          SB_KX_ECDHE_PSK, CCM_8_13, "TLS13-AES128-CCM-8-SHA256"),
    TLS13(0x1305, "TLS_AES_128_CCM_8_SHA256", "tls13-ecdhe-ecdsa-ccm8",
          SB_KX_ECDHE_ECDSA, CCM_8_13, "TLS13-AES128-CCM-8-SHA256"),
    TLS13(0x1303, "TLS_CHACHA20_POLY1305_SHA256", "tls13-psk-chacha20",
          SB_KX_PSK, CHACHA, "TLS13-CHACHA20-POLY1305-SHA256"),
    TLS13(0x1303, "TLS_CHACHA20_POLY1305_SHA256", "tls13-ecdhe-psk-chacha20",
          SB_KX_ECDHE_PSK, CHACHA, "TLS13-CHACHA20-POLY1305-SHA256"),
    TLS13(0x1303, "TLS_CHACHA20_POLY1305_SHA256", "tls13-ecdhe-ecdsa-chacha20",
          SB_KX_ECDHE_ECDSA, CHACHA, "TLS13-CHACHA20-POLY1305-SHA256"),
    /* The web's suites, for contrast: RFC 5289 and RFC 7905. */
    {0xC02F, "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "ecdhe-rsa-gcm",
     SB_KX_ECDHE_RSA, GCM, "ECDHE-RSA-AES128-GCM-SHA256",
     "TLS-ECDHE-RSA-WITH-AES-128-GCM-SHA256",
     "BR_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", NULL, false,
     "TLS_ECDHE_RSA_AES_128_GCM_SHA256"},
    {0xCCA8, "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
     "ecdhe-rsa-chacha20", SB_KX_ECDHE_RSA, CHACHA,
     "ECDHE-RSA-CHACHA20-POLY1305",
     "TLS-ECDHE-RSA-WITH-CHACHA20-POLY1305-SHA256",
     "BR_TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256", NULL, false,
     "TLS_ECDHE_RSA_CHACHA20_POLY1305"},
    /* ... and TLS 1.3's: the certificate row of 0x1301 with the RSA leaf,
     * signed with RSA-PSS (RFC 8446 4.2.3). */
    TLS13(0x1301, "TLS_AES_128_GCM_SHA256", "tls13-ecdhe-rsa-gcm",
          SB_KX_ECDHE_RSA, GCM13, "TLS13-AES128-GCM-SHA256"),
};

const size_t sb_suites_count = sizeof(sb_suites) / sizeof(sb_suites[0]);

/* Names compare case-insensitively and treat '-' and '_' as one character. */
static int name_char(unsigned char c)
{
	return c == '_' ? '-' : tolower(c);
}

static bool names_equal(const char *a, const char *b)
{
	for (; *a && *b; a++, b++)
		if (name_char((unsigned char)*a) !=
		    name_char((unsigned char)*b))
			return false;
	return *a == *b;
}

const struct sb_suite *sb_suite_find(const char *name)
{
	/* Short names first: they are unique, TLS 1.3 IANA names are not. */
	for (size_t i = 0; i < sb_suites_count; i++)
		if (names_equal(name, sb_suites[i].short_name))
			return &sb_suites[i];
	for (size_t i = 0; i < sb_suites_count; i++)
		if (names_equal(name, sb_suites[i].iana_name))
			return &sb_suites[i];
	return NULL;
}

const struct sb_suite *sb_suite_by_code(uint16_t code_point)
{
	for (size_t i = 0; i < sb_suites_count; i++)
		if (sb_suites[i].code_point == code_point)
			return &sb_suites[i];
	return NULL;
}

const struct sb_suite *sb_suite_by_code_kx(uint16_t code_point, enum sb_kx kx)
{
	for (size_t i = 0; i < sb_suites_count; i++)
		if (sb_suites[i].code_point == code_point &&
		    sb_suites[i].kx == kx)
			return &sb_suites[i];
	return NULL;
}

size_t sb_suite_dtls12_overhead(const struct sb_suite *suite)
{
	return SB_DTLS12_HEADER_LEN + suite->explicit_nonce_len +
	       suite->tag_len;
}

size_t sb_suite_tls12_overhead(const struct sb_suite *suite)
{
	return SB_TLS12_HEADER_LEN + suite->explicit_nonce_len + suite->tag_len;
}

size_t sb_suite_tls13_overhead(const struct sb_suite *suite)
{
	return SB_TLS13_HEADER_LEN + SB_TLS13_INNER_TYPE_LEN + suite->tag_len;
}

size_t sb_suite_dtls13_overhead(const struct sb_suite *suite, size_t cid_len,
                                size_t seq_len, bool has_length)
{
	return SB_DTLS13_FLAGS_LEN + cid_len + seq_len + (has_length ? 2 : 0) +
	       SB_TLS13_INNER_TYPE_LEN + suite->tag_len;
}

static const char *const kx_names[] = {
    [SB_KX_PSK] = "psk",
    [SB_KX_ECDHE_PSK] = "ecdhe-psk",
    [SB_KX_ECDHE_ECDSA] = "ecdhe-ecdsa",
    [SB_KX_ECDHE_RSA] = "ecdhe-rsa",
};
_Static_assert(sizeof(kx_names) / sizeof(kx_names[0]) == SB_KX_COUNT,
               "one name per key exchange");

bool sb_kx_uses_psk(enum sb_kx kx)
{
	return kx == SB_KX_PSK || kx == SB_KX_ECDHE_PSK;
}

const char *sb_kx_name(enum sb_kx kx)
{
	return kx_names[kx];
}

int sb_kx_find(const char *name)
{
	for (size_t i = 0; i < sizeof(kx_names) / sizeof(kx_names[0]); i++)
		if (names_equal(name, kx_names[i]))
			return (int)i;
	return -1;
}

const char *sb_aead_name(enum sb_aead aead)
{
	switch (aead) {
	case SB_AEAD_AES_128_GCM:
		return "aes-128-gcm";
	case SB_AEAD_AES_128_CCM:
		return "aes-128-ccm";
	case SB_AEAD_AES_128_CCM_8:
		return "aes-128-ccm-8";
	case SB_AEAD_CHACHA20_POLY1305:
		return "chacha20-poly1305";
	}
	return "?";
}
