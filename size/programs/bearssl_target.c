/*
 * bearssl_target.c - BearSSL 0.6 as a target program (target.h): one
 * TLS 1.2 endpoint, client or server (-DSB_SIZE_SERVER), for one
 * ECDHE-ECDSA suite, configured exactly as the size programs are
 * (bearssl_aead.h: br_ssl_*_zero() and the portable constant-time
 * primitives) and pumped as backends/bearssl.c pumps its engine.
 * BearSSL allocates nothing: its state is the engine context and the
 * record buffer, reported as static_ram.
 */
#include <bearssl.h>
#include <string.h>

#include "bearssl_aead.h"
#include "target.h"

#if !defined(SB_KX_ECDHE_ECDSA)
#error "BearSSL has no PSK cipher suites"
#endif

static unsigned char iobuf[BR_SSL_BUFSIZE_BIDI];
static int done;

#if defined(SB_SIZE_SERVER)
static br_ssl_server_context sc;
#define ENGINE (&sc.eng)

static const br_x509_certificate chain[] = {
    {(unsigned char *)sb_server_cert_der, sizeof(sb_server_cert_der)},
};

static const br_ec_private_key key = {
    .curve = BR_EC_secp256r1,
    .x = (unsigned char *)sb_server_key_priv,
    .xlen = sizeof(sb_server_key_priv),
};

static int bear_configure(void)
{
	br_ssl_server_zero(&sc);
	bear_set_common(&sc.eng);
	br_ssl_server_set_single_ec(&sc, chain, 1, &key, BR_KEYTYPE_SIGN,
	                            BR_KEYTYPE_EC, &br_ec_p256_m31,
	                            &br_ecdsa_i31_sign_asn1);
	/* The README's rule: the engine context and the buffer, and the
	 * certificate and key with their bytes -- constant data, in flash. */
	sb_port_mailbox.static_flash = sizeof(chain) +
	                               sizeof(sb_server_cert_der) +
	                               sizeof(key) + sizeof(sb_server_key_priv);
	sb_port_mailbox.static_ram =
	    sizeof(sc) + sizeof(iobuf) + sb_port_mailbox.static_flash;
	return 0;
}

static int bear_reset(void)
{
	return br_ssl_server_reset(&sc) ? 0 : -1;
}
#else
static br_ssl_client_context cc;
static br_x509_minimal_context xc;
#define ENGINE (&cc.eng)

static const br_x509_trust_anchor anchor = {
    .dn = {(unsigned char *)sb_ca_dn, sizeof(sb_ca_dn)},
    .flags = BR_X509_TA_CA,
    .pkey = {.key_type = BR_KEYTYPE_EC,
             .key.ec = {.curve = BR_EC_secp256r1,
                        .q = (unsigned char *)sb_ca_pub,
                        .qlen = sizeof(sb_ca_pub)}},
};

static int bear_configure(void)
{
	br_ssl_client_zero(&cc);
	bear_set_common(&cc.eng);
	br_ssl_engine_set_ecdsa(&cc.eng, &br_ecdsa_i31_vrfy_asn1);
	br_x509_minimal_init(&xc, &br_sha256_vtable, &anchor, 1);
	br_x509_minimal_set_hash(&xc, br_sha256_ID, &br_sha256_vtable);
	br_x509_minimal_set_ecdsa(&xc, &br_ec_p256_m31,
	                          &br_ecdsa_i31_vrfy_asn1);
	br_x509_minimal_set_time(&xc, SB_NOW_DAYS, 0);
	br_ssl_engine_set_x509(&cc.eng, &xc.vtable);
	/* The README's rule: the engine context, the validator and the
	 * buffer, and the trust anchor with its name and point -- constant
	 * data, in flash. */
	sb_port_mailbox.static_flash =
	    sizeof(anchor) + sizeof(sb_ca_dn) + sizeof(sb_ca_pub);
	sb_port_mailbox.static_ram = sizeof(cc) + sizeof(xc) + sizeof(iobuf) +
	                             sb_port_mailbox.static_flash;
	return 0;
}

static int bear_reset(void)
{
	return br_ssl_client_reset(&cc, SB_SERVER_NAME, 0) ? 0 : -1;
}
#endif

static int bear_fail(const char *where)
{
	return sb_target_fail(where, br_ssl_engine_last_error(ENGINE));
}

int sb_target_setup(void)
{
	unsigned char seed[32];
	if (sb_port_mailbox.dtls)
		return sb_target_fail("BearSSL has no DTLS", 0);
	bear_configure();
	sb_port_random(seed, sizeof(seed));
	br_ssl_engine_inject_entropy(ENGINE, seed, sizeof(seed));
	/* The port is the only entropy: BearSSL would add its system
	 * seeder's at reset where it has one -- none on bare metal, but
	 * getrandom on x86-64, whose bytes on the wire then differ. */
	ENGINE->rng_os_rand_done = 1;
	br_ssl_engine_set_buffer(ENGINE, iobuf, sizeof(iobuf), 1);
	return bear_reset() ? bear_fail("reset") : SB_PORT_OK;
}

/* Send what the engine has; with `receive`, feed it what the link has. */
static int bear_pump(int receive)
{
	br_ssl_engine_context *eng = ENGINE;
	for (;;) {
		unsigned state = br_ssl_engine_current_state(eng);
		if (state & BR_SSL_CLOSED)
			return br_ssl_engine_last_error(eng) == BR_ERR_OK
			           ? SB_PORT_ERR_CLOSED
			           : bear_fail("engine closed");
		size_t len;
		if (state & BR_SSL_SENDREC) {
			unsigned char *buf =
			    br_ssl_engine_sendrec_buf(eng, &len);
			if (sb_port_send(buf, len) != SB_PORT_OK)
				return SB_PORT_ERR_IO;
			br_ssl_engine_sendrec_ack(eng, len);
			continue;
		}
		if (!receive || (state & BR_SSL_RECVAPP) ||
		    !(state & BR_SSL_RECVREC))
			return SB_PORT_OK;
		unsigned char *buf = br_ssl_engine_recvrec_buf(eng, &len);
		int n = sb_port_recv(buf, len);
		if (n == SB_PORT_WANT_IO)
			return SB_PORT_WANT_IO;
		if (n <= 0)
			return SB_PORT_ERR_IO;
		br_ssl_engine_recvrec_ack(eng, (size_t)n);
	}
}

int sb_target_step(void)
{
	if (done)
		return SB_PORT_OK;
	int rc = bear_pump(1);
	if (rc != SB_PORT_OK && rc != SB_PORT_WANT_IO)
		return rc == SB_PORT_ERR_CLOSED ? bear_fail("handshake") : rc;
	unsigned st = br_ssl_engine_current_state(ENGINE);
	if (!(st & (BR_SSL_SENDAPP | BR_SSL_RECVAPP)))
		return SB_PORT_WANT_IO;
	done = 1;
	br_ssl_session_parameters params;
	br_ssl_engine_get_session_parameters(ENGINE, &params);
	sb_port_mailbox.suite = params.cipher_suite;
#if defined(SB_SIZE_SERVER)
	sb_port_mailbox.peer_authenticated = 0; /* no client certificate */
#else
	/* The handshake completes only if the chain and name were valid. */
	sb_port_mailbox.peer_authenticated = xc.err == BR_ERR_X509_OK;
#endif
	sb_port_mailbox.max_payload = 16384;
	return SB_PORT_OK;
}

/* One flushed chunk per write: one record up to the maximum fragment. */
int sb_target_write(const uint8_t *buf, size_t len)
{
	br_ssl_engine_context *eng = ENGINE;
	while (len > 0) {
		size_t room;
		unsigned char *dst = br_ssl_engine_sendapp_buf(eng, &room);
		if (!dst) {
			int rc = bear_pump(0);
			if (rc)
				return rc;
			dst = br_ssl_engine_sendapp_buf(eng, &room);
			if (!dst)
				return bear_fail("sendapp");
		}
		size_t n = len < room ? len : room;
		memcpy(dst, buf, n);
		br_ssl_engine_sendapp_ack(eng, n);
		br_ssl_engine_flush(eng, 0);
		int rc = bear_pump(0);
		if (rc)
			return rc;
		buf += n;
		len -= n;
	}
	return SB_PORT_OK;
}

int sb_target_read(uint8_t *buf, size_t cap)
{
	br_ssl_engine_context *eng = ENGINE;
	int rc = bear_pump(1);
	if (rc)
		return rc;
	size_t len;
	unsigned char *src = br_ssl_engine_recvapp_buf(eng, &len);
	if (!src)
		return SB_PORT_WANT_IO;
	size_t n = len < cap ? len : cap;
	memcpy(buf, src, n);
	br_ssl_engine_recvapp_ack(eng, n);
	return (int)n;
}
