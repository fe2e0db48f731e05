/*
 * iot.h - the mbedtls-iot configuration (configs/mbedtls-iot.h, the
 * `mbedtls-iot` backend's) as `suitebench size` builds it: unchanged but
 * for MBEDTLS_FS_IO, reading credentials from files, which the backend
 * needs and a device does not -- newlib has no <dirent.h>, so the
 * Cortex-M4 build cannot have it, and no size program reads a file, so on
 * x86-64 --gc-sections would drop that code anyway.  One library per
 * target, both sides and the configuration's four suites, TLS 1.2 and
 * DTLS 1.2, as the backend links it.
 */
#include "../../configs/mbedtls-iot.h"

#undef MBEDTLS_FS_IO
