/*
 * target-dtls.h - what `suitebench run --target` adds to a suite's
 * configuration (size/build.sh --kind target defines SB_TARGET): DTLS 1.2
 * with anti-replay and HelloVerifyRequest cookies, so the target programs
 * speak what `run` measures; the record and handshake code of TLS 1.2
 * stays as it is.  The size builds never include it.
 */
#define MBEDTLS_SSL_PROTO_DTLS
#define MBEDTLS_SSL_DTLS_ANTI_REPLAY
#define MBEDTLS_SSL_DTLS_HELLO_VERIFY
#if defined(SB_SIZE_SERVER)
#define MBEDTLS_SSL_COOKIE_C
#endif
