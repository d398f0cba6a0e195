#define _GNU_SOURCE
#include "CLoopsealSystem.h"

#include <errno.h>
#include <unistd.h>

#ifdef __linux__
#include <sys/prctl.h>

int loopseal_set_dumpable(int dumpable) { return prctl(PR_SET_DUMPABLE, dumpable, 0, 0, 0); }
int loopseal_get_dumpable(void) { return prctl(PR_GET_DUMPABLE, 0, 0, 0, 0); }
int loopseal_execvpe(const char *file, char *const argv[], char *const envp[]) {
    return execvpe(file, argv, envp);
}
#else
int loopseal_set_dumpable(int dumpable) { (void)dumpable; errno = ENOSYS; return -1; }
int loopseal_get_dumpable(void) { errno = ENOSYS; return -1; }
int loopseal_execvpe(const char *file, char *const argv[], char *const envp[]) {
    (void)file; (void)argv; (void)envp;
    errno = ENOSYS;
    return -1;
}
#endif
