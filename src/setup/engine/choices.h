/* SPDX-License-Identifier: GPL-2.0-or-later */
/* choices.h: the choices a user gave install, kept in the record for every later install. */
#ifndef PASSTHRU_CHOICES_H
#define PASSTHRU_CHOICES_H
#include "manifest.h"
#include "setup.h"

/* Which of o's choices came from the record, not from this command line. */
struct remembered {
	bool bootloader, initramfs, cpu, no_iommu_pt, unsafe_interrupts;
};

/*
 * The choices of this install: each one o gives (--bootloader, --initramfs, --cpu,
 * --no-iommu-pt, --allow-unsafe-interrupts) replaces the one m remembers ("auto" forgets it);
 * each one o leaves out is m's, said in *r. o->confirming: o holds the trial's, m is left as
 * it is. "auto" is NULL in o afterwards. Returns true when m's choices changed.
 */
bool choices_apply(struct opts *o, struct manifest *m, struct remembered *r);
/* " (remembered from the last install --bootloader grub)" for a remembered choice, else "". */
const char *choices_said(bool remembered, const char *flag, const char *value, char *buf,
			 size_t size);

#endif
