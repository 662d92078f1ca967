/** Named instants and units for daemon tests. */
export const SECOND = 1_000;
export const MINUTE = 60 * SECOND;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;
/** 2026-07-01T00:00:00Z, a Wednesday. */
export const REFERENCE = Date.UTC(2026, 6, 1, 0, 0, 0);
export const iso = (ms: number | Date): string => new Date(ms).toISOString();
