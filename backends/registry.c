#include <string.h>

#include "backend.h"

/* CMake defines SB_WITH_<LIB> for each library it found (curl's
 * available_backends[]). */
#ifdef SB_WITH_OPENSSL
extern const struct sb_backend sb_backend_openssl;
#endif
#ifdef SB_WITH_MBEDTLS
extern const struct sb_backend sb_backend_mbedtls;
#endif
#ifdef SB_WITH_MBEDTLS_IOT
extern const struct sb_backend sb_backend_mbedtls_iot;
#endif
#ifdef SB_WITH_BEARSSL
extern const struct sb_backend sb_backend_bearssl;
#endif
#ifdef SB_WITH_WOLFSSL
extern const struct sb_backend sb_backend_wolfssl;
#endif
#ifdef SB_WITH_GNUTLS
extern const struct sb_backend sb_backend_gnutls;
#endif

const struct sb_backend *const sb_backends[] = {
#ifdef SB_WITH_OPENSSL
    &sb_backend_openssl,
#endif
#ifdef SB_WITH_MBEDTLS
    &sb_backend_mbedtls,
#endif
#ifdef SB_WITH_MBEDTLS_IOT
    &sb_backend_mbedtls_iot,
#endif
#ifdef SB_WITH_BEARSSL
    &sb_backend_bearssl,
#endif
#ifdef SB_WITH_WOLFSSL
    &sb_backend_wolfssl,
#endif
#ifdef SB_WITH_GNUTLS
    &sb_backend_gnutls,
#endif
    NULL,
};

const struct sb_backend *sb_backend_find(const char *name)
{
	for (size_t i = 0; sb_backends[i]; i++)
		if (strcmp(sb_backends[i]->name, name) == 0)
			return sb_backends[i];
	return NULL;
}
