{
  "targets": [
    {
      "target_name": "task_spawn",
      "sources": ["native/task_spawn.c"],
      "cflags": ["-std=gnu11", "-Wall", "-Wextra", "-O2"]
    }
  ]
}
