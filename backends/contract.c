/*
 * contract.c - what backend.h declares besides the backends themselves:
 * the names of its protocols and roles, shared by the core and the
 * backends so that both spell them alike.
 */
#include "backend.h"

const char *sb_protocol_name(enum sb_protocol protocol)
{
	switch (protocol) {
	case SB_PROTO_DTLS12:
		return "dtls1.2";
	case SB_PROTO_TLS12:
		return "tls1.2";
	}
	return "?";
}

const char *sb_role_name(enum sb_role role)
{
	return role == SB_ROLE_CLIENT ? "client" : "server";
}
