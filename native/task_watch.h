/* Watching a started task on the event loop (task_watch.c). */
#ifndef SVCMGR_TASK_WATCH_H
#define SVCMGR_TASK_WATCH_H
#include <node_api.h>
#include <sys/types.h>

typedef struct task_watch task_watch;

/*
 * Watches the task led by `pid`: its end through `pidfd`, its output from the read ends of its
 * stdout and stderr pipes (made non-blocking here), reported to `on_event` (see task_watch.c).
 * Returns 0 and, in *handle, the value JS passes to abandonOutput; or an errno value. Either
 * way the three descriptors now belong to the watch (on failure they are already closed).
 */
int watch_task(napi_env env, pid_t pid, int pidfd, int out_fd, int err_fd, napi_value on_event, napi_value *handle);

#endif
