/* SPDX-License-Identifier: GPL-2.0-or-later */
/* pe.h: a named section of a PE/COFF file (a unified kernel image's .cmdline, .osrel, .uname, .linux). */
#ifndef PASSTHRU_PE_H
#define PASSTHRU_PE_H
#include <stddef.h>
#include <stdint.h>

/* The bytes of PE headers read before the section table must end (a real image's table ends
 * in its first few KiB). */
#define PE_HEAD_MAX 65536

/*
 * Where section name (at most 8 bytes, as in the section table: ".cmdline") lies in a PE file
 * whose first headlen bytes are head and whose size is filesize: its offset and size in the
 * file (the smaller of its virtual and raw sizes, as the stub loads it; the raw size when the
 * virtual one is 0). 0; -ENOENT: no such section; -EBADMSG: not a PE file, or a header or the
 * section out of bounds (a truncated or hostile file).
 */
int pe_find(const unsigned char *head, size_t headlen, uint64_t filesize, const char *name,
	    uint64_t *off, uint64_t *size);
/* The same on a whole file in memory: *ret points into data. */
int pe_section_mem(const unsigned char *data, size_t len, const char *name,
		   const unsigned char **ret, size_t *retlen);
/* The section read from the open file fd (at most max bytes, else -EFBIG): malloc'd, with a NUL
 * after its *len bytes. -errno as pe_find, or from reading. */
int pe_section_fd(int fd, const char *name, size_t max, char **ret, size_t *len);
/* A .cmdline section's text: up to its first NUL (the trailing NUL the builders add), trailing
 * blanks and newlines stripped; malloc'd. 0 or -ENOMEM. */
int pe_cmdline_text(const unsigned char *p, size_t n, char **ret);

#endif
