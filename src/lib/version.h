/* SPDX-License-Identifier: GPL-2.0-or-later */
/* version.h: what passthru-setup --version and passthru-claim --version print (its one place). */
#ifndef PASSTHRU_VERSION_H
#define PASSTHRU_VERSION_H

#define PASSTHRU_VERSION "0.1.0"

#endif
