/** Where commands write. The CLI gives process.stdout/stderr; tests give buffers. */
export interface Output {
  write(text: string): void;
  /** True when colour and interactive rendering are allowed (a TTY and no NO_COLOR). */
  readonly color: boolean;
}
