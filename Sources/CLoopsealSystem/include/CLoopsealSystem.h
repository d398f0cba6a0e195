#ifndef CLOOPSEAL_SYSTEM_H
#define CLOOPSEAL_SYSTEM_H

/* System calls Swift cannot import directly: prctl is variadic, and glibc's execvpe is a GNU
   extension the Swift Glibc module does not declare. */

/* prctl(PR_SET_DUMPABLE, dumpable); returns -1 where prctl does not exist. */
int loopseal_set_dumpable(int dumpable);

/* prctl(PR_GET_DUMPABLE); returns -1 where prctl does not exist. */
int loopseal_get_dumpable(void);

/* execvpe(file, argv, envp): searches PATH; returns only on failure, with errno set. */
int loopseal_execvpe(const char *file, char *const argv[], char *const envp[]);

#endif
