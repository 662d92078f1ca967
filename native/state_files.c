/*
 * replaceFiles(paths: string[], contents: string[], mode: number) -> Promise<(Error | null)[]>
 *   Replaces each file so that readers see its old or its new content, never a torn one: the
 *   content (UTF-8) goes to `<path>.tmp-<pid>`, created with exactly `mode` whatever the umask
 *   and never through a symlink planted at that name (O_NOFOLLOW: the open fails), which is
 *   then renamed over `<path>`. Every file of a call is written in one libuv pool job, so a
 *   batch costs the event loop one hand-off however many files it holds. No fsync: these are
 *   convenience state files; the durable record of a run is the history database.
 *   The result has one entry per path, in order: null, or the errno error of the step that
 *   failed (`syscall` open, write, close or rename), with the temp file removed. The
 *   directories must exist. Files are written in order, so a path given twice ends with the
 *   later content. Bad argument types throw at once.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "napi_util.h"

typedef struct {
  char *path;
  char *data;
  size_t len;
  int err; /* 0, or the errno of the failed step */
  const char *failed_call;
} file_entry;

typedef struct {
  napi_async_work work;
  napi_deferred deferred;
  file_entry *files;
  uint32_t count;
  int mode;
} replace_job;

static void free_job(napi_env env, replace_job *job) {
  for (uint32_t i = 0; i < job->count; i++) {
    free(job->files[i].path);
    free(job->files[i].data);
  }
  free(job->files);
  if (job->work != NULL) napi_delete_async_work(env, job->work);
  free(job);
}

static int fail(file_entry *f, const char *call, int err) {
  f->err = err;
  f->failed_call = call;
  return -1;
}

static int write_all(int fd, const char *data, size_t len) {
  size_t done = 0;
  while (done < len) {
    ssize_t n = write(fd, data + done, len - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return -1;
    done += (size_t)n;
  }
  return 0;
}

/* On the pool thread: temp file, content, rename. Leaves no temp file behind on failure. */
static void replace_one(file_entry *f, int mode) {
  char tmp[PATH_MAX];
  if (snprintf(tmp, sizeof tmp, "%s.tmp-%d", f->path, (int)getpid()) >= (int)sizeof tmp) {
    fail(f, "open", ENAMETOOLONG);
    return;
  }
  int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, mode);
  if (fd < 0) {
    fail(f, "open", errno);
    return;
  }
  int rc = fchmod(fd, (mode_t)mode) < 0 ? fail(f, "fchmod", errno) : 0;
  if (rc == 0 && write_all(fd, f->data, f->len) < 0) rc = fail(f, "write", errno);
  if (close(fd) < 0 && rc == 0) rc = fail(f, "close", errno);
  if (rc == 0 && rename(tmp, f->path) < 0) rc = fail(f, "rename", errno);
  if (rc != 0) unlink(tmp);
}

static void replace_on_pool_thread(napi_env env, void *data) {
  replace_job *job = data;
  (void)env;
  for (uint32_t i = 0; i < job->count; i++) replace_one(&job->files[i], job->mode);
}

static void replace_done(napi_env env, napi_status status, void *data) {
  replace_job *job = data;
  napi_value result, item;
  napi_create_array_with_length(env, job->count, &result);
  for (uint32_t i = 0; i < job->count; i++) {
    file_entry *f = &job->files[i];
    if (status != napi_ok) item = errno_error(env, ECANCELED, "replaceFiles");
    else if (f->err != 0) item = errno_error(env, f->err, f->failed_call);
    else napi_get_null(env, &item);
    napi_set_element(env, result, i, item);
  }
  napi_resolve_deferred(env, job->deferred, result);
  free_job(env, job);
}

/* A JS string as UTF-8 bytes without a terminator (free it); false when it is not a string. */
static bool to_bytes(napi_env env, napi_value value, char **out, size_t *len) {
  if (napi_get_value_string_utf8(env, value, NULL, 0, len) != napi_ok) return false;
  if ((*out = malloc(*len + 1)) == NULL) return false;
  return napi_get_value_string_utf8(env, value, *out, *len + 1, len) == napi_ok;
}

static bool read_entries(napi_env env, napi_value paths, napi_value contents, replace_job *job) {
  uint32_t n = 0, m = 0;
  if (napi_get_array_length(env, paths, &n) != napi_ok || napi_get_array_length(env, contents, &m) != napi_ok || n != m) return false;
  if ((job->files = calloc(n == 0 ? 1 : n, sizeof *job->files)) == NULL) return false;
  job->count = n;
  for (uint32_t i = 0; i < n; i++) {
    napi_value path, content;
    file_entry *f = &job->files[i];
    if (napi_get_element(env, paths, i, &path) != napi_ok || (f->path = to_cstring(env, path)) == NULL) return false;
    if (napi_get_element(env, contents, i, &content) != napi_ok || !to_bytes(env, content, &f->data, &f->len)) return false;
  }
  return true;
}

static napi_value replace_files(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value args[3], promise;
  if (napi_get_cb_info(env, info, &argc, args, NULL, NULL) != napi_ok) return throw_last(env);
  replace_job *job = calloc(1, sizeof *job);
  if (job == NULL) {
    napi_throw(env, errno_error(env, ENOMEM, "calloc"));
    return NULL;
  }
  int32_t mode = 0;
  if (argc < 3 || !read_entries(env, args[0], args[1], job) || napi_get_value_int32(env, args[2], &mode) != napi_ok ||
      create_promise_work(env, "svcmgr:replaceFiles", replace_on_pool_thread, replace_done, job, &job->work, &job->deferred, &promise) != napi_ok) {
    free_job(env, job);
    napi_throw_type_error(env, NULL, "replaceFiles(paths: string[], contents: string[], mode: number), as many contents as paths");
    return NULL;
  }
  job->mode = mode & 07777;
  if (!queue_promise_work(env, job->work, job->deferred)) free_job(env, job);
  return promise;
}

napi_status register_state_files(napi_env env, napi_value exports) {
  return export_function(env, exports, "replaceFiles", replace_files);
}
