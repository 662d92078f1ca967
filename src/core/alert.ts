/**
 * A configuration problem found while reading or validating a service.
 * Validation collects every alert at once; an "error" makes the service unusable,
 * a "warning" is printed and ignored.
 */
export interface Alert {
  readonly level: "error" | "warning";
  /** Path of the file as the user should see it. */
  readonly file: string;
  /** 1-based line number, when the problem is tied to a line. */
  readonly line?: number;
  readonly section?: string;
  readonly keyword?: string;
  readonly value?: string;
  /** What is wrong and what is allowed, without the location prefix. */
  readonly message: string;
  /**
   * `resource`: an error that makes only its section's resource unusable on this node (a
   * `user` that does not exist here): the other tasks of the service still run.
   */
  readonly scope?: "resource";
}

/**
 * `file:line: [section] keyword = "value": level: message` — the one format for every config
 * problem; the parts an alert lacks are left out with their separators (`file:line: level: …`).
 */
export function formatAlert(alert: Alert): string {
  const where = alert.line === undefined ? alert.file : `${alert.file}:${alert.line}`;
  const section = alert.section === undefined ? "" : ` [${alert.section}]`;
  const keyword = alert.keyword === undefined ? "" : ` ${alert.keyword}`;
  const value = alert.value === undefined ? "" : ` = ${JSON.stringify(alert.value)}`;
  const subject = `${section}${keyword}${value}`;
  return `${where}:${subject === "" ? "" : `${subject}:`} ${alert.level}: ${alert.message}`;
}

/** True when an error makes the whole service unusable (resource-scoped errors do not). */
export function hasErrors(alerts: readonly Alert[]): boolean {
  return alerts.some((a) => a.level === "error" && a.scope !== "resource");
}

/** Errors that make one resource unusable, by section (rid). */
export function resourceErrors(alerts: readonly Alert[]): Map<string, Alert[]> {
  const out = new Map<string, Alert[]>();
  for (const a of alerts) {
    if (a.level !== "error" || a.scope !== "resource" || a.section === undefined) continue;
    out.set(a.section, [...(out.get(a.section) ?? []), a]);
  }
  return out;
}
