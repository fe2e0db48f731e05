/*
 * contract.c - what backend.h declares besides the backends themselves:
 * the names of its protocols and roles, shared by the core and the
 * backends so that both spell them alike, and which protocol can carry
 * which suite.
 */
#include "backend.h"

#include <stdio.h>

const char *sb_protocol_name(enum sb_protocol protocol)
{
	switch (protocol) {
	case SB_PROTO_DTLS12:
		return "dtls1.2";
	case SB_PROTO_TLS12:
		return "tls1.2";
	case SB_PROTO_DTLS13:
		return "dtls1.3";
	case SB_PROTO_TLS13:
		return "tls1.3";
	}
	return "?";
}

const char *sb_role_name(enum sb_role role)
{
	return role == SB_ROLE_CLIENT ? "client" : "server";
}

bool sb_protocol_is_dtls(enum sb_protocol protocol)
{
	return protocol == SB_PROTO_DTLS12 || protocol == SB_PROTO_DTLS13;
}

bool sb_protocol_is_13(enum sb_protocol protocol)
{
	return protocol == SB_PROTO_DTLS13 || protocol == SB_PROTO_TLS13;
}

bool sb_suite_fits(enum sb_protocol protocol, const struct sb_suite *suite,
                   struct sb_reason *why)
{
	/* RFC 8446 4.1.2 and B.4: 1.3 suites name only the AEAD and hash,
	 * and 1.2 suites cannot be negotiated in 1.3 (nor the reverse). */
	if (sb_protocol_is_13(protocol) == suite->tls13)
		return true;
	snprintf(why->text, sizeof(why->text),
	         "%s is a TLS 1.%c suite: %s cannot negotiate it",
	         suite->iana_name, suite->tls13 ? '3' : '2',
	         sb_protocol_is_dtls(protocol)
	             ? (suite->tls13 ? "DTLS 1.2" : "DTLS 1.3")
	             : (suite->tls13 ? "TLS 1.2" : "TLS 1.3"));
	return false;
}
