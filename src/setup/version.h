/* version.h: the version passthru-setup --version prints (the one place it is defined). */
#ifndef PASSTHRU_VERSION_H
#define PASSTHRU_VERSION_H

#define PASSTHRU_VERSION "0.1.0"

#endif
