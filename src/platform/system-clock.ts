import type { Clock } from "../core/ports.js";

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimer(ms, fire) {
    const t = setTimeout(fire, Math.max(0, ms));
    return { cancel: () => clearTimeout(t) };
  },
};
