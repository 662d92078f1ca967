import { readFileSync } from "node:fs";

/** Reference vectors (copies of the behaviour reference's spec/*.json, kept with the tests). */
export function loadSpec<T>(name: string): T {
  return JSON.parse(readFileSync(new URL(`../fixtures/spec/${name}`, import.meta.url), "utf8")) as T;
}

/** Vectors are naive wall-clock times produced with TZ=UTC. */
export function utc(naive: string): Date {
  return new Date(/[zZ]|[+-]\d\d:\d\d$/.test(naive) ? naive : `${naive}Z`);
}

export const HOUR = 3_600_000;
export const MINUTE = 60_000;
export const DAY = 86_400_000;
