#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "cfileio.h"

int nbkey_start_writeback(int fd, off_t offset, off_t length) {
#ifdef __linux__
    return sync_file_range(fd, offset, length, SYNC_FILE_RANGE_WRITE);
#else
    (void)fd; (void)offset; (void)length;
    return 0;
#endif
}

int nbkey_set_direct_io(int fd, int on) {
#ifdef O_DIRECT
    int flags = fcntl(fd, F_GETFL);
    if (flags < 0) return -1;
    return fcntl(fd, F_SETFL, on ? (flags | O_DIRECT) : (flags & ~O_DIRECT));
#else
    (void)fd; (void)on;
    errno = EINVAL;
    return -1;
#endif
}

int nbkey_open_unnamed(const char *directory, mode_t mode) {
#ifdef O_TMPFILE
    return open(directory, O_TMPFILE | O_RDWR | O_CLOEXEC, mode);
#else
    (void)directory; (void)mode;
    errno = EOPNOTSUPP;
    return -1;
#endif
}

int nbkey_link_unnamed(int fd, const char *path) {
#ifdef __linux__
    /* The /proc form needs no privilege; AT_EMPTY_PATH needs CAP_DAC_READ_SEARCH (or, on
     * newer kernels, none): try it where /proc is not mounted. */
    char self[64];
    snprintf(self, sizeof self, "/proc/self/fd/%d", fd);
    if (linkat(AT_FDCWD, self, AT_FDCWD, path, AT_SYMLINK_FOLLOW) == 0) return 0;
    if (errno != ENOENT) return -1;
    return linkat(fd, "", AT_FDCWD, path, AT_EMPTY_PATH);
#else
    (void)fd; (void)path;
    errno = EOPNOTSUPP;
    return -1;
#endif
}

/* The registry of temporary names. A spin lock guards it; whoever holds it has the handled
 * signals blocked on its own thread, so a handler never waits for the thread it interrupted,
 * and a handler on another thread waits only for a short list operation. */
static atomic_flag registry_lock = ATOMIC_FLAG_INIT;
static char **registered;
static size_t registered_count, registered_capacity;
static const int handled[] = {SIGINT, SIGTERM, SIGHUP, SIGPIPE};
#define HANDLED_COUNT (sizeof handled / sizeof handled[0])
static struct sigaction previous[HANDLED_COUNT];
static int installed;

static void lock_registry(sigset_t *saved) {
    sigset_t set;
    sigemptyset(&set);
    for (size_t i = 0; i < HANDLED_COUNT; i++) sigaddset(&set, handled[i]);
    pthread_sigmask(SIG_BLOCK, &set, saved);
    while (atomic_flag_test_and_set_explicit(&registry_lock, memory_order_acquire)) {}
}

/* Keeps errno: the callers return what their file operation set. */
static void unlock_registry(const sigset_t *saved) {
    int e = errno;
    atomic_flag_clear_explicit(&registry_lock, memory_order_release);
    pthread_sigmask(SIG_SETMASK, saved, NULL);
    errno = e;
}

static void on_signal(int sig) {
    int saved_errno = errno;
    while (atomic_flag_test_and_set_explicit(&registry_lock, memory_order_acquire)) {}
    for (size_t i = 0; i < registered_count; i++) unlink(registered[i]);
    registered_count = 0; /* the strings leak: free is not async-signal-safe */
    atomic_flag_clear_explicit(&registry_lock, memory_order_release);
    /* What the signal would have done without us (the default: end the process, so that the
     * exit status names it), or a handler installed before ours. It runs when this returns. */
    for (size_t i = 0; i < HANDLED_COUNT; i++) {
        if (handled[i] == sig) sigaction(sig, &previous[i], NULL);
    }
    raise(sig);
    errno = saved_errno;
}

/* Called with the registry locked. Signals ignored when nbkey started (nohup) stay ignored. */
static void install_handlers(void) {
    if (installed) return;
    installed = 1;
    for (size_t i = 0; i < HANDLED_COUNT; i++) {
        struct sigaction current;
        if (sigaction(handled[i], NULL, &current) != 0 || current.sa_handler == SIG_IGN) {
            previous[i] = current;
            continue;
        }
        struct sigaction action;
        memset(&action, 0, sizeof action);
        action.sa_handler = on_signal;
        sigemptyset(&action.sa_mask);
        for (size_t j = 0; j < HANDLED_COUNT; j++) sigaddset(&action.sa_mask, handled[j]);
        sigaction(handled[i], &action, &previous[i]);
    }
}

/* Registers `path`, just created; if the list cannot grow, removes it again and fails. */
static int add_locked(const char *path) {
    if (registered_count == registered_capacity) {
        size_t capacity = registered_capacity ? 2 * registered_capacity : 16;
        char **grown = realloc(registered, capacity * sizeof *grown);
        if (grown) {
            registered = grown;
            registered_capacity = capacity;
        }
    }
    char *copy = registered_count < registered_capacity ? strdup(path) : NULL;
    if (!copy) {
        unlink(path);
        errno = ENOMEM;
        return -1;
    }
    registered[registered_count++] = copy;
    return 0;
}

static void remove_locked(const char *path) {
    for (size_t i = 0; i < registered_count; i++) {
        if (strcmp(registered[i], path) == 0) {
            free(registered[i]);
            registered[i] = registered[--registered_count];
            return;
        }
    }
}

int nbkey_temp_create(const char *path, int flags, mode_t mode) {
    sigset_t saved;
    lock_registry(&saved);
    install_handlers();
    int fd = open(path, flags | O_CREAT | O_EXCL, mode);
    if (fd >= 0 && add_locked(path) != 0) {
        close(fd);
        fd = -1;
    }
    unlock_registry(&saved);
    return fd;
}

int nbkey_temp_link_unnamed(int fd, const char *path) {
    sigset_t saved;
    lock_registry(&saved);
    install_handlers();
    int rc = nbkey_link_unnamed(fd, path);
    if (rc == 0) rc = add_locked(path);
    unlock_registry(&saved);
    return rc;
}

int nbkey_temp_rename(const char *path, const char *destination) {
    sigset_t saved;
    lock_registry(&saved);
    int rc = rename(path, destination);
    if (rc == 0) remove_locked(path);
    unlock_registry(&saved);
    return rc;
}

void nbkey_temp_unlink(const char *path) {
    sigset_t saved;
    lock_registry(&saved);
    unlink(path);
    remove_locked(path);
    unlock_registry(&saved);
}
