#ifndef CLOOPSEAL_SYSTEM_H
#define CLOOPSEAL_SYSTEM_H

/* What Swift cannot do itself: prctl is variadic, glibc's execvpe is a GNU extension the
   Swift Glibc module does not declare, and a signal handler must be async-signal-safe. */

/* prctl(PR_SET_DUMPABLE, dumpable); returns -1 where prctl does not exist. */
int loopseal_set_dumpable(int dumpable);

/* prctl(PR_GET_DUMPABLE); returns -1 where prctl does not exist. */
int loopseal_get_dumpable(void);

/* execvpe(file, argv, envp): searches PATH; returns only on failure, with errno set. */
int loopseal_execvpe(const char *file, char *const argv[], char *const envp[]);

/* A private folder for plaintext a person edits (PrivateFolder.c). Until disarmed, SIGINT,
   SIGTERM, SIGHUP and SIGQUIT wipe the folder (loopseal_wipe_folder) and then end the process
   with the same signal, raised again with its default action. Returns 0, or -1 with errno
   EBUSY (a folder is already guarded) or ENAMETOOLONG. */
int loopseal_private_folder_arm(const char *path);

/* Stops guarding the folder (after the caller wiped it) and restores the previous handlers. */
void loopseal_private_folder_disarm(void);

/* Records the child running in the foreground (-1 while it starts, 0 when none): while there
   is one, SIGINT and SIGQUIT are left to it (the terminal sends them to both, and an editor
   such as vi ignores Ctrl-C), and SIGTERM and SIGHUP are passed on to it before the wipe. */
void loopseal_foreground_child_set(int pid);

/* Overwrites every regular file under path with zeros (synced), deletes every entry (links
   are never followed) and the folder itself. Async-signal-safe on Linux. Returns 0 when the
   folder is gone (or was never there), -1 otherwise. */
int loopseal_wipe_folder(const char *path);

/* fstatfs(fd)'s f_type, the filesystem's magic number (Filesystem.c): the Swift Glibc module
   does not declare statfs. Returns 0, or -1 with errno set (ENOSYS where statfs has no f_type). */
int loopseal_filesystem_type(int fd, unsigned long *type);

/* Where a spawned child's standard descriptor points, besides a descriptor of ours. */
#define LOOPSEAL_SPAWN_NULL (-1)    /* /dev/null */
#define LOOPSEAL_SPAWN_INHERIT (-2) /* this process's own */
#define LOOPSEAL_SPAWN_STDOUT (-3)  /* wherever the child's stdout goes (stderr only) */

/* pipe2(fds, O_CLOEXEC): both ends close on exec, so no other child inherits them. */
int loopseal_pipe(int fds[2]);

/* posix_spawn(path, argv, envp or, when NULL, this process's environment) in `directory`
   (NULL: ours) with stdin, stdout and stderr from in_fd, out_fd and err_fd (Spawn.c). The
   child gets no other descriptor of ours, an empty signal mask, every signal's default action
   and a process group of its own. Foundation's Process.run is not used: in Swift 6.3 it reads
   past a buffer while listing /proc/self/fd and crashes (swift-corelibs-foundation PR 5472).
   Returns 0 and sets *pid, or an errno value. */
int loopseal_spawn(int *pid, const char *path, char *const argv[], char *const envp[],
                   const char *directory, int in_fd, int out_fd, int err_fd);

#endif
