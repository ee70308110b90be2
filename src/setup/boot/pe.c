/* SPDX-License-Identifier: GPL-2.0-or-later */
/* pe.c: reads a named section out of a PE/COFF file by its DOS, PE and COFF headers and section table, bounds-checked. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "pe.h"

static uint32_t le16(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8;
}

static uint32_t le32(const unsigned char *p)
{
	return le16(p) | le16(p + 2) << 16;
}

int pe_find(const unsigned char *head, size_t headlen, uint64_t filesize, const char *name,
	    uint64_t *off, uint64_t *size)
{
	uint64_t pe, table, nsec, optsize, i;
	size_t nl = strlen(name);

	if (nl == 0 || nl > 8)
		return -EINVAL;
	if (headlen > filesize)
		return -EBADMSG;
	/* the DOS header: "MZ", and where the PE header starts (e_lfanew at 0x3c) */
	if (headlen < 0x40 || head[0] != 'M' || head[1] != 'Z')
		return -EBADMSG;
	pe = le32(head + 0x3c);
	/* "PE\0\0", then the COFF header (20 bytes) */
	if (pe > headlen || headlen - pe < 24 || memcmp(head + pe, "PE\0\0", 4))
		return -EBADMSG;
	nsec = le16(head + pe + 4 + 2);
	optsize = le16(head + pe + 4 + 16);
	table = pe + 24 + optsize;
	if (table > headlen || (headlen - table) / 40 < nsec)
		return -EBADMSG;	/* the section table past what was read */
	for (i = 0; i < nsec; i++) {
		const unsigned char *s = head + table + i * 40;
		uint64_t vsize = le32(s + 8), raw = le32(s + 16), ptr = le32(s + 20), n;

		if (memcmp(s, name, nl) || (nl < 8 && s[nl] != '\0'))
			continue;
		n = vsize && vsize < raw ? vsize : raw;
		if (ptr > filesize || filesize - ptr < n)
			return -EBADMSG;	/* the section past the end of the file */
		*off = ptr;
		*size = n;
		return 0;
	}
	return -ENOENT;
}

int pe_section_mem(const unsigned char *data, size_t len, const char *name,
		   const unsigned char **ret, size_t *retlen)
{
	uint64_t off = 0, size = 0;
	int r = pe_find(data, len, len, name, &off, &size);

	if (r < 0)
		return r;
	*ret = data + off;
	*retlen = (size_t)size;
	return 0;
}

/* n bytes at off, all of them; -EBADMSG when the file is shorter. */
static int read_at(int fd, void *buf, size_t n, uint64_t off)
{
	size_t done = 0;

	while (done < n) {
		ssize_t k = pread(fd, (char *)buf + done, n - done, (off_t)(off + done));

		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0)
			return -errno;
		if (k == 0)
			return -EBADMSG;
		done += (size_t)k;
	}
	return 0;
}

int pe_section_fd(int fd, const char *name, size_t max, char **ret, size_t *len)
{
	struct stat st;
	unsigned char *head;
	uint64_t off = 0, size = 0;
	size_t hl;
	int r;

	if (fstat(fd, &st) < 0)
		return -errno;
	if (!S_ISREG(st.st_mode))
		return -EBADMSG;
	hl = (uint64_t)st.st_size < PE_HEAD_MAX ? (size_t)st.st_size : PE_HEAD_MAX;
	head = malloc(hl ? hl : 1);
	if (!head)
		return -ENOMEM;
	r = read_at(fd, head, hl, 0);
	if (r == 0)
		r = pe_find(head, hl, (uint64_t)st.st_size, name, &off, &size);
	free(head);
	if (r < 0)
		return r;
	if (size > max)
		return -EFBIG;
	*ret = malloc((size_t)size + 1);
	if (!*ret)
		return -ENOMEM;
	r = read_at(fd, *ret, (size_t)size, off);
	if (r < 0) {
		free(*ret);
		*ret = NULL;
		return r;
	}
	(*ret)[size] = '\0';
	*len = (size_t)size;
	return 0;
}

int pe_cmdline_text(const unsigned char *p, size_t n, char **ret)
{
	const unsigned char *nul = memchr(p, '\0', n);
	size_t l = nul ? (size_t)(nul - p) : n;

	while (l && (p[l - 1] == ' ' || p[l - 1] == '\n' || p[l - 1] == '\t' || p[l - 1] == '\r'))
		l--;
	*ret = malloc(l + 1);
	if (!*ret)
		return -ENOMEM;
	memcpy(*ret, p, l);
	(*ret)[l] = '\0';
	return 0;
}
