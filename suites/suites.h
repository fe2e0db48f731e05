/*
 * suites.h - the cipher-suite table: the one place that knows which suites
 * suitebench measures and what the standards fix about them.
 *
 * Everything else derives from this table: the names the command line
 * accepts, the record overhead a test expects on the wire, the support
 * matrix `suitebench list` prints.  Adding a suite is one row in suites.c.
 */
#ifndef SB_SUITES_H
#define SB_SUITES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum sb_kx {
	SB_KX_PSK,
	SB_KX_ECDHE_PSK,
	SB_KX_ECDHE_ECDSA,
	SB_KX_ECDHE_RSA, /* the web's suites, for contrast: an RSA-2048 leaf */
};

/* How many key exchanges there are: arrays indexed by enum sb_kx. */
#define SB_KX_COUNT (SB_KX_ECDHE_RSA + 1)

enum sb_aead {
	SB_AEAD_AES_128_GCM,
	SB_AEAD_AES_128_CCM,
	SB_AEAD_AES_128_CCM_8,
	SB_AEAD_CHACHA20_POLY1305,
};

struct sb_suite {
	uint16_t code_point;    /* IANA TLS Cipher Suites registry */
	const char *iana_name;  /* e.g. "TLS_PSK_WITH_AES_128_CCM_8" */
	const char *short_name; /* command-line name, e.g. "psk-ccm8" */
	enum sb_kx kx;
	enum sb_aead aead;
	uint8_t key_len;            /* AEAD key, bytes */
	uint8_t tag_len;            /* authentication tag, bytes */
	uint8_t explicit_nonce_len; /* per-record nonce on the wire, bytes */
	/* Each library's own name for the suite; NULL where it has none. */
	const char *openssl_name;
	const char *mbedtls_name;
	const char *bearssl_name;
	const char *wolfssl_name;
	/*
	 * A TLS 1.3 suite (RFC 8446 B.4): it names the AEAD and hash only, the
	 * row's key exchange is the PSK mode (psk_ke, psk_dhe_ke) or the
	 * certificate one, and only (D)TLS 1.3 carries it.
	 */
	bool tls13;
	const char *gnutls_name; /* gnutls_cipher_suite_info()'s name */
};

/* DTLS 1.2 record header: type, version, epoch, sequence, length (RFC
 * 6347 4.1). */
#define SB_DTLS12_HEADER_LEN 13
/* TLS 1.2 record header: type, version, length (RFC 5246 6.2.1). */
#define SB_TLS12_HEADER_LEN 5

/*
 * TLS 1.3 record header: type, legacy version, length (RFC 8446 5.1); the
 * encrypted record adds one byte of inner content type (5.2).
 */
#define SB_TLS13_HEADER_LEN 5
#define SB_TLS13_INNER_TYPE_LEN 1
/*
 * DTLS 1.3 unified header (RFC 9147 4): one byte of flags, the Connection
 * ID if negotiated, 8 or 16 bits of sequence number, 16 bits of length
 * when the S and L bits say so.
 */
#define SB_DTLS13_FLAGS_LEN 1

/* The table, in a stable order, and its length. */
extern const struct sb_suite sb_suites[];
extern const size_t sb_suites_count;

/*
 * Find a suite by name: its short name or IANA name, case-insensitively,
 * with '-' and '_' alike ("PSK_CCM8", "tls-psk-with-aes-128-ccm-8").
 * Short names are unique; a TLS 1.3 IANA name names three rows (one per
 * key exchange) and finds the first, the psk one.  Returns NULL when no
 * suite has that name.
 */
const struct sb_suite *sb_suite_find(const char *name);

/*
 * Find a suite by IANA code point; NULL when the table has none.  A TLS 1.3
 * code point finds its first row (psk); use sb_suite_by_code_kx for the
 * others.
 */
const struct sb_suite *sb_suite_by_code(uint16_t code_point);

/* Find the row of `code_point` with key exchange `kx`; NULL if none. */
const struct sb_suite *sb_suite_by_code_kx(uint16_t code_point, enum sb_kx kx);

/* Bytes a record adds beyond its payload in DTLS 1.2: header + nonce + tag. */
size_t sb_suite_dtls12_overhead(const struct sb_suite *suite);

/* Bytes a record adds beyond its payload in TLS 1.2: header + nonce + tag. */
size_t sb_suite_tls12_overhead(const struct sb_suite *suite);

/* ... in TLS 1.3: header + inner content type + tag. */
size_t sb_suite_tls13_overhead(const struct sb_suite *suite);

/*
 * ... in DTLS 1.3, for the header form a library sends: unified-header
 * flags + `cid_len` + `seq_len` (1 or 2) + 2 if the length is present +
 * inner content type + tag.
 */
size_t sb_suite_dtls13_overhead(const struct sb_suite *suite, size_t cid_len,
                                size_t seq_len, bool has_length);

/* The key-exchange and AEAD names used in output ("ecdhe-psk",
 * "aes-128-ccm-8"). */
const char *sb_kx_name(enum sb_kx kx);
const char *sb_aead_name(enum sb_aead aead);

/* Whether the key exchange authenticates by a pre-shared key (PSK,
 * ECDHE-PSK) rather than by the server's certificate. */
bool sb_kx_uses_psk(enum sb_kx kx);

/* Find a key exchange by name ("psk", "ecdhe-psk", "ecdhe-ecdsa",
 * "ecdhe-rsa"); -1 if none. */
int sb_kx_find(const char *name);

#endif
