/**
 * The PostgreSQL server of the tests: SVCMGR_TEST_PG_URL (started by .ci/run), or a skip with
 * the reason. Each test gets a database of its own, dropped after it.
 */
import { randomBytes } from "node:crypto";
import type { TestContext } from "node:test";
import pg from "pg";
import { skipUnless } from "./require-all.js";

export const pgUrl = process.env.SVCMGR_TEST_PG_URL;

export function skipUnlessPostgres(): string | false {
  return skipUnless(pgUrl !== undefined && pgUrl !== "", "needs a PostgreSQL server: set SVCMGR_TEST_PG_URL (.ci/run starts one)");
}

/** Runs one statement on the server's maintenance database. */
export async function adminQuery(text: string): Promise<void> {
  const client = new pg.Client({ connectionString: pgUrl });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

/** The URL of a fresh, empty database, dropped after the test. */
export async function freshDatabase(t: TestContext): Promise<string> {
  const name = `svcmgr_test_${randomBytes(6).toString("hex")}`;
  await adminQuery(`CREATE DATABASE ${name}`);
  t.after(() => adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
  const url = new URL(pgUrl!);
  url.pathname = `/${name}`;
  return url.toString();
}
