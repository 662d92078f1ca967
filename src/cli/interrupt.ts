import type { Output } from "../core/output.js";

/** The signals that ask a `run` to stop: Ctrl-C, `kill`/`timeout`/systemd, a closed terminal. */
const STOP_SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"] as const;
/** Their numbers (the same on every Linux architecture), for the shell's 128 + N exit status. */
const SIGNAL_NUMBER: Readonly<Record<(typeof STOP_SIGNALS)[number], number>> = { SIGHUP: 1, SIGINT: 2, SIGTERM: 15 };

export interface Interrupt {
  /** Aborts at the first stop signal: the pipeline stops the running tasks, no other one starts. */
  readonly signal: AbortSignal;
  /** 128 + the signal's number once one came (130 for SIGINT), else null. */
  exitCode(): number | null;
  /** Gives the signals back to Node's defaults. */
  stop(): void;
}

/**
 * While `run` runs tasks, a stop signal must not kill svcmgr on the spot: its tasks run in
 * sessions of their own, so they would go on unwatched and their records stay `running`.
 * The first signal aborts the run instead (each running task's process group gets SIGTERM,
 * then SIGKILL after the grace, and is recorded as aborted); later ones are only noted.
 */
export function interruptOnSignals(stderr: Output): Interrupt {
  const controller = new AbortController();
  let received: (typeof STOP_SIGNALS)[number] | null = null;
  const onSignal = (sig: (typeof STOP_SIGNALS)[number]) => {
    if (received !== null) return stderr.write(`svcmgr: ${sig}: already stopping the running tasks\n`);
    received = sig;
    stderr.write(`svcmgr: ${sig}: stopping the running tasks\n`);
    controller.abort(new Error(`interrupted by ${sig}`));
  };
  for (const sig of STOP_SIGNALS) process.on(sig, onSignal);
  return {
    signal: controller.signal,
    exitCode: () => (received === null ? null : 128 + SIGNAL_NUMBER[received]),
    stop: () => {
      for (const sig of STOP_SIGNALS) process.off(sig, onSignal);
    },
  };
}
