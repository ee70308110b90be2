/* SPDX-License-Identifier: GPL-2.0-or-later */
/* sha256.h: SHA-256 (FIPS 180-4), for config_sha256 and the install record's hashes. */
#ifndef PASSTHRU_SHA256_H
#define PASSTHRU_SHA256_H
#include <stddef.h>
#include <stdint.h>

#define SHA256_HEX_LEN 65	/* 64 hex digits and the NUL */

void sha256(const void *data, size_t len, uint8_t ret[32]);
/* The digest as 64 lower-case hex digits. */
void sha256_hex(const void *data, size_t len, char ret[SHA256_HEX_LEN]);

#endif
