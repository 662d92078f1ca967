/*
 * tryLock(fd) -> boolean
 *   flock(fd, LOCK_EX | LOCK_NB): true when this open file now holds the exclusive lock, false
 *   when another open file holds it. The lock goes when the descriptor is closed or its holder
 *   dies, so a lock can never be left behind. Any other failure throws the errno error
 *   (code such as EBADF, ENOLCK).
 */
#include <errno.h>
#include <sys/file.h>
#include "napi_util.h"

static napi_value try_lock(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value arg, result;
  int32_t fd = -1;
  if (napi_get_cb_info(env, info, &argc, &arg, NULL, NULL) != napi_ok) return throw_last(env);
  if (argc < 1 || napi_get_value_int32(env, arg, &fd) != napi_ok || fd < 0) {
    napi_throw_type_error(env, NULL, "tryLock(fd: number)");
    return NULL;
  }
  int rc;
  do rc = flock(fd, LOCK_EX | LOCK_NB);
  while (rc < 0 && errno == EINTR);
  if (rc < 0 && errno != EWOULDBLOCK) {
    napi_throw(env, errno_error(env, errno, "flock"));
    return NULL;
  }
  if (napi_get_boolean(env, rc == 0, &result) != napi_ok) return throw_last(env);
  return result;
}

napi_status register_file_lock(napi_env env, napi_value exports) {
  return export_function(env, exports, "tryLock", try_lock);
}
