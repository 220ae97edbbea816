#ifndef NBKEY_CFILEIO_H
#define NBKEY_CFILEIO_H
#include <sys/types.h>

/* Linux calls that Swift's Glibc module does not export (they need _GNU_SOURCE), and the
 * signal-safe list of temporary names. Elsewhere the Linux-only calls fail with EOPNOTSUPP. */

/* Starts writeback of a byte range without waiting for it (sync_file_range WRITE), so that the
 * final fsync of a large output has little left to do. Returns 0 or -1 (errno set). */
int nbkey_start_writeback(int fd, off_t offset, off_t length);

/* Turns O_DIRECT on or off for an open file. Returns 0, or -1 where the file system refuses it. */
int nbkey_set_direct_io(int fd, int on);

/* A file with no name in `directory` (O_TMPFILE, read-write, close-on-exec): it disappears with
 * its last descriptor, whatever ends the process. -1 with errno where unavailable (EOPNOTSUPP,
 * EISDIR or EINVAL from file systems that refuse it). */
int nbkey_open_unnamed(const char *directory, mode_t mode);

/* Gives an O_TMPFILE file the name `path` (linkat; fails with EEXIST if the name exists). */
int nbkey_link_unnamed(int fd, const char *path);

/* Temporary names that the process's handlers for SIGINT, SIGTERM, SIGHUP and SIGPIPE unlink
 * before the signal takes its course (by default: the process ends, its status naming the
 * signal). The handlers are installed on first use; a signal ignored at start stays ignored, and
 * one with a handler already installed reaches that handler afterwards. Each call registers or
 * forgets the name in the same step as the file operation, with the signals blocked. */

/* open(path, flags | O_CREAT | O_EXCL, mode), registering the name on success. */
int nbkey_temp_create(const char *path, int flags, mode_t mode);

/* nbkey_link_unnamed, registering the name on success. */
int nbkey_temp_link_unnamed(int fd, const char *path);

/* rename(path, destination), forgetting `path` on success. */
int nbkey_temp_rename(const char *path, const char *destination);

/* unlink(path), forgetting it. */
void nbkey_temp_unlink(const char *path);

#endif
