/*
 * wolfssl_psk.h - the PSK callbacks of the wolfSSL programs (size and
 * target): the client offers the test identity and key, the server takes
 * only that identity.  Include after <wolfssl/ssl.h> and creds.h.
 */
#ifndef SB_WOLFSSL_PSK_H
#define SB_WOLFSSL_PSK_H

#include <string.h>

#if defined(SB_KX_PSK) || defined(SB_KX_ECDHE_PSK)
#if defined(SB_SIZE_SERVER)
static unsigned int wolf_psk(WOLFSSL *ssl, const char *identity,
                             unsigned char *key, unsigned int key_max)
{
	(void)ssl;
	if (!identity || strcmp(identity, SB_PSK_IDENTITY) != 0 ||
	    sizeof(sb_psk) > key_max)
		return 0; /* the library answers unknown_psk_identity */
	memcpy(key, sb_psk, sizeof(sb_psk));
	return sizeof(sb_psk);
}
#else
static unsigned int wolf_psk(WOLFSSL *ssl, const char *hint, char *identity,
                             unsigned int id_max, unsigned char *key,
                             unsigned int key_max)
{
	(void)ssl;
	(void)hint;
	if (sizeof(SB_PSK_IDENTITY) > id_max || sizeof(sb_psk) > key_max)
		return 0;
	memcpy(identity, SB_PSK_IDENTITY, sizeof(SB_PSK_IDENTITY));
	memcpy(key, sb_psk, sizeof(sb_psk));
	return sizeof(sb_psk);
}
#endif
#endif

#endif
