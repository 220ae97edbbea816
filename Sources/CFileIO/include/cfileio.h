#ifndef NBKEY_CSYSTEM_H
#define NBKEY_CSYSTEM_H
#include <sys/types.h>

/* Linux calls that Swift's Glibc module does not export (they need _GNU_SOURCE). */

/* Starts writeback of a byte range without waiting for it (sync_file_range WRITE), so that the
 * final fsync of a large output has little left to do. Returns 0 or -1 (errno set). */
int nbkey_start_writeback(int fd, off_t offset, off_t length);

/* Turns O_DIRECT on or off for an open file. Returns 0, or -1 where the file system refuses it. */
int nbkey_set_direct_io(int fd, int on);

#endif
