{
  "targets": [
    {
      "target_name": "svcmgr_native",
      "sources": ["native/addon.c", "native/napi_util.c", "native/task_spawn.c", "native/task_watch.c", "native/file_lock.c", "native/state_files.c", "native/peer_cred.c"],
      "cflags": ["-std=gnu11", "-Wall", "-Wextra", "-O2"]
    }
  ]
}
