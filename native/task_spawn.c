/*
 * spawn: start a task process with vfork (task_watch.c then watches it on the event loop).
 *
 * Node's child_process forks the whole agent for every task; a fork copies the page tables of
 * the agent's heap and every page the agent writes afterwards faults once more. A vfork child
 * shares the memory until exec instead, so starting a task costs the same whatever the
 * agent's size. (glibc's posix_spawn would do the same but leaves its two internal signals
 * ignored in the new program; this child resets every signal, as Node's fork path does.)
 *
 * spawn(file, argv, envp, cwd, onEvent, cgroupProcs?) -> Promise<[pid, startTime, handle]>
 *   cgroupProcs: cgroup.procs files (at most MAX_CGROUP_FILES) the child writes itself into
 *   ("0") first of all, before exec: every process of the task then starts in that cgroup, with
 *   no window in which it could leave it. A file that cannot be opened or written fails the spawn.
 *   The child runs `file` with argv and exactly envp, in cwd, in a new session (its pid is its
 *   process group), stdin on /dev/null, stdout and stderr on two new pipes, and no other
 *   descriptor: every one above 2 is closed, even one the agent inherited without
 *   close-on-exec (it must not cross the switch to the task's user). Every signal has
 *   its default disposition and none is blocked in the child. startTime is the child's
 *   /proc/<pid>/stat field 22 (clock ticks since boot), read on the pool thread, or null when
 *   unreadable.
 *   The file is exec'd as given; one that the kernel cannot run (no #! and no binary header)
 *   is run by /bin/sh, as execvp and so Node's child_process do.
 *   The child's output and end are reported to onEvent, and `handle` serves abandonOutput
 *   (task_watch.c).
 *   When nothing could be started, the promise rejects with an Error with `code` (an errno
 *   name such as "ENOENT"), `errno` and `syscall`; no descriptor or handle is left open.
 *   Bad argument types throw at once.
 * spawnSupported: false when the kernel has no pidfd (Linux < 5.3); spawn must not be called then.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <node_api.h>
#include "napi_util.h"
#include "task_watch.h"
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <uv.h>

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#ifndef SYS_close_range
#define SYS_close_range 436
#endif

/* getdents64's record (not in glibc's headers before 2.30). */
struct linux_dirent64 {
  uint64_t d_ino;
  int64_t d_off;
  unsigned short d_reclen;
  unsigned char d_type;
  char d_name[];
};


static void close_pair(int fds[2]) {
  if (fds[0] >= 0) close(fds[0]);
  if (fds[1] >= 0) close(fds[1]);
  fds[0] = fds[1] = -1;
}

/* The kernel's struct sigaction (x86_64 and arm64 layout): glibc's wrapper refuses its own signals 32 and 33. */
struct kernel_sigaction {
  void (*handler)(int);
  unsigned long flags;
  void (*restorer)(void);
  uint64_t mask;
};

#define MAX_CGROUP_FILES 8

/* What the child needs, prepared before vfork: the child allocates nothing. */
typedef struct {
  int cgroup_fds[MAX_CGROUP_FILES]; /* -1: unused */
  const char *file;
  char **argv;
  char **envp;
  const char *cwd;
  char **sh_argv; /* execvp's fallback for a file without #! or binary header: sh file args… */
  int out, err;
} child_plan;

/* A descriptor number from /proc/self/fd, or -1 for "." and "..". */
static int fd_of_name(const char *name) {
  int fd = 0;
  if (*name == '\0') return -1;
  for (; *name != '\0'; name++) {
    if (*name < '0' || *name > '9') return -1;
    fd = fd * 10 + (*name - '0');
  }
  return fd;
}

/*
 * Closes every descriptor above 2. close_range (Linux 5.9); before it, the ones listed in
 * /proc/self/fd, read into the stack (the vfork child must not allocate). Returns 0 or -1.
 */
static int close_above_stderr(void) {
  if (syscall(SYS_close_range, 3, ~0U, 0) == 0) return 0;
  int dir = open("/proc/self/fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir < 0) return -1;
  char buf[512] __attribute__((aligned(8)));
  long n;
  while ((n = syscall(SYS_getdents64, dir, buf, sizeof buf)) > 0) {
    for (long at = 0; at < n; at += ((struct linux_dirent64 *)(buf + at))->d_reclen) {
      int fd = fd_of_name(((struct linux_dirent64 *)(buf + at))->d_name);
      if (fd > 2 && fd != dir) close(fd);
    }
  }
  close(dir);
  return n < 0 ? -1 : 0;
}

/*
 * Runs in the vfork child, on the parent's memory and stack, while the parent thread waits:
 * system calls only, no allocation, no lock; never returns. On failure it leaves errno in
 * *error for the parent and exits 127.
 */
__attribute__((noreturn, noinline)) static void exec_child(const child_plan *plan, volatile int *error) {
  struct kernel_sigaction dfl = {SIG_DFL, 0, NULL, 0};
  uint64_t none = 0;
  for (int sig = 1; sig < 65; sig++)
    if (sig != SIGKILL && sig != SIGSTOP) syscall(SYS_rt_sigaction, sig, &dfl, NULL, sizeof none);
  for (int i = 0; i < MAX_CGROUP_FILES; i++)
    if (plan->cgroup_fds[i] >= 0 && write(plan->cgroup_fds[i], "0", 1) != 1) goto fail;
  int devnull = -1;
  if (setsid() < 0 || (devnull = open("/dev/null", O_RDONLY | O_CLOEXEC)) < 0) goto fail;
  if (dup2(devnull, 0) < 0 || dup2(plan->out, 1) < 0 || dup2(plan->err, 2) < 0) goto fail;
  if (close_above_stderr() < 0) goto fail;
  if (chdir(plan->cwd) < 0) goto fail;
  syscall(SYS_rt_sigprocmask, SIG_SETMASK, &none, NULL, sizeof none);
  execve(plan->file, plan->argv, plan->envp);
  if (errno == ENOEXEC) {
    execve("/bin/sh", plan->sh_argv, plan->envp);
    errno = ENOEXEC;
  }
fail:
  *error = errno;
  _exit(127);
}

/* sh file argv[1]…: a list that borrows argv's strings (free only the list). */
static char **shell_argv(const char *file, char **argv) {
  size_t n = 0;
  while (argv[n] != NULL) n++;
  char **list = calloc(n + 2, sizeof *list);
  if (list == NULL) return NULL;
  list[0] = "/bin/sh";
  list[1] = (char *)file;
  for (size_t i = 1; i < n; i++) list[i + 1] = argv[i];
  return list;
}

/*
 * vfork with every signal blocked (glibc's own included, hence the raw system call), so no
 * handler of the agent ever runs in the child; the child resets them all before unblocking.
 * Returns 0 and the pid, or an errno value with the child (if any) reaped.
 */
static int vfork_exec(const child_plan *plan, pid_t *pid) {
  uint64_t all = ~(uint64_t)0, saved = 0;
  volatile int error = 0;
  syscall(SYS_rt_sigprocmask, SIG_SETMASK, &all, &saved, sizeof all);
  pid_t child = vfork();
  if (child == 0) exec_child(plan, &error);
  int fork_errno = errno;
  syscall(SYS_rt_sigprocmask, SIG_SETMASK, &saved, NULL, sizeof saved);
  if (child < 0) return fork_errno;
  if (error != 0) {
    while (waitpid(child, NULL, 0) < 0 && errno == EINTR) {
    }
    return error;
  }
  *pid = child;
  return 0;
}

/* Opens the cgroup.procs files for writing (close-on-exec); returns 0 or an errno value, with none left open. */
static int open_cgroup_files(char **paths, int fds[MAX_CGROUP_FILES]) {
  for (int i = 0; i < MAX_CGROUP_FILES; i++) fds[i] = -1;
  for (int i = 0; paths != NULL && paths[i] != NULL; i++) {
    if (i == MAX_CGROUP_FILES) return E2BIG;
    fds[i] = open(paths[i], O_WRONLY | O_CLOEXEC);
    if (fds[i] < 0) return errno;
  }
  return 0;
}

static void close_cgroup_files(int fds[MAX_CGROUP_FILES]) {
  for (int i = 0; i < MAX_CGROUP_FILES; i++)
    if (fds[i] >= 0) close(fds[i]);
}

/* Pipes, then the child, with the contract above; returns 0 or an errno value. */
static int start_child(const char *file, char **argv, char **envp, const char *cwd, char **cgroup_procs, int out[2], int err[2], pid_t *pid) {
  int rc = 0;
  char **sh_argv = shell_argv(file, argv);
  if (sh_argv == NULL) return ENOMEM;
  child_plan plan = {.file = file, .argv = argv, .envp = envp, .cwd = cwd, .sh_argv = sh_argv};
  rc = open_cgroup_files(cgroup_procs, plan.cgroup_fds);
  if (rc == 0 && (pipe2(out, O_CLOEXEC) != 0 || pipe2(err, O_CLOEXEC) != 0)) rc = errno;
  if (rc == 0) {
    plan.out = out[1];
    plan.err = err[1];
    rc = vfork_exec(&plan, pid);
  }
  close_cgroup_files(plan.cgroup_fds);
  free(sh_argv);
  if (out[1] >= 0) close(out[1]);
  if (err[1] >= 0) close(err[1]);
  out[1] = err[1] = -1;
  if (rc != 0) {
    close_pair(out);
    close_pair(err);
  }
  return rc;
}

/*
 * One spawn in flight. The vfork runs on a libuv pool thread: only that thread waits for the
 * child to reach exec, the event loop goes on. Everything else (pidfd, poll handle, JS values)
 * happens on the loop thread, in spawn() and spawn_done().
 */
typedef struct {
  napi_async_work work;
  napi_deferred deferred;
  napi_ref on_event;
  char *file, *cwd;
  char **argv, **envp, **cgroup_procs; /* cgroup_procs: NULL when none */
  int out[2], err[2];
  pid_t pid;
  long long start_time; /* -1: unknown */
  int rc;
} spawn_job;

static void free_job(napi_env env, spawn_job *job) {
  free(job->file);
  free(job->cwd);
  free_strings(job->argv);
  free_strings(job->envp);
  if (job->cgroup_procs != NULL) free_strings(job->cgroup_procs);
  if (job->on_event != NULL) napi_delete_reference(env, job->on_event);
  if (job->work != NULL) napi_delete_async_work(env, job->work);
  free(job);
}

/* Field 22 of /proc/<pid>/stat (start time in clock ticks since boot), or -1. The command
   (field 2) may hold spaces and ')': fields are counted from the last ')'. */
static long long process_start_time(pid_t pid) {
  char path[64], buf[1024];
  snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  ssize_t n;
  do n = read(fd, buf, sizeof buf - 1);
  while (n < 0 && errno == EINTR);
  close(fd);
  if (n <= 0) return -1;
  buf[n] = '\0';
  char *p = strrchr(buf, ')');
  for (int field = 2; p != NULL && field < 22; field++) {
    p = strchr(p + 1, ' ');
  }
  if (p == NULL) return -1;
  char *end;
  long long value = strtoll(p + 1, &end, 10);
  return end == p + 1 ? -1 : value;
}

static void spawn_on_pool_thread(napi_env env, void *data) {
  spawn_job *job = data;
  (void)env;
  job->rc = start_child(job->file, job->argv, job->envp, job->cwd, job->cgroup_procs, job->out, job->err, &job->pid);
  job->start_time = job->rc == 0 ? process_start_time(job->pid) : -1;
}

/* Watches the new child, then settles the promise: [pid, startTime, handle] or the errno error. */
static void spawn_done(napi_env env, napi_status status, void *data) {
  spawn_job *job = data;
  napi_value on_event, handle, result, value;
  int rc = status == napi_ok ? job->rc : ECANCELED;
  const char *failed_call = "spawn";
  if (rc == 0) {
    int pidfd = (int)syscall(SYS_pidfd_open, job->pid, 0);
    if (pidfd < 0) {
      rc = errno;
      failed_call = "pidfd_open";
      close_pair(job->out);
      close_pair(job->err);
    } else {
      failed_call = "uv_poll_start";
      rc = napi_get_reference_value(env, job->on_event, &on_event) != napi_ok ? EINVAL : watch_task(env, job->pid, pidfd, job->out[0], job->err[0], on_event, &handle);
      job->out[0] = job->err[0] = -1; /* the watch owns them now, even on failure */
    }
    if (rc != 0) {
      /* Unwatched, the child could never be reported: end it before it does anything. */
      kill(-job->pid, SIGKILL);
      while (waitpid(job->pid, NULL, 0) < 0 && errno == EINTR) {
      }
    }
  }
  if (rc != 0) {
    napi_reject_deferred(env, job->deferred, errno_error(env, rc, failed_call));
  } else {
    napi_create_array_with_length(env, 3, &result);
    napi_create_int32(env, job->pid, &value);
    napi_set_element(env, result, 0, value);
    if (job->start_time < 0) napi_get_null(env, &value);
    else napi_create_double(env, (double)job->start_time, &value);
    napi_set_element(env, result, 1, value);
    napi_set_element(env, result, 2, handle);
    napi_resolve_deferred(env, job->deferred, result);
  }
  free_job(env, job);
}

static napi_value spawn(napi_env env, napi_callback_info info) {
  size_t argc = 6;
  napi_value args[6], promise;
  if (napi_get_cb_info(env, info, &argc, args, NULL, NULL) != napi_ok) return throw_last(env);
  if (argc < 5) {
    napi_throw_type_error(env, NULL, "spawn(file, argv, envp, cwd, onEvent)");
    return NULL;
  }
  spawn_job *job = calloc(1, sizeof *job);
  if (job == NULL) {
    napi_throw(env, errno_error(env, ENOMEM, "calloc"));
    return NULL;
  }
  job->out[0] = job->out[1] = job->err[0] = job->err[1] = -1;
  job->file = to_cstring(env, args[0]);
  job->argv = to_cstring_list(env, args[1]);
  job->envp = to_cstring_list(env, args[2]);
  job->cwd = to_cstring(env, args[3]);
  napi_valuetype cgroup_type = napi_undefined;
  if (argc >= 6) napi_typeof(env, args[5], &cgroup_type);
  bool cgroup_ok = cgroup_type == napi_undefined || cgroup_type == napi_null || (job->cgroup_procs = to_cstring_list(env, args[5])) != NULL;
  if (!cgroup_ok || !job->file || !job->argv || !job->envp || !job->cwd || napi_create_reference(env, args[4], 1, &job->on_event) != napi_ok ||
      create_promise_work(env, "svcmgr:spawn", spawn_on_pool_thread, spawn_done, job, &job->work, &job->deferred, &promise) != napi_ok) {
    free_job(env, job);
    napi_throw_type_error(env, NULL, "spawn(file: string, argv: string[], envp: string[], cwd: string, onEvent: function, cgroupProcs?: string[])");
    return NULL;
  }
  if (!queue_promise_work(env, job->work, job->deferred)) free_job(env, job);
  return promise;
}

static bool pidfd_available(void) {
  int fd = (int)syscall(SYS_pidfd_open, getpid(), 0);
  if (fd < 0) return false;
  close(fd);
  return true;
}

/* Adds spawn and spawnSupported to the module's exports. */
napi_status register_task_spawn(napi_env env, napi_value exports) {
  napi_value flag;
  napi_status st;
  if ((st = export_function(env, exports, "spawn", spawn)) != napi_ok) return st;
  if ((st = napi_get_boolean(env, pidfd_available(), &flag)) != napi_ok) return st;
  return napi_set_named_property(env, exports, "spawnSupported", flag);
}
