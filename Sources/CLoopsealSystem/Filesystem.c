#include "CLoopsealSystem.h"

#include <errno.h>

#ifdef __linux__
#include <sys/vfs.h>

int loopseal_filesystem_type(int fd, unsigned long *type) {
    struct statfs info;
    if (fstatfs(fd, &info) != 0) return -1;
    *type = (unsigned long)info.f_type;
    return 0;
}
#else
int loopseal_filesystem_type(int fd, unsigned long *type) {
    (void)fd; (void)type;
    errno = ENOSYS;
    return -1;
}
#endif
