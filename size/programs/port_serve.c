/*
 * port_serve.c - the command loop every target program runs, on any port.
 */
#include "target.h"

#include <string.h>

int sb_target_fail(const char *where, int code)
{
	size_t n = strlen(where);
	if (n >= sizeof(sb_port_mailbox.where))
		n = sizeof(sb_port_mailbox.where) - 1;
	for (size_t i = 0; i < n; i++)
		sb_port_mailbox.where[i] = where[i];
	sb_port_mailbox.where[n] = '\0';
	sb_port_mailbox.lib_error = code;
	return SB_PORT_ERR_LIB;
}

void sb_port_serve(uint8_t *buf, size_t cap)
{
	sb_port_mailbox.buf_addr = (uint32_t)(uintptr_t)buf;
	sb_port_mailbox.buf_cap = (uint32_t)cap;
	sb_port_mailbox.abi = SB_PORT_ABI;
	sb_port_mailbox.magic = SB_PORT_MAGIC;
	sb_port_mailbox.result = SB_PORT_OK;
	for (;;) {
		sb_port_yield();
		uint32_t len = sb_port_mailbox.len;
		int rc;
		switch (sb_port_mailbox.cmd) {
		case SB_PORT_CMD_SETUP:
			rc = sb_target_setup();
			break;
		case SB_PORT_CMD_STEP:
			rc = sb_target_step();
			break;
		case SB_PORT_CMD_WRITE:
			rc = len <= cap ? sb_target_write(buf, len)
			                : SB_PORT_ERR_CMD;
			break;
		case SB_PORT_CMD_READ:
			rc = sb_target_read(buf, len < cap ? len : cap);
			break;
		default:
			rc = SB_PORT_ERR_CMD;
			break;
		}
		sb_port_mailbox.result = rc;
	}
}
