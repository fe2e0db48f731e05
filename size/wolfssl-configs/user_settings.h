/*
 * user_settings.h - wolfSSL 5.7.2 built for one suite and one side, as
 * device firmware configures it (-DWOLFSSL_USER_SETTINGS; size/build.sh
 * compiles the library once per suite and side with this header).
 *
 * Shaped like wolfSSL's own examples/configs/user_settings_tls12.h (TLS
 * 1.2 client, ECC only, SHA-256 only) and driven by the macros every size
 * program is built with (programs/sizeprog.h): SB_KX_* and SB_AEAD_* pick
 * the suite's key exchange and cipher, SB_SIZE_SERVER the side, SB_DTLS
 * (the DTLS 1.2 size programs) and SB_TARGET (`suitebench run --target`)
 * add DTLS 1.2.  What it keeps:
 *
 *  - TLS 1.2 (DTLS 1.2 with SB_DTLS or SB_TARGET; a wolfSSL DTLS server
 *    always sends a HelloVerifyRequest cookie), no TLS 1.3, no older
 *    versions, one side
 *    (NO_WOLFSSL_CLIENT or NO_WOLFSSL_SERVER);
 *  - the suite's cipher: AES-128 with GCM (GCM_TABLE_4BIT, configure's
 *    default and Mbed TLS's method: a 256-byte table per key; GCM_SMALL,
 *    bit by bit with no table, took seven times the instructions per
 *    record) or CCM (CCM_8 is CCM with a short tag), AES itself with
 *    wolfSSL's default lookup tables in flash (about 8 kB of rodata, as
 *    Mbed TLS's AES_ROM_TABLES), or
 *    ChaCha20-Poly1305 (no AES at all); SHA-256 and the Hash_DRBG over it;
 *  - for ECDHE: P-256 only, in wolfSSL's single-precision math for that
 *    curve (WOLFSSL_SP_MATH, WOLFSSL_SP_SMALL: sp_c32.c or sp_c64.c in
 *    portable C), timing-resistant; for ECDSA certificates also the ASN.1
 *    template parser, and the verification of the chain;
 *  - PSK where the suite has one (WOLFSSL_STATIC_PSK: plain-PSK suites
 *    with AES are built only with it);
 *  - a device's footprint: no file system, no threads, no session cache,
 *    no error strings, no sockets (WOLFSSL_USER_IO: the program's
 *    callbacks), no clock for certificates (NO_ASN_TIME: validity dates
 *    are not checked, as the Mbed TLS and BearSSL programs do on a device
 *    without one), the tick the library wants (LowResTimer) and the DRBG's
 *    seed (sb_wolf_seed, the device's TRNG) from the program;
 *    WOLFSSL_SMALL_STACK stays off (it moves buffers from the stack to the
 *    heap; both are measured in `run --target`);
 *  - portable C everywhere: no Cortex-M assembly (WOLFSSL_SP_ARM_CORTEX_M_ASM
 *    would speed up P-256 on the Cortex-M4), so the x86-64 and Cortex-M4
 *    builds are the same code, and so are the other libraries' builds
 *    (Mbed TLS's C, BearSSL's _ct/_m31/_i31); see size/README.md.
 */
#ifndef SB_WOLFSSL_USER_SETTINGS_H
#define SB_WOLFSSL_USER_SETTINGS_H

/* ---- platform ---------------------------------------------------------- */
#define SINGLE_THREADED
#define NO_FILESYSTEM
#define NO_WRITEV
#define WOLFSSL_USER_IO
#define WOLFSSL_IGNORE_FILE_WARN
#define NO_SIG_WRAPPER
#define NO_ERROR_STRINGS
#define NO_SESSION_CACHE
#define NO_ASN_TIME
#define USER_TICKS
#define NO_DEV_RANDOM
#define NO_MAIN_DRIVER
#define CUSTOM_RAND_GENERATE_SEED sb_wolf_seed
int sb_wolf_seed(unsigned char *out, unsigned int len);
#define WOLFSSL_GENSEED_FORTEST_NOT_USED /* the seed is the program's */

/* ---- protocol ---------------------------------------------------------- */
#define WOLFSSL_NO_TLS13
#undef WOLFSSL_TLS13
#define NO_OLD_TLS
#define HAVE_TLS_EXTENSIONS
#if defined(SB_SIZE_SERVER)
#define NO_WOLFSSL_CLIENT
#else
#define NO_WOLFSSL_SERVER
#endif
#if defined(SB_DTLS) || defined(SB_TARGET)
#define WOLFSSL_DTLS
#endif
#if defined(SB_TARGET)
#define WOLFSSL_DTLS_MTU /* wolfSSL_dtls_set_mtu: the link's MTU */
#endif

/* ---- algorithms -------------------------------------------------------- */
#define HAVE_HASHDRBG
#define NO_RSA
#define NO_DH
#define NO_DSA
#define NO_MD4
#define NO_MD5
#define NO_SHA
#define NO_RC4
#define NO_DES3
#define NO_PWDBASED
#define NO_OLD_POLY1305
#define WOLFSSL_NO_SHAKE128
#define WOLFSSL_NO_SHAKE256
#define NO_AES_CBC
#define WOLFSSL_NO_SHA384
#define WOLFSSL_NO_SHA512
#define NO_CODING /* no Base64: the credentials are DER */

#if defined(SB_AEAD_CHACHAPOLY)
#define NO_AES
#define HAVE_CHACHA
#define HAVE_POLY1305
#else
#define WOLFSSL_AES_128
#define NO_AES_192
#define NO_AES_256
#endif
#if defined(SB_AEAD_GCM)
#define HAVE_AESGCM
#define GCM_TABLE_4BIT /* 256 bytes per key, as configure's default */
#endif
#if defined(SB_AEAD_CCM) || defined(SB_AEAD_CCM8)
#define HAVE_AESCCM
#endif

#if defined(SB_KX_PSK) || defined(SB_KX_ECDHE_PSK)
#define WOLFSSL_STATIC_PSK
#else
#define NO_PSK
#endif

#if defined(SB_KX_PSK)
#define NO_ASN /* nothing to parse: no certificate, no signature */
#define NO_CERTS
#define NO_BIG_INT /* and no public-key arithmetic */
#else
#define HAVE_ECC
#define ECC_USER_CURVES /* P-256 only */
#define ECC_TIMING_RESISTANT
#define HAVE_SUPPORTED_CURVES
#define WOLFSSL_HAVE_SP_ECC
#define WOLFSSL_SP_MATH
#define WOLFSSL_SP_SMALL
#define WOLFSSL_ASN_TEMPLATE
#endif
/*
 * ECDHE-PSK keeps the certificate and ASN.1 code: 5.7.2's TLS layer calls
 * ECDSA (EccSign, EccVerify, SupportedHashSigAlgo) whenever ECC is built,
 * so NO_CERTS or NO_ECC_SIGN/NO_ECC_VERIFY do not link or compile; the
 * linker drops what the program never reaches.
 */

#endif
