/**
 * Debian's Chromium driven by playwright-core (never a downloaded browser): launched headless
 * with the flags this machine needs (no background networking: its closed network refuses
 * those connections). Screenshots go to test-artifacts/ui/ (not committed).
 */
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";
import { REPO } from "../e2e/helpers.js";
import { skipUnless } from "../helpers/require-all.js";

export const CHROMIUM = process.env.SVCMGR_TEST_CHROMIUM ?? "/usr/bin/chromium";
export const ARTIFACTS = join(REPO, "test-artifacts", "ui");

export function skipUnlessChromium(): string | false {
  return skipUnless(existsSync(CHROMIUM), `needs Debian's chromium at ${CHROMIUM} (.ci/run installs it)`);
}

export function launch(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"],
  });
}

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
}
