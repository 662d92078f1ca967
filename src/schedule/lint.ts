export function lintSchedule(_e: string, _t: string): { message: string }[] { return []; }
