import type { Clock, Prompter, ProcessRunner, UserDb } from "./ports.js";
import type { Paths } from "./paths.js";
import type { Output } from "./output.js";

/**
 * Everything a command needs from the outside world, built once by the composition root
 * (platform/create-app.ts) and passed down explicitly. Nothing below reads globals.
 */
export interface App {
  readonly paths: Paths;
  readonly clock: Clock;
  readonly users: UserDb;
  readonly runner: ProcessRunner;
  readonly prompter: Prompter;
  readonly stdout: Output;
  readonly stderr: Output;
  /** This host's name, for `nodes` membership, scoping and references. */
  readonly nodename: string;
  /** Effective uid of this process. */
  readonly uid: number;
  /** The environment svcmgr was started with (for {env.x}, SUDO_USER, --env). */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Host time zone, the default for schedules. */
  readonly timezone: string;
  readonly debug: boolean;
}
