/**
 * Skips for a missing component. A developer's machine may lack root, the native addon or a
 * server a test needs: the test is skipped with a message saying what is missing. CI sets
 * SVCMGR_TEST_REQUIRE_ALL=1, and there a missing component fails the test file at once: every
 * test must run in CI, none may be skipped unseen.
 */
import { nativeAddon } from "../../src/platform/native-addon.js";

export const requireAll = process.env.SVCMGR_TEST_REQUIRE_ALL === "1";

/** The `skip` option of a test or suite: false when `available`, else `why` (thrown under REQUIRE_ALL). */
export function skipUnless(available: boolean, why: string): string | false {
  if (available) return false;
  if (requireAll) throw new Error(`SVCMGR_TEST_REQUIRE_ALL=1 and a test needs what is missing here: ${why}`);
  return why;
}

/** Runs as root: user switches, ownership checks, mounts. */
export const isRoot = process.getuid?.() === 0;

export function skipUnlessRoot(why = "needs root"): string | false {
  return skipUnless(isRoot, why);
}

/**
 * The native addon. SVCMGR_NATIVE=0 disables it on purpose (the pass that runs the suite on the
 * plain-Node fallbacks): a test of the addon itself is then skipped, not failed.
 */
export function skipUnlessNative(): string | false {
  if (process.env.SVCMGR_NATIVE === "0") return nativeAddon() === null ? "native addon disabled (SVCMGR_NATIVE=0)" : false;
  return skipUnless(nativeAddon() !== null, "native addon not built (npm ci builds it with node-gyp)");
}
