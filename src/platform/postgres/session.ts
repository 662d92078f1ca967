import { createRequire } from "node:module";
import { userInfo } from "node:os";
import type pg from "pg";
import { HistoryError, StoreUnreachableError } from "../../history/errors.js";
import { maskIn, maskPassword } from "../../core/store-url.js";
import { passfilePassword } from "./passfile.js";

/** One statement: its rows, and how many rows it changed. */
export type Sql = (text: string, params?: readonly unknown[]) => Promise<{ rows: Record<string, unknown>[]; rowCount: number }>;

/**
 * One connection to the PostgreSQL history, used by one call at a time: each call's statements
 * run alone on it (a transaction is never interleaved with another call's statement), and calls
 * take effect in the order they were made, like the embedded store's. A connection that broke
 * is replaced at the next call.
 */
export interface PgSession {
  /** Runs `work` alone on the connection, after every call made before it. */
  run<T>(work: (sql: Sql) => Promise<T>): Promise<T>;
  /** `work` inside BEGIN … COMMIT: all its statements or none. */
  transaction<T>(work: (sql: Sql) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

const CONNECT_TIMEOUT_MS = 10_000;
/** A statement with no answer for this long: the server or the network is taken as gone (the connection is replaced). */
const QUERY_TIMEOUT_MS = 30_000;
const INT8_OID = 20;

/**
 * bigint columns (times in epoch ms, ids, counts) as numbers: every value svcmgr stores is a
 * safe integer; one that is not is refused rather than rounded.
 */
function parseInt8(text: string): number {
  const n = Number(text);
  if (!Number.isSafeInteger(n)) throw new RangeError(`history store: bigint value ${text} is beyond the safe integer range`);
  return n;
}

/**
 * The driver, loaded on first use only: svcmgr with the embedded store never loads it. Required
 * from node_modules, not bundled (the CLI bundles stay as small as without it), and required
 * rather than imported: the CLI bundle runs where import() cannot load a file.
 */
function driver(): typeof pg {
  return createRequire(import.meta.url)("pg") as typeof pg;
}

/** The driver's own URL parser (a dependency of pg, resolved from it). */
function parseUrl(url: string): pg.ClientConfig {
  const req = createRequire(import.meta.url);
  const { parse } = createRequire(req.resolve("pg"))("pg-connection-string") as { parse: (u: string) => Record<string, unknown> };
  // Unset fields are left out: an undefined one would hide the driver's defaults and PG* variables.
  return Object.fromEntries(Object.entries(parse(url)).filter(([, v]) => v !== undefined && v !== null)) as pg.ClientConfig;
}

/** The store's errors: a HistoryError naming the store with its password masked, wherever the driver echoed it. */
export function storeError(url: string, what: string, e: unknown): HistoryError {
  if (e instanceof HistoryError) return e;
  const message = maskIn((e as Error)?.message ?? String(e), url);
  const text = `history store ${maskPassword(url)}: ${what}: ${message}`;
  // The driver error is not kept as the cause: its fields may hold the URL, password included.
  return lostConnection(e) ? new StoreUnreachableError(text) : new HistoryError(text);
}

/**
 * True when `e` says the server is away rather than that a statement was wrong: a socket error
 * (refused, reset, timed out, closed), or SQLSTATE class 08 (connection exception), 57P01–57P03
 * (the server shuts down or is starting) or 53300 (no connection slot left).
 */
export function lostConnection(e: unknown): boolean {
  const code = (e as { code?: unknown })?.code;
  if (typeof code === "string" && /^E[A-Z]+$/.test(code)) return true; // errno: ECONNREFUSED, EPIPE, …
  if (typeof code === "string" && /^[0-9A-Z]{5}$/.test(code)) return code.startsWith("08") || /^57P0[123]$/.test(code) || code === "53300";
  // The driver's own: "Connection terminated unexpectedly", "… is not queryable", "Query read timeout".
  return /connection|not queryable|timeout/i.test((e as Error)?.message ?? "");
}

/** This process's user name, libpq's default user; empty when the uid has no name. */
function osUserName(): string {
  try {
    return userInfo().username;
  } catch {
    return "";
  }
}

async function connect(url: string, onBroken: (c: pg.Client) => void): Promise<pg.Client> {
  const lib = driver();
  const types = { getTypeParser: (oid: number, format?: string) => (oid === INT8_OID ? parseInt8 : lib.types.getTypeParser(oid, format as "text")) };
  // A URL without a password takes it from the file it names (passfile=), else from PGPASSWORD
  // or the password file PGPASSFILE names (~/.pgpass by default), as psql does.
  const password = passfilePassword(url, process.env, osUserName());
  const common = { types: types as pg.CustomTypesConfig, connectionTimeoutMillis: CONNECT_TIMEOUT_MS, query_timeout: QUERY_TIMEOUT_MS, keepAlive: true, application_name: "svcmgr" };
  // With a password callback the URL is parsed here: the driver would let the URL's empty password replace it.
  const client = new lib.Client(password === undefined ? { connectionString: url, ...common } : { ...parseUrl(url), ...common, password });
  // A dropped connection (server restarted, network cut): the next call opens a new one.
  client.on("error", () => onBroken(client));
  client.on("end", () => onBroken(client));
  try {
    await client.connect();
  } catch (e) {
    await client.end().catch(() => undefined);
    throw storeError(url, "cannot connect", e);
  }
  return client;
}

export function pgSession(url: string): PgSession {
  let client: pg.Client | null = null;
  let broken = false;
  let tail: Promise<unknown> = Promise.resolve();
  const sql = (c: pg.Client): Sql => async (text, params = []) => {
    try {
      const r = await c.query(text, params as unknown[]);
      return { rows: r.rows as Record<string, unknown>[], rowCount: r.rowCount ?? 0 };
    } catch (e) {
      if (lostConnection(e) && c === client) broken = true;
      throw storeError(url, "query failed", e);
    }
  };
  const current = async (): Promise<pg.Client> => {
    if (client !== null && broken) {
      await client.end().catch(() => undefined);
      client = null;
    }
    broken = false;
    // Only the connection in use can break it (events of one that failed to open or was closed are moot).
    return (client ??= await connect(url, (c) => {
      if (c === client) broken = true;
    }));
  };
  const run = <T>(work: (q: Sql) => Promise<T>): Promise<T> => {
    const result = tail.then(async () => work(sql(await current())));
    tail = result.catch(() => undefined);
    return result;
  };
  return {
    run,
    transaction: (work) =>
      run(async (q) => {
        await q("BEGIN");
        try {
          const out = await work(q);
          await q("COMMIT");
          return out;
        } catch (e) {
          await q("ROLLBACK").catch(() => undefined);
          throw e;
        }
      }),
    close: async () => {
      await tail;
      const c = client;
      client = null;
      await c?.end().catch(() => undefined);
    },
  };
}
