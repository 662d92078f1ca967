/** svcmgr's version: set by the bundler (scripts/build.mjs); "dev" when run from the sources. */
declare const SVCMGR_VERSION: string | undefined;

export function svcmgrVersion(): string {
  return typeof SVCMGR_VERSION === "string" ? SVCMGR_VERSION : "dev";
}
