#include "run/credentials.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#ifndef SB_CREDENTIALS_DIR
#error "CMake defines SB_CREDENTIALS_DIR, the default credentials directory"
#endif

const char *sb_credentials_default_dir(void)
{
	return SB_CREDENTIALS_DIR;
}

static int locate(char *out, const char *dir, const char *file, char *msg,
                  size_t msg_len)
{
	int n = snprintf(out, PATH_MAX, "%s/%s", dir, file);
	if (n < 0 || n >= PATH_MAX) {
		snprintf(msg, msg_len, "credential path too long: %s/%s", dir,
		         file);
		return SB_ERR_CREDENTIALS;
	}
	if (access(out, R_OK) != 0) {
		snprintf(msg, msg_len, "cannot read credential file %s: %s",
		         out, strerror(errno));
		return SB_ERR_CREDENTIALS;
	}
	return 0;
}

/* A file only some scenarios need: its path if readable, else "". */
static void locate_optional(char *out, const char *dir, const char *file)
{
	int n = snprintf(out, PATH_MAX, "%s/%s", dir, file);
	if (n < 0 || n >= PATH_MAX || access(out, R_OK) != 0)
		out[0] = '\0';
}

static int hex_value(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

int sb_credentials_parse_psk(struct sb_credential_set *set, const char *line,
                             char *msg, size_t msg_len)
{
	const char *space = strchr(line, ' ');
	size_t id_len = space ? (size_t)(space - line) : 0;
	if (id_len == 0 || id_len >= sizeof(set->psk_identity)) {
		snprintf(msg, msg_len,
		         "psk.txt: expected \"identity hexkey\" on one line");
		return SB_ERR_CREDENTIALS;
	}
	memcpy(set->psk_identity, line, id_len);
	set->psk_identity[id_len] = '\0';

	const char *hex = space + 1;
	size_t len = strcspn(hex, "\r\n");
	if (len == 0 || len % 2 != 0 || len / 2 > sizeof(set->psk)) {
		snprintf(msg, msg_len,
		         "psk.txt: key must be 2 to %zu hex digits, even count",
		         2 * sizeof(set->psk));
		return SB_ERR_CREDENTIALS;
	}
	for (size_t i = 0; i < len / 2; i++) {
		int hi = hex_value((unsigned char)hex[2 * i]);
		int lo = hex_value((unsigned char)hex[2 * i + 1]);
		if (hi < 0 || lo < 0) {
			snprintf(msg, msg_len, "psk.txt: key is not hex");
			return SB_ERR_CREDENTIALS;
		}
		set->psk[i] = (uint8_t)(hi << 4 | lo);
	}
	set->psk_len = len / 2;
	return 0;
}

static int load_psk(struct sb_credential_set *set, const char *path, char *msg,
                    size_t msg_len)
{
	FILE *f = fopen(path, "r");
	if (!f) {
		snprintf(msg, msg_len, "cannot read %s: %s", path,
		         strerror(errno));
		return SB_ERR_CREDENTIALS;
	}
	char line[SB_PSK_IDENTITY_MAX + 2 * SB_PSK_MAX + 8];
	int rc = fgets(line, sizeof(line), f)
	             ? sb_credentials_parse_psk(set, line, msg, msg_len)
	             : SB_ERR_CREDENTIALS;
	if (rc && !msg[0])
		snprintf(msg, msg_len, "%s is empty", path);
	fclose(f);
	return rc;
}

int sb_credentials_load(struct sb_credential_set *set, const char *dir,
                        char *msg, size_t msg_len)
{
	char psk_path[PATH_MAX];
	msg[0] = '\0';
	memset(set, 0, sizeof(*set));
	int rc;
	if ((rc = locate(set->ca, dir, "ca.pem", msg, msg_len)) ||
	    (rc = locate(set->other_ca, dir, "other-ca.pem", msg, msg_len)) ||
	    (rc = locate(set->server_cert, dir, "server.pem", msg, msg_len)) ||
	    (rc = locate(set->server_key, dir, "server.key", msg, msg_len)) ||
	    (rc = locate(set->server_rsa_cert, dir, "server-rsa.pem", msg,
	                 msg_len)) ||
	    (rc = locate(set->server_rsa_key, dir, "server-rsa.key", msg,
	                 msg_len)) ||
	    (rc = locate(set->client_cert, dir, "client.pem", msg, msg_len)) ||
	    (rc = locate(set->client_key, dir, "client.key", msg, msg_len)) ||
	    (rc = locate(psk_path, dir, "psk.txt", msg, msg_len)))
		return rc;
	locate_optional(set->server_pub, dir, "server.pub");
	locate_optional(set->client_pub, dir, "client.pub");
	locate_optional(set->other_pub, dir, "other.pub");
	return load_psk(set, psk_path, msg, msg_len);
}

struct sb_credentials sb_credentials_for(const struct sb_credential_set *set,
                                         const struct sb_suite *suite,
                                         enum sb_role role)
{
	bool client = role == SB_ROLE_CLIENT;
	/* Both server leaves carry the same name and come from the same CA. */
	bool rsa = !client && suite->kx == SB_KX_ECDHE_RSA;
	return (struct sb_credentials){
	    .ca_file = set->ca,
	    .cert_file = client ? set->client_cert
	                 : rsa  ? set->server_rsa_cert
	                        : set->server_cert,
	    .key_file = client ? set->client_key
	                : rsa  ? set->server_rsa_key
	                       : set->server_key,
	    .public_key_file = client ? set->client_pub : set->server_pub,
	    .peer_key_file = client ? set->server_pub : set->client_pub,
	    .psk_identity = set->psk_identity,
	    .psk = set->psk,
	    .psk_len = set->psk_len,
	};
}
