#include <sodium.h>

#ifdef __linux__
#include <sys/prctl.h>
#include <sys/resource.h>

/* prctl is variadic and does not import into Swift: these wrappers do. */
static inline int loopseal_set_dumpable(int dumpable) { return prctl(PR_SET_DUMPABLE, dumpable, 0, 0, 0); }
static inline int loopseal_get_dumpable(void) { return prctl(PR_GET_DUMPABLE, 0, 0, 0, 0); }

/* glibc's execvpe is a GNU extension the Swift Glibc module does not declare. */
extern int execvpe(const char *file, char *const argv[], char *const envp[]);
static inline int loopseal_execvpe(const char *file, char *const argv[], char *const envp[]) {
    return execvpe(file, argv, envp);
}
#endif
