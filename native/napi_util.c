/* N-API helpers shared by svcmgr's native functions. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>
#include "napi_util.h"

napi_value throw_last(napi_env env) {
  bool pending = false;
  napi_is_exception_pending(env, &pending);
  if (!pending) napi_throw_error(env, NULL, "task_spawn: N-API call failed");
  return NULL;
}

/* An Error like Node's system errors: message "syscall: text", code (errno name), errno, syscall. */
napi_value errno_error(napi_env env, int err, const char *syscall) {
  napi_value code, msg, error, num, sys;
  char text[256];
  const char *name = uv_err_name(-err);
  snprintf(text, sizeof text, "%s: %s", syscall, strerror(err));
  napi_create_string_utf8(env, name, NAPI_AUTO_LENGTH, &code);
  napi_create_string_utf8(env, text, NAPI_AUTO_LENGTH, &msg);
  napi_create_error(env, code, msg, &error);
  napi_create_int32(env, err, &num);
  napi_set_named_property(env, error, "errno", num);
  napi_create_string_utf8(env, syscall, NAPI_AUTO_LENGTH, &sys);
  napi_set_named_property(env, error, "syscall", sys);
  return error;
}

/* A JS string as a new NUL-terminated UTF-8 string (free it), or NULL when it is not a string. */
char *to_cstring(napi_env env, napi_value value) {
  size_t len = 0;
  if (napi_get_value_string_utf8(env, value, NULL, 0, &len) != napi_ok) return NULL;
  char *s = malloc(len + 1);
  if (s == NULL) return NULL;
  napi_get_value_string_utf8(env, value, s, len + 1, &len);
  return s;
}

void free_strings(char **list) {
  if (list == NULL) return;
  for (char **p = list; *p != NULL; p++) free(*p);
  free(list);
}

/* A JS array of strings as a NULL-terminated list (free_strings it), or NULL on a bad element. */
char **to_cstring_list(napi_env env, napi_value array) {
  uint32_t n = 0;
  if (napi_get_array_length(env, array, &n) != napi_ok) return NULL;
  char **list = calloc(n + 1, sizeof *list);
  if (list == NULL) return NULL;
  for (uint32_t i = 0; i < n; i++) {
    napi_value item;
    if (napi_get_element(env, array, i, &item) != napi_ok || (list[i] = to_cstring(env, item)) == NULL) {
      free_strings(list);
      return NULL;
    }
  }
  return list;
}

napi_status export_function(napi_env env, napi_value exports, const char *name, napi_callback cb) {
  napi_value fn;
  napi_status st = napi_create_function(env, name, NAPI_AUTO_LENGTH, cb, NULL, &fn);
  return st != napi_ok ? st : napi_set_named_property(env, exports, name, fn);
}

napi_status create_promise_work(napi_env env, const char *name, napi_async_execute_callback execute, napi_async_complete_callback complete, void *data,
                                napi_async_work *work, napi_deferred *deferred, napi_value *promise) {
  napi_value resource_name;
  napi_status st = napi_create_string_utf8(env, name, NAPI_AUTO_LENGTH, &resource_name);
  if (st == napi_ok) st = napi_create_async_work(env, NULL, resource_name, execute, complete, data, work);
  if (st == napi_ok) st = napi_create_promise(env, deferred, promise);
  return st;
}

bool queue_promise_work(napi_env env, napi_async_work work, napi_deferred deferred) {
  if (napi_queue_async_work(env, work) == napi_ok) return true;
  napi_reject_deferred(env, deferred, errno_error(env, EAGAIN, "napi_queue_async_work"));
  return false;
}
