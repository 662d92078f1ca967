/*
 * svcmgr's native addon: what Node's own API cannot do cheaply for the agent.
 *   task_spawn.c   starting a task process with vfork
 *   task_watch.c   its end (through a pidfd) and its output (read from its pipes), on the event loop
 *   file_lock.c    flock(2), for locks the kernel releases when their holder dies
 *   state_files.c  replacing small state files (temp + rename) in one thread-pool job
 *   peer_cred.c    the uid at the other end of a Unix socket (SO_PEERCRED), for the API
 */
#include "napi_util.h"

NAPI_MODULE_INIT() {
  if (register_task_spawn(env, exports) != napi_ok) return NULL;
  if (register_task_watch(env, exports) != napi_ok) return NULL;
  if (register_file_lock(env, exports) != napi_ok) return NULL;
  if (register_state_files(env, exports) != napi_ok) return NULL;
  if (register_peer_cred(env, exports) != napi_ok) return NULL;
  return exports;
}
