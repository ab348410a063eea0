#define _GNU_SOURCE
#include "CShims.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

/// Attributes for a child with default signal dispositions and an empty mask, plus
/// `extra_flags`; file actions that close every descriptor above 2. 0 or an errno value.
static int spawn_defaults(posix_spawnattr_t *attr, posix_spawn_file_actions_t *actions, short extra_flags) {
  sigset_t all, none;
  int rc;

  sigfillset(&all);
  sigemptyset(&none);
  if ((rc = posix_spawnattr_init(attr)) != 0) return rc;
  if ((rc = posix_spawn_file_actions_init(actions)) != 0) {
    posix_spawnattr_destroy(attr);
    return rc;
  }
  posix_spawnattr_setflags(attr, POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK | extra_flags);
  posix_spawnattr_setsigdefault(attr, &all);
  posix_spawnattr_setsigmask(attr, &none);
  return 0;
}

int djdash_spawn(const char *directory, char *const argv[], char *const envp[],
                 int stdout_fd, int stderr_fd, pid_t *pid) {
  posix_spawnattr_t attr;
  posix_spawn_file_actions_t actions;
  int rc;

  if ((rc = spawn_defaults(&attr, &actions, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_USEVFORK)) != 0) return rc;
  posix_spawnattr_setpgroup(&attr, 0);

  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, stdout_fd, 1);
  posix_spawn_file_actions_adddup2(&actions, stderr_fd, 2);
  posix_spawn_file_actions_addclosefrom_np(&actions, 3);
  if (directory != NULL) posix_spawn_file_actions_addchdir_np(&actions, directory);

  rc = posix_spawnp(pid, argv[0], &actions, &attr, argv, envp);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  return rc;
}

int djdash_spawn_detached(const char *directory, char *const argv[], const char *log_path, pid_t *pid) {
  posix_spawnattr_t attr;
  posix_spawn_file_actions_t actions;
  extern char **environ;
  int rc;

  if ((rc = spawn_defaults(&attr, &actions, POSIX_SPAWN_SETSID)) != 0) return rc;
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, log_path, O_WRONLY | O_CREAT | O_APPEND, 0600);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  posix_spawn_file_actions_addclosefrom_np(&actions, 3);
  if (directory != NULL) posix_spawn_file_actions_addchdir_np(&actions, directory);

  rc = posix_spawnp(pid, argv[0], &actions, &attr, argv, environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  return rc;
}

int djdash_pipe(int fds[2]) { return pipe2(fds, O_CLOEXEC | O_NONBLOCK); }

int djdash_unix_listen(const char *path) {
  struct sockaddr_un address;
  int fd;

  if (strlen(path) >= sizeof(address.sun_path)) {
    errno = ENAMETOOLONG;
    return -1;
  }
  fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0) return -1;
  memset(&address, 0, sizeof(address));
  address.sun_family = AF_UNIX;
  strcpy(address.sun_path, path);
  if (bind(fd, (struct sockaddr *)&address, sizeof(address)) != 0 || listen(fd, 64) != 0) {
    int saved = errno;
    close(fd);
    errno = saved;
    return -1;
  }
  return fd;
}

int djdash_accept(int listener) { return accept4(listener, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK); }

int djdash_unix_connect(const char *path) {
  struct sockaddr_un address;
  int fd;

  if (strlen(path) >= sizeof(address.sun_path)) {
    errno = ENAMETOOLONG;
    return -1;
  }
  fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  memset(&address, 0, sizeof(address));
  address.sun_family = AF_UNIX;
  strcpy(address.sun_path, path);
  if (connect(fd, (struct sockaddr *)&address, sizeof(address)) != 0 ||
      fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) != 0) {
    int saved = errno;
    close(fd);
    errno = saved;
    return -1;
  }
  return fd;
}

int djdash_become_subreaper(void) { return prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0); }

static void fill(sigset_t *set, const int *signals) {
  sigemptyset(set);
  for (; *signals != 0; signals++) sigaddset(set, *signals);
}

int djdash_signalfd(const int *signals) {
  sigset_t set;
  fill(&set, signals);
  if (pthread_sigmask(SIG_BLOCK, &set, NULL) != 0) return -1;
  return signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
}

int djdash_read_signal(int fd) {
  struct signalfd_siginfo info;
  ssize_t n = read(fd, &info, sizeof(info));
  return n == (ssize_t)sizeof(info) ? (int)info.ssi_signo : 0;
}

void djdash_block(const int *signals) {
  sigset_t set;
  fill(&set, signals);
  pthread_sigmask(SIG_BLOCK, &set, NULL);
}

void djdash_unblock(const int *signals) {
  sigset_t set;
  fill(&set, signals);
  pthread_sigmask(SIG_UNBLOCK, &set, NULL);
}

#include <sys/syscall.h>

int djdash_pidfd_open(pid_t pid) { return (int)syscall(SYS_pidfd_open, pid, 0); }

int djdash_spawn_foreground(char *const argv[], pid_t *pid) {
  posix_spawnattr_t attr;
  posix_spawn_file_actions_t actions;
  int rc;

  if ((rc = spawn_defaults(&attr, &actions, 0)) != 0) return rc;
  posix_spawn_file_actions_addclosefrom_np(&actions, 3);
  rc = posix_spawnp(pid, argv[0], &actions, &attr, argv, environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  return rc;
}
