/** Resource and instance states, with OpenSVC's names. */
export const STATUSES = ["up", "down", "warn", "n/a", "undef", "stdby up", "stdby down"] as const;
export type Status = (typeof STATUSES)[number];

export function isStatus(s: string): s is Status {
  return (STATUSES as readonly string[]).includes(s);
}
