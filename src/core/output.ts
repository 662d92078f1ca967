/** Where commands write. The CLI gives process.stdout/stderr; tests give buffers. */
export interface Output {
  write(text: string): void;
  /**
   * Task output: like `write`, but dropped (and counted, then said once the reader caught up)
   * while the reader is far behind, so a slow reader never makes svcmgr hold the output in
   * memory. The run's output file has everything. Without it, `write` is used.
   */
  writeBounded?(text: string): void;
  /** True when colour and interactive rendering are allowed (a TTY and no NO_COLOR). */
  readonly color: boolean;
}
