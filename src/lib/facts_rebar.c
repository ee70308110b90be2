/* SPDX-License-Identifier: GPL-2.0-or-later */
/* facts_rebar.c: the Resizable BAR capability, found by walking the config space's extended capabilities. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include "facts.h"

/* the PCI registers read here (include/uapi/linux/pci_regs.h) */
#define PCI_STATUS 0x06
#define PCI_STATUS_CAP_LIST 0x10
#define PCI_CAPABILITY_LIST 0x34
#define PCI_CAP_ID_EXP 0x10
#define PCI_CFG_SPACE_SIZE 256
#define PCI_CFG_SPACE_EXP_SIZE 4096
#define PCI_EXT_CAP_ID_REBAR 0x15
#define PCI_REBAR_CAP 4		/* capability register: sizes supported, bits 4..31 */
#define PCI_REBAR_CTRL 8	/* control register: BAR index, number of BARs, size */

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* Whether the standard capability list (the first 256 bytes) holds a PCI Express one. */
static bool is_express(const uint8_t *cfg)
{
	unsigned pos = cfg[PCI_CAPABILITY_LIST] & 0xfc;
	int ttl = 48;

	if (!(cfg[PCI_STATUS] & PCI_STATUS_CAP_LIST))
		return false;
	while (pos >= 0x40 && ttl-- > 0) {
		if (cfg[pos] == PCI_CAP_ID_EXP)
			return true;
		pos = cfg[pos + 1] & 0xfc;
	}
	return false;
}

/* The capability at pos: one control register per resizable BAR, the first one says how many. */
static void parse_rebar(const uint8_t *cfg, size_t len, unsigned pos, struct rebar_facts *ret)
{
	unsigned nbars, i;

	if (pos + PCI_REBAR_CTRL + 4 > len) {
		ret->state = REBAR_UNKNOWN;
		snprintf(ret->why, sizeof(ret->why), "the config space ends at %zu bytes, inside "
			 "the Resizable BAR capability", len);
		return;
	}
	ret->state = REBAR_PRESENT;
	nbars = (le32(cfg + pos + PCI_REBAR_CTRL) >> 5) & 7;
	if (nbars < 1)
		nbars = 1;
	if (nbars > FACTS_NBARS)
		nbars = FACTS_NBARS;
	for (i = 0; i < nbars; i++) {
		unsigned at = pos + 8 * i;
		uint32_t cap, ctrl;
		struct rebar_bar *b;

		if (at + PCI_REBAR_CTRL + 4 > len)
			break;
		cap = le32(cfg + at + PCI_REBAR_CAP);
		ctrl = le32(cfg + at + PCI_REBAR_CTRL);
		if ((ctrl & 7) >= FACTS_NBARS)
			continue;
		b = &ret->bar[ret->n++];
		b->bar = (int)(ctrl & 7);
		/* capability bits 4..31: 1 MiB..128 TiB; control bits 16..31: 256 TiB and up */
		b->sizes = (uint64_t)(cap >> 4) | (uint64_t)(ctrl >> 16) << 28;
		b->current = (int)((ctrl >> 8) & 0x3f);
	}
}

void facts_rebar_parse(const uint8_t *cfg, size_t len, struct rebar_facts *ret)
{
	unsigned pos = PCI_CFG_SPACE_SIZE;
	int ttl = (PCI_CFG_SPACE_EXP_SIZE - PCI_CFG_SPACE_SIZE) / 8;

	memset(ret, 0, sizeof(*ret));
	if (len < PCI_CFG_SPACE_SIZE) {
		ret->state = REBAR_UNKNOWN;
		snprintf(ret->why, sizeof(ret->why), "only %zu bytes of the config space were "
			 "readable (the kernel shows the rest to root only)", len);
		return;
	}
	if (len == PCI_CFG_SPACE_SIZE) {
		ret->state = is_express(cfg) ? REBAR_UNKNOWN : REBAR_NONE;
		snprintf(ret->why, sizeof(ret->why), "%s", is_express(cfg) ?
			 "a PCI Express device whose extended config space the kernel cannot reach" :
			 "a conventional PCI device: no extended capabilities");
		return;
	}
	if (len > PCI_CFG_SPACE_EXP_SIZE)
		len = PCI_CFG_SPACE_EXP_SIZE;
	ret->state = REBAR_NONE;
	snprintf(ret->why, sizeof(ret->why), "no Resizable BAR capability");
	while (ttl-- > 0) {
		uint32_t hdr;

		if (pos + 4 > len) {
			ret->state = REBAR_UNKNOWN;
			snprintf(ret->why, sizeof(ret->why), "the config space ends at %zu bytes, "
				 "inside its extended capabilities", len);
			return;
		}
		hdr = le32(cfg + pos);
		if (hdr == 0 || hdr == 0xffffffffu)
			return;
		if ((hdr & 0xffff) == PCI_EXT_CAP_ID_REBAR) {
			ret->why[0] = '\0';
			parse_rebar(cfg, len, pos, ret);
			return;
		}
		pos = (hdr >> 20) & 0xffc;
		if (pos < PCI_CFG_SPACE_SIZE)
			return;
	}
}

void facts_size_text(uint64_t bytes, char *buf, size_t size)
{
	static const char *const unit[] = { "bytes", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB" };
	unsigned u = 0;

	while (u + 1 < sizeof(unit) / sizeof(unit[0]) && bytes >= 1024 && bytes % 1024 == 0) {
		bytes /= 1024;
		u++;
	}
	snprintf(buf, size, "%" PRIu64 " %s", bytes, unit[u]);
}
