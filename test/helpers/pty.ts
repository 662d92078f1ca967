import { spawn, type ChildProcess } from "node:child_process";

/**
 * A command on a real pseudo-terminal, driven like a user at a keyboard: util-linux `script`
 * runs it as the session leader of a new pty, copies what is written here to the pty's input
 * and the pty's output to stdout. `script -e` exits with the command's status.
 */
export class PtySession {
  readonly #child: ChildProcess;
  #output = "";
  readonly #ended: Promise<{ status: number | null; output: string }>;

  constructor(argv: readonly string[], env: Readonly<Record<string, string>>) {
    const command = argv.map(shellQuote).join(" ");
    this.#child = spawn("script", ["-qfec", command, "/dev/null"], { env: { ...env }, stdio: ["pipe", "pipe", "pipe"] });
    this.#child.stdout!.setEncoding("utf8").on("data", (d: string) => (this.#output += d));
    this.#child.stderr!.setEncoding("utf8").on("data", (d: string) => (this.#output += d));
    this.#ended = new Promise((resolve) => this.#child.on("close", (status) => resolve({ status, output: this.#output })));
  }

  /** Everything the terminal showed so far (the echo of what was typed included). */
  get output(): string {
    return this.#output;
  }

  type(text: string): void {
    this.#child.stdin!.write(text);
  }

  /**
   * Resolves once a shell on the terminal answers: a shell may flush what was typed before it
   * set the terminal up, so a probe is typed again every 2 seconds until its answer shows.
   */
  async ready(timeoutMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!/PTY42READY/.test(this.#output)) {
      if (Date.now() > deadline) throw new Error(`no shell answered on the terminal; it showed ${JSON.stringify(this.#output)}`);
      this.type("echo PTY$((6*7))READY\n");
      const typed = Date.now();
      while (!/PTY42READY/.test(this.#output) && Date.now() - typed < 2000) await new Promise((r) => setTimeout(r, 20));
    }
  }

  /** Ends the session (after a failed test): its command is killed with the pty's hangup. */
  kill(): void {
    this.#child.kill("SIGKILL");
  }

  /** Resolves with the first match of `re` in the output; rejects after `timeoutMs`. */
  async waitFor(re: RegExp, timeoutMs = 15_000): Promise<RegExpExecArray> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const m = re.exec(this.#output);
      if (m !== null) return m;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${re} on the terminal; it showed ${JSON.stringify(this.#output)}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /** The command's exit status and the whole output; kills it after `timeoutMs`. */
  async ended(timeoutMs = 20_000): Promise<{ status: number | null; output: string }> {
    const timer = setTimeout(() => this.#child.kill("SIGKILL"), timeoutMs);
    try {
      return await this.#ended;
    } finally {
      clearTimeout(timer);
    }
  }
}

function shellQuote(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, "'\\''")}'`;
}
