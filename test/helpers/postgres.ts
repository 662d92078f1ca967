/**
 * The PostgreSQL server of the tests: SVCMGR_TEST_PG_URL (started by .ci/run), or a skip with
 * the reason. Each test gets a database of its own, dropped after it.
 */
import { randomBytes } from "node:crypto";
import { execFileSync } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
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

/**
 * A TCP relay in front of the test server, which a test can cut (open connections reset, new
 * ones refused) and restore on the same port: the server seen as gone, without stopping it.
 */
export interface Relay {
  readonly url: string;
  cut(): Promise<void>;
  restore(): Promise<void>;
  close(): Promise<void>;
}

export async function relayTo(target: string): Promise<Relay> {
  const net = await import("node:net");
  const to = new URL(target);
  const sockets = new Set<import("node:net").Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(Number(to.port), to.hostname);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on("error", () => undefined);
      s.on("close", () => sockets.delete(s));
    }
    client.pipe(upstream).pipe(client);
  });
  const listen = (port: number) => new Promise<number>((resolve) => server.listen(port, "127.0.0.1", () => resolve((server.address() as import("node:net").AddressInfo).port)));
  const port = await listen(0);
  const url = new URL(target);
  url.hostname = "127.0.0.1";
  url.port = String(port);
  const cut = async () => {
    for (const s of sockets) s.destroy();
    await new Promise((resolve) => server.close(resolve));
  };
  return { url: url.toString(), cut, restore: async () => void (await listen(port)), close: async () => (server.listening ? cut() : undefined) };
}

/** The newest installed PostgreSQL server binaries' directory, or null. */
function pgBinDir(): string | null {
  const base = "/usr/lib/postgresql";
  if (!existsSync(base)) return null;
  const versions = readdirSync(base).filter((v) => existsSync(`${base}/${v}/bin/pg_ctl`)).sort((a, b) => Number(a) - Number(b));
  return versions.length === 0 ? null : `${base}/${versions[versions.length - 1]}/bin`;
}

/** A server of its own needs root (it runs as the `postgres` user) and the server binaries (.ci/postgres.sh installs them). */
export function skipUnlessOwnServer(): string | false {
  let user = false;
  try {
    execFileSync("id", ["postgres"], { stdio: "ignore" });
    user = true;
  } catch {
    user = false;
  }
  return skipUnless(process.getuid?.() === 0 && pgBinDir() !== null && user, "needs root, the PostgreSQL server binaries and the postgres user (.ci/postgres.sh installs them)");
}

/** A throw-away PostgreSQL server of the test's own, which it may stop and start again (pg_ctl). */
export interface OwnServer {
  readonly url: string;
  stop(): void;
  start(): void;
}

export async function ownServer(t: TestContext): Promise<OwnServer> {
  const bin = pgBinDir()!;
  const dir = mkdtempSync(join(tmpdir(), "svcmgr-pg-"));
  chmodSync(dir, 0o755);
  execFileSync("chown", ["postgres:", dir]);
  const port = await freePort();
  const as = (cmd: string, args: string[]) => execFileSync("runuser", ["-u", "postgres", "--", `${bin}/${cmd}`, ...args], { stdio: "pipe" });
  as("initdb", ["-D", `${dir}/data`, "-U", "postgres", "--auth=trust", "--no-sync", "--no-instructions"]);
  const opts = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off`;
  const start = () => void as("pg_ctl", ["-D", `${dir}/data`, "-l", `${dir}/server.log`, "-w", "-t", "60", "-o", opts, "start"]);
  const stop = () => void as("pg_ctl", ["-D", `${dir}/data`, "-m", "fast", "-w", "stop"]);
  start();
  t.after(() => {
    try {
      stop();
    } catch {
      // already stopped
    }
    rmSync(dir, { recursive: true, force: true });
  });
  return { url: `postgresql://postgres@127.0.0.1:${port}/postgres`, stop, start };
}

async function freePort(): Promise<number> {
  const net = await import("node:net");
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, "127.0.0.1", () => {
      const port = (s.address() as import("node:net").AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}
