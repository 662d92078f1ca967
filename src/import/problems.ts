import type { Alert } from "../core/alert.js";

/** Collects an import's problems, each tied to the source file and a line. */
export class Problems {
  readonly alerts: Alert[] = [];
  constructor(readonly file: string) {}

  error(line: number | undefined, message: string): void {
    this.alerts.push({ level: "error", file: this.file, ...(line === undefined ? {} : { line }), message });
  }

  warning(line: number | undefined, message: string): void {
    this.alerts.push({ level: "warning", file: this.file, ...(line === undefined ? {} : { line }), message });
  }

  get failed(): boolean {
    return this.alerts.some((a) => a.level === "error");
  }
}
