#ifndef DJDASH_CSHIMS_H
#define DJDASH_CSHIMS_H

#include <sys/types.h>

/// Spawns `argv[0]` (looked up in PATH) in a new process group with default signal
/// dispositions, an empty signal mask, stdin from /dev/null, stdout and stderr on the
/// given descriptors and every other descriptor closed. Returns 0 or an errno value.
int djdash_spawn(const char *directory, char *const argv[], char *const envp[],
                 int stdout_fd, int stderr_fd, pid_t *pid);

/// Spawns `argv[0]` (looked up in PATH) on the terminal, in djdash's own process group,
/// with default signal dispositions and an empty mask: for the user's editor.
/// Returns 0 or an errno value.
int djdash_spawn_foreground(char *const argv[], pid_t *pid);

/// Spawns `argv[0]` (looked up in PATH) in a session of its own, detached from the
/// terminal: stdin from /dev/null, stdout and stderr appended to `log_path`, every other
/// descriptor closed, default signal dispositions. Returns 0 or an errno value.
int djdash_spawn_detached(const char *directory, char *const argv[], const char *log_path, pid_t *pid);

/// Creates a close-on-exec, non-blocking pipe. Returns 0 or -1 with errno set.
int djdash_pipe(int fds[2]);

/// A non-blocking, close-on-exec Unix stream socket listening at `path`; -1 on error.
int djdash_unix_listen(const char *path);

/// Accepts one connection as a non-blocking, close-on-exec descriptor; -1 on error.
int djdash_accept(int listener);

/// Connects to the Unix stream socket at `path`: a non-blocking, close-on-exec
/// descriptor once connected; -1 on error (errno ENOENT or ECONNREFUSED when nobody listens).
int djdash_unix_connect(const char *path);

/// Makes this process a child subreaper, so orphaned runner workers become its children.
int djdash_become_subreaper(void);

/// Blocks `signals` (a list ended by 0) in the calling thread and returns a
/// non-blocking signalfd that reports them; -1 on error.
int djdash_signalfd(const int *signals);

/// Reads one signal number from a signalfd; 0 when none is pending.
int djdash_read_signal(int fd);

/// Blocks `signals` (a list ended by 0) in the calling thread; threads created later
/// inherit the mask.
void djdash_block(const int *signals);

/// Restores the signal mask in the calling thread for `signals` (a list ended by 0).
void djdash_unblock(const int *signals);



/// A pidfd for `pid` (readable once the process exits), close-on-exec; -1 on error.
int djdash_pidfd_open(pid_t pid);
#endif
