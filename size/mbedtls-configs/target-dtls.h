/*
 * target-dtls.h - what DTLS 1.2 adds to a suite's configuration: DTLS 1.2
 * with anti-replay and HelloVerifyRequest cookies (the server's cookie
 * module), what `run` measures by default; the record and handshake code
 * of TLS 1.2 stays as it is.  Included by the DTLS size programs'
 * libraries (size/build.sh --protocol dtls1.2 defines SB_DTLS) and by the
 * target programs' of `suitebench run --target` (--kind target defines
 * SB_TARGET); the TLS 1.2 size builds never include it.
 */
#define MBEDTLS_SSL_PROTO_DTLS
#define MBEDTLS_SSL_DTLS_ANTI_REPLAY
#define MBEDTLS_SSL_DTLS_HELLO_VERIFY
#if defined(SB_SIZE_SERVER)
#define MBEDTLS_SSL_COOKIE_C
#endif
