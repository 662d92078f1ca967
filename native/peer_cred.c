/*
 * peerCred(fd) -> [pid, uid, gid]
 *   getsockopt(fd, SOL_SOCKET, SO_PEERCRED): who is at the other end of a connected Unix
 *   socket, as the kernel recorded it at connect(2) (it cannot be forged by the peer). Any
 *   failure throws the errno error (code such as EBADF, ENOTSOCK, ENOPROTOOPT for TCP).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sys/socket.h>
#include "napi_util.h"

static napi_value peer_cred(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value arg, result, item;
  int32_t fd = -1;
  if (napi_get_cb_info(env, info, &argc, &arg, NULL, NULL) != napi_ok) return throw_last(env);
  if (argc < 1 || napi_get_value_int32(env, arg, &fd) != napi_ok || fd < 0) {
    napi_throw_type_error(env, NULL, "peerCred(fd: number)");
    return NULL;
  }
  struct ucred cred;
  socklen_t len = sizeof cred;
  if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0) {
    napi_throw(env, errno_error(env, errno, "getsockopt"));
    return NULL;
  }
  const double values[3] = { (double)cred.pid, (double)cred.uid, (double)cred.gid };
  if (napi_create_array_with_length(env, 3, &result) != napi_ok) return throw_last(env);
  for (uint32_t i = 0; i < 3; i++) {
    if (napi_create_double(env, values[i], &item) != napi_ok || napi_set_element(env, result, i, item) != napi_ok) return throw_last(env);
  }
  return result;
}

napi_status register_peer_cred(napi_env env, napi_value exports) {
  return export_function(env, exports, "peerCred", peer_cred);
}
