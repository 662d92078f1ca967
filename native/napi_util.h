/* N-API helpers shared by svcmgr's native functions (napi_util.c). */
#ifndef SVCMGR_NAPI_UTIL_H
#define SVCMGR_NAPI_UTIL_H
#include <node_api.h>
#include <stdbool.h>

/* Throws a generic error unless one is already pending; returns NULL for the caller to return. */
napi_value throw_last(napi_env env);
/* An Error like Node's system errors: message "syscall: text", code (errno name), errno, syscall. */
napi_value errno_error(napi_env env, int err, const char *syscall);
/* A JS string as a new NUL-terminated UTF-8 string (free it), or NULL when it is not a string. */
char *to_cstring(napi_env env, napi_value value);
/* A JS array of strings as a NULL-terminated list (free_strings it), or NULL on a bad element. */
char **to_cstring_list(napi_env env, napi_value array);
void free_strings(char **list);

/* exports[name] = a JS function calling `cb`. */
napi_status export_function(napi_env env, napi_value exports, const char *name, napi_callback cb);
/*
 * A promise settled by pool work: `execute` runs on a libuv pool thread, then `complete` on
 * the loop thread, which settles *deferred. Sets *work, *deferred and *promise.
 */
napi_status create_promise_work(napi_env env, const char *name, napi_async_execute_callback execute, napi_async_complete_callback complete, void *data,
                                napi_async_work *work, napi_deferred *deferred, napi_value *promise);
/* Queues the work; when it cannot be, rejects the promise and returns false (the caller then frees its job). */
bool queue_promise_work(napi_env env, napi_async_work work, napi_deferred deferred);

/* Each part of the addon adds its functions to the module's exports. */
napi_status register_task_spawn(napi_env env, napi_value exports);
napi_status register_task_watch(napi_env env, napi_value exports);
napi_status register_file_lock(napi_env env, napi_value exports);
napi_status register_state_files(napi_env env, napi_value exports);
napi_status register_peer_cred(napi_env env, napi_value exports);

#endif
