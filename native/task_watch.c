/*
 * Watching a started task on the event loop: its end through a pidfd, its stdout and stderr
 * read straight from their pipes. No Node stream per pipe: a task that prints nothing costs
 * three poll handles and one JS callback per event.
 *
 * onEvent(kind, a, b) is called on the loop thread:
 *   kind 1 (stdout) or 2 (stderr): a is a Buffer of output, or null once that pipe is closed
 *     (end of file, or a read error); null comes exactly once per pipe, and never after
 *     abandonOutput;
 *   kind 0 (end): the leader ended and was reaped, by pid (waitpid never takes -1, so libuv's
 *     own children are left alone): a is the exit code and b null, or a null and b the signal
 *     number. Once. A leader reaped by someone else is reported as exit code 255.
 * abandonOutput(handle) stops reading both pipes and closes them: for when something outside
 *   the task's process group still holds them. It is a no-op once both are closed.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>
#include <uv.h>
#include "napi_util.h"
#include "task_watch.h"

enum { EVENT_END = 0, EVENT_STDOUT = 1, EVENT_STDERR = 2 };

typedef struct handle_box handle_box;

typedef struct {
  uv_poll_t poll;
  int fd;    /* -1 once closed */
  int kind;  /* EVENT_STDOUT or EVENT_STDERR */
} pipe_reader;

/*
 * Owned by its poll handles: freed when the last of them is closed. JS holds a handle_box
 * (an external) that points here until then; the two clear each other's pointer, whichever
 * goes first.
 */
struct task_watch {
  uv_poll_t end_poll;
  pipe_reader out, err;
  napi_env env;
  napi_ref on_event;
  napi_async_context async;
  pid_t pid;
  int pidfd;
  int open_handles;
  handle_box *box;
};

struct handle_box {
  task_watch *watch;
};

static void release_handle(uv_handle_t *handle) {
  task_watch *w = handle->data;
  if (--w->open_handles > 0) return;
  if (w->box != NULL) w->box->watch = NULL;
  napi_handle_scope scope; /* close callbacks run outside any JS call */
  napi_open_handle_scope(w->env, &scope);
  napi_delete_reference(w->env, w->on_event);
  napi_async_destroy(w->env, w->async);
  napi_close_handle_scope(w->env, scope);
  free(w);
}

/* Calls onEvent(kind, a, b); a NULL a or b is passed as null. Needs an open handle scope. */
static void emit(task_watch *w, int kind, napi_value a, napi_value b) {
  napi_env env = w->env;
  napi_value cb, recv, argv[3], result;
  napi_create_int32(env, kind, &argv[0]);
  napi_value null;
  napi_get_null(env, &null);
  argv[1] = a != NULL ? a : null;
  argv[2] = b != NULL ? b : null;
  napi_get_reference_value(env, w->on_event, &cb);
  napi_get_global(env, &recv); /* make_callback wants an object as `this` */
  napi_make_callback(env, w->async, recv, cb, 3, argv, &result);
}

/*
 * Stops watching for the end: the handle is closed (which also takes the descriptor out of
 * libuv's poll set) and then the pidfd at once; the handle's memory goes later.
 */
static void close_end_poll(task_watch *w) {
  uv_close((uv_handle_t *)&w->end_poll, release_handle);
  close(w->pidfd);
  w->pidfd = -1;
}

/* Stops reading a pipe for good, in the same order: handle closed, descriptor closed at once. */
static void close_reader(pipe_reader *r) {
  if (r->fd < 0) return;
  uv_close((uv_handle_t *)&r->poll, release_handle);
  close(r->fd);
  r->fd = -1;
}

static void on_pipe_readable(uv_poll_t *handle, int status, int events) {
  static __thread char buf[65536]; /* one per event-loop thread (workers each have theirs); callbacks never nest */
  task_watch *w = handle->data;
  pipe_reader *r = (pipe_reader *)handle;
  (void)events;
  ssize_t n = status < 0 ? -1 : read(r->fd, buf, sizeof buf);
  if (n < 0 && status >= 0 && (errno == EAGAIN || errno == EINTR)) return;
  napi_handle_scope scope;
  napi_open_handle_scope(w->env, &scope);
  if (n > 0) {
    napi_value chunk;
    napi_create_buffer_copy(w->env, (size_t)n, buf, NULL, &chunk);
    emit(w, r->kind, chunk, NULL);
  } else {
    close_reader(r);
    emit(w, r->kind, NULL, NULL);
  }
  napi_close_handle_scope(w->env, scope);
}

/* The pidfd is readable once the leader has ended: reap it, then tell JS. */
static void on_end(uv_poll_t *handle, int status, int events) {
  task_watch *w = handle->data;
  int wstatus = 0;
  (void)status;
  (void)events;
  pid_t got;
  do got = waitpid(w->pid, &wstatus, WNOHANG);
  while (got < 0 && errno == EINTR);
  if (got == 0) return; /* not ended yet: keep polling */
  if (got < 0) wstatus = 255 << 8;
  close_end_poll(w);
  napi_handle_scope scope;
  napi_value code = NULL, signal = NULL;
  napi_open_handle_scope(w->env, &scope);
  if (WIFSIGNALED(wstatus)) napi_create_int32(w->env, WTERMSIG(wstatus), &signal);
  else napi_create_int32(w->env, WEXITSTATUS(wstatus), &code);
  emit(w, EVENT_END, code, signal);
  napi_close_handle_scope(w->env, scope);
}

static void finalize_box(napi_env env, void *data, void *hint) {
  handle_box *box = data;
  (void)env;
  (void)hint;
  if (box->watch != NULL) box->watch->box = NULL;
  free(box);
}

/* Initializes and starts one poll handle; an initialized handle counts as open even if starting fails. */
static int start_poll(uv_loop_t *loop, task_watch *w, uv_poll_t *poll, int fd, uv_poll_cb cb) {
  int rc = -uv_poll_init(loop, poll, fd);
  if (rc != 0) return rc;
  poll->data = w;
  w->open_handles++;
  return -uv_poll_start(poll, UV_READABLE, cb);
}

/* After a failed start: closes what was opened (handles and descriptors); w goes with its last handle. */
static void unwind(task_watch *w) {
  int opened = w->open_handles;
  if (opened >= 1) close_end_poll(w);
  else close(w->pidfd);
  if (opened >= 2) close_reader(&w->out);
  else close(w->out.fd);
  if (opened >= 3) close_reader(&w->err);
  else close(w->err.fd);
  if (opened > 0) return;
  napi_delete_reference(w->env, w->on_event);
  napi_async_destroy(w->env, w->async);
  free(w);
}

static int set_nonblocking(int fd) {
  int flags = fcntl(fd, F_GETFL);
  return flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0 ? errno : 0;
}

int watch_task(napi_env env, pid_t pid, int pidfd, int out_fd, int err_fd, napi_value on_event, napi_value *handle) {
  uv_loop_t *loop;
  napi_value name;
  task_watch *w = calloc(1, sizeof *w);
  handle_box *box = calloc(1, sizeof *box);
  int rc = w == NULL || box == NULL ? ENOMEM : 0;
  if (rc == 0) rc = set_nonblocking(out_fd);
  if (rc == 0) rc = set_nonblocking(err_fd);
  if (rc == 0 && (napi_get_uv_event_loop(env, &loop) != napi_ok || napi_create_string_utf8(env, "svcmgr:task", NAPI_AUTO_LENGTH, &name) != napi_ok)) rc = EINVAL;
  if (rc == 0 && napi_create_reference(env, on_event, 1, &w->on_event) != napi_ok) rc = EINVAL;
  if (rc == 0 && napi_async_init(env, NULL, name, &w->async) != napi_ok) {
    napi_delete_reference(env, w->on_event);
    rc = EINVAL;
  }
  if (rc != 0) {
    close(pidfd);
    close(out_fd);
    close(err_fd);
    free(w);
    free(box);
    return rc;
  }
  w->env = env;
  w->pid = pid;
  w->pidfd = pidfd;
  w->out = (pipe_reader){.fd = out_fd, .kind = EVENT_STDOUT};
  w->err = (pipe_reader){.fd = err_fd, .kind = EVENT_STDERR};
  rc = start_poll(loop, w, &w->end_poll, pidfd, on_end);
  if (rc == 0) rc = start_poll(loop, w, &w->out.poll, out_fd, on_pipe_readable);
  if (rc == 0) rc = start_poll(loop, w, &w->err.poll, err_fd, on_pipe_readable);
  if (rc == 0 && napi_create_external(env, box, finalize_box, NULL, handle) != napi_ok) rc = EINVAL;
  if (rc != 0) {
    unwind(w);
    free(box);
    return rc;
  }
  box->watch = w;
  w->box = box;
  return 0;
}

static napi_value abandon_output(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value arg;
  void *data = NULL;
  if (napi_get_cb_info(env, info, &argc, &arg, NULL, NULL) != napi_ok) return throw_last(env);
  if (argc < 1 || napi_get_value_external(env, arg, &data) != napi_ok || data == NULL) {
    napi_throw_type_error(env, NULL, "abandonOutput(handle from spawn)");
    return NULL;
  }
  task_watch *w = ((handle_box *)data)->watch;
  if (w != NULL) {
    close_reader(&w->out);
    close_reader(&w->err);
  }
  return NULL;
}

napi_status register_task_watch(napi_env env, napi_value exports) {
  return export_function(env, exports, "abandonOutput", abandon_output);
}
