#define _GNU_SOURCE
#include "CLoopsealSystem.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#ifdef __linux__
#include <sys/syscall.h>
#endif

/* Why C: a signal handler may only call async-signal-safe functions (open, write, fsync,
   unlink, getdents64, kill, raise), and Swift code cannot promise that (it may allocate or take
   a lock in the runtime). Everything the handler reads is set up before the handler is
   installed: a fixed buffer for the folder and flags of type sig_atomic_t. */

static const int guarded_signals[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT};
#define GUARDED_COUNT ((int)(sizeof guarded_signals / sizeof guarded_signals[0]))

static char guarded_folder[4096];
static volatile sig_atomic_t folder_armed = 0;
static volatile sig_atomic_t foreground_child = 0; /* 0: none, -1: starting, else its pid */
static volatile sig_atomic_t handlers_installed = 0;
static struct sigaction previous_actions[GUARDED_COUNT];
static const unsigned char zeros[4096];

/* Overwrites an open regular file with zeros over its current size and syncs it. */
static void zero_fill(int fd) {
    struct stat info;
    if (fstat(fd, &info) != 0 || !S_ISREG(info.st_mode)) return;
    off_t left = info.st_size;
    while (left > 0) {
        size_t chunk = left < (off_t)sizeof zeros ? (size_t)left : sizeof zeros;
        ssize_t written = write(fd, zeros, chunk);
        if (written < 0) {
            if (errno == EINTR) continue;
            break;
        }
        left -= written;
    }
    fsync(fd);
}

static int wipe_children(int folder, int depth);

/* Wipes and removes one entry of `folder`: zeros for a regular file, recursion for a folder,
   a plain unlink for anything else (a link is never followed). Returns 1 when it is gone. */
static int wipe_entry(int folder, const char *name, int depth) {
    struct stat info;
    if (fstatat(folder, name, &info, AT_SYMLINK_NOFOLLOW) != 0) return errno == ENOENT;
    if (S_ISDIR(info.st_mode)) {
        if (depth >= 8) return 0;
        int child = openat(folder, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (child >= 0) {
            wipe_children(child, depth + 1);
            close(child);
        }
        return unlinkat(folder, name, AT_REMOVEDIR) == 0;
    }
    if (S_ISREG(info.st_mode)) {
        int fd = openat(folder, name, O_WRONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
        if (fd >= 0) {
            zero_fill(fd);
            close(fd);
        }
    }
    return unlinkat(folder, name, 0) == 0;
}

static int is_dot(const char *name) {
    return name[0] == '.' && (name[1] == 0 || (name[1] == '.' && name[2] == 0));
}

/* Wipes every entry of an open folder; several passes, since deleting while listing may skip
   entries. Returns the number of entries left. */
static int wipe_children(int folder, int depth) {
    int left = 0;
    for (int pass = 0; pass < 16; pass++) {
        int removed = 0;
        left = 0;
#ifdef __linux__
        char buffer[4096] __attribute__((aligned(8)));
        if (lseek(folder, 0, SEEK_SET) != 0) return -1;
        for (;;) {
            long count = syscall(SYS_getdents64, folder, buffer, sizeof buffer);
            if (count <= 0) break;
            for (long offset = 0; offset < count;) {
                struct {
                    unsigned long long ino;
                    long long off;
                    unsigned short reclen;
                    unsigned char type;
                    char name[];
                } *entry = (void *)(buffer + offset);
                offset += entry->reclen;
                if (is_dot(entry->name)) continue;
                if (wipe_entry(folder, entry->name, depth)) removed++; else left++;
            }
        }
#else
        int copy = dup(folder);
        if (copy < 0) return -1;
        DIR *listing = fdopendir(copy);
        if (listing == NULL) { close(copy); return -1; }
        rewinddir(listing);
        struct dirent *entry;
        while ((entry = readdir(listing)) != NULL) {
            if (is_dot(entry->d_name)) continue;
            if (wipe_entry(folder, entry->d_name, depth)) removed++; else left++;
        }
        closedir(listing);
#endif
        if (left == 0 || removed == 0) break;
    }
    return left;
}

int loopseal_wipe_folder(const char *path) {
    int folder = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (folder < 0) return errno == ENOENT ? 0 : -1;
    wipe_children(folder, 0);
    close(folder);
    return rmdir(path) == 0 || errno == ENOENT ? 0 : -1;
}

static void guard_handler(int signal_number) {
    int saved_errno = errno;
    pid_t child = (pid_t)foreground_child;
    if (child != 0 && (signal_number == SIGINT || signal_number == SIGQUIT)) {
        /* The terminal sent it to the child too: the editor decides (vi ignores Ctrl-C). */
        errno = saved_errno;
        return;
    }
    if (child > 0) kill(child, signal_number);
    if (folder_armed) loopseal_wipe_folder(guarded_folder);
    struct sigaction fallback;
    memset(&fallback, 0, sizeof fallback);
    fallback.sa_handler = SIG_DFL;
    sigemptyset(&fallback.sa_mask);
    sigaction(signal_number, &fallback, NULL);
    raise(signal_number); /* delivered with the default action when the handler returns */
    errno = saved_errno;
}

static void install_handlers(void) {
    if (handlers_installed) return;
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = guard_handler;
    action.sa_flags = SA_RESTART;
    sigemptyset(&action.sa_mask);
    for (int i = 0; i < GUARDED_COUNT; i++) sigaddset(&action.sa_mask, guarded_signals[i]);
    for (int i = 0; i < GUARDED_COUNT; i++) sigaction(guarded_signals[i], &action, &previous_actions[i]);
    handlers_installed = 1;
}

static void restore_handlers_if_idle(void) {
    if (!handlers_installed || folder_armed || foreground_child != 0) return;
    for (int i = 0; i < GUARDED_COUNT; i++) sigaction(guarded_signals[i], &previous_actions[i], NULL);
    handlers_installed = 0;
}

int loopseal_private_folder_arm(const char *path) {
    if (folder_armed) { errno = EBUSY; return -1; }
    size_t length = strlen(path);
    if (length >= sizeof guarded_folder) { errno = ENAMETOOLONG; return -1; }
    memcpy(guarded_folder, path, length + 1);
    folder_armed = 1;
    install_handlers();
    return 0;
}

void loopseal_private_folder_disarm(void) {
    folder_armed = 0;
    restore_handlers_if_idle();
}

void loopseal_foreground_child_set(int pid) {
    foreground_child = pid;
    if (pid != 0) install_handlers(); else restore_handlers_if_idle();
}
