#define _GNU_SOURCE
#include <fcntl.h>
#include "csystem.h"

int nbkey_start_writeback(int fd, off_t offset, off_t length) {
    return sync_file_range(fd, offset, length, SYNC_FILE_RANGE_WRITE);
}
