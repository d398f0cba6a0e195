#define _GNU_SOURCE
#include "CLoopsealSystem.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <unistd.h>

extern char **environ;

int loopseal_pipe(int fds[2]) {
#ifdef __linux__
    return pipe2(fds, O_CLOEXEC);
#else
    if (pipe(fds) != 0) return -1;
    fcntl(fds[0], F_SETFD, FD_CLOEXEC);
    fcntl(fds[1], F_SETFD, FD_CLOEXEC);
    return 0;
#endif
}

/* Points descriptor `target` of the child at `source` (a descriptor, or one of the
   LOOPSEAL_SPAWN_* choices). */
static int redirect(posix_spawn_file_actions_t *actions, int source, int target) {
    switch (source) {
    case LOOPSEAL_SPAWN_INHERIT:
        return 0;
    case LOOPSEAL_SPAWN_NULL:
        return posix_spawn_file_actions_addopen(actions, target, "/dev/null", O_RDWR, 0);
    case LOOPSEAL_SPAWN_STDOUT:
        return posix_spawn_file_actions_adddup2(actions, STDOUT_FILENO, target);
    default:
        return posix_spawn_file_actions_adddup2(actions, source, target);
    }
}

int loopseal_spawn(int *pid, const char *path, char *const argv[], char *const envp[],
                   const char *directory, int in_fd, int out_fd, int err_fd) {
    posix_spawn_file_actions_t actions;
    posix_spawnattr_t attributes;
    int result = posix_spawn_file_actions_init(&actions);
    if (result != 0) return result;
    result = posix_spawnattr_init(&attributes);
    if (result != 0) {
        posix_spawn_file_actions_destroy(&actions);
        return result;
    }
    if (result == 0) result = redirect(&actions, in_fd, STDIN_FILENO);
    if (result == 0) result = redirect(&actions, out_fd, STDOUT_FILENO);
    if (result == 0) result = redirect(&actions, err_fd, STDERR_FILENO);
#ifdef __linux__
    if (result == 0 && directory != NULL) result = posix_spawn_file_actions_addchdir_np(&actions, directory);
    if (result == 0) result = posix_spawn_file_actions_addclosefrom_np(&actions, 3);
#else
    if (result == 0 && directory != NULL) result = ENOSYS;
#endif
    sigset_t empty, defaults;
    sigemptyset(&empty);
    sigfillset(&defaults);
    sigdelset(&defaults, SIGKILL);
    sigdelset(&defaults, SIGSTOP);
    if (result == 0) result = posix_spawnattr_setsigmask(&attributes, &empty);
    if (result == 0) result = posix_spawnattr_setsigdefault(&attributes, &defaults);
    if (result == 0) result = posix_spawnattr_setpgroup(&attributes, 0);
    if (result == 0) {
        result = posix_spawnattr_setflags(
            &attributes, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETPGROUP);
    }
    if (result == 0) {
        pid_t child = 0;
        result = posix_spawn(&child, path, &actions, &attributes, argv, envp != NULL ? envp : environ);
        if (result == 0) *pid = (int)child;
    }
    posix_spawnattr_destroy(&attributes);
    posix_spawn_file_actions_destroy(&actions);
    return result;
}
