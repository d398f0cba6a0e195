// A slow disk on demand, for benchmarks: LD_PRELOAD this library and every fsync, fdatasync
// and syncfs first sleeps FSYNC_DELAY_US microseconds (default 0), then does the real call.
// Each call sleeps on its own thread, so concurrent flushes overlap as they can on a real
// disk that commits them together; sequential flushes pay the delay one after the other.
// Build: cc -shared -fPIC -O2 -o fsync_delay.so fsync_delay.c -ldl
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdlib.h>
#include <time.h>
#include <errno.h>

static long delay_us(void) {
    static long cached = -1;
    if (cached < 0) {
        const char *text = getenv("FSYNC_DELAY_US");
        long value = text ? strtol(text, NULL, 10) : 0;
        cached = value > 0 ? value : 0;
    }
    return cached;
}

static void pause_like_a_disk(void) {
    long us = delay_us();
    if (us == 0) return;
    struct timespec left = { us / 1000000, (us % 1000000) * 1000 };
    int saved = errno;
    while (nanosleep(&left, &left) != 0 && errno == EINTR) {}
    errno = saved;
}

#define DELAYED(name)                                                        \
    int name(int fd) {                                                       \
        static int (*real)(int);                                             \
        if (!real) real = (int (*)(int))dlsym(RTLD_NEXT, #name);             \
        pause_like_a_disk();                                                 \
        return real ? real(fd) : (errno = ENOSYS, -1);                       \
    }

DELAYED(fsync)
DELAYED(fdatasync)
DELAYED(syncfs)
