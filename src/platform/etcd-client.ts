/**
 * svcmgr's etcd v3 client over etcd's JSON gateway (`POST /v3/kv/range`, `/v3/kv/txn`,
 * `/v3/lease/*`) with Node's fetch: no gRPC, no keepalive stream left running (a lease is
 * renewed by one request per renewal, which the caller paces).
 *
 * Invariants:
 * - every request has a deadline (`timeoutMs`, default 2 s) through an AbortSignal;
 * - endpoints are tried in turn from the last one that answered; an endpoint that cannot be
 *   reached (refused, timed out, 5xx, no leader) moves on to the next; etcd's refusal of the
 *   request itself (4xx) is final and rejects with EtcdRejectedError;
 * - a request retried on another endpoint may have been applied by the first one: callers
 *   make their writes idempotent (a claim txn reads the key back on failure and compares it).
 */
import {
  EtcdRejectedError, EtcdUnavailableError, prefixEnd,
  type CallOptions, type Compare, type EtcdClient, type KeyValue, type LeaseTtl, type RangeOptions, type RangeResult, type Txn, type TxnOp, type TxnResponse, type TxnResult,
} from "../cluster/etcd.js";

export interface EtcdClientOptions {
  /** `http(s)://HOST:PORT`, at least one. */
  readonly endpoints: readonly string[];
  /** Deadline of one request to one endpoint. @default 2000 */
  readonly timeoutMs?: number;
}

export const DEFAULT_ETCD_TIMEOUT_MS = 2_000;

/** gRPC codes meaning "try again, maybe elsewhere": Unknown (timeouts), DeadlineExceeded, ResourceExhausted, Aborted, Internal, Unavailable. */
const RETRYABLE_CODES = new Set([2, 4, 8, 10, 13, 14]);

type Json = Record<string, unknown>;

const b64 = (s: string): string => Buffer.from(s, "utf8").toString("base64");
const unb64 = (s: unknown): string => (typeof s === "string" ? Buffer.from(s, "base64").toString("utf8") : "");
const int = (v: unknown): number => (v === undefined || v === null ? 0 : Number(v));

export function createEtcdClient(opts: EtcdClientOptions): EtcdClient {
  const endpoints = opts.endpoints.map((e) => e.replace(/\/+$/, ""));
  if (endpoints.length === 0) throw new Error("etcd: no endpoint");
  const timeoutMs = opts.timeoutMs ?? DEFAULT_ETCD_TIMEOUT_MS;
  let preferred = 0;

  async function post(path: string, body: Json, call?: CallOptions): Promise<Json> {
    const causes: string[] = [];
    for (let i = 0; i < endpoints.length; i++) {
      const index = (preferred + i) % endpoints.length;
      const endpoint = endpoints[index]!;
      call?.signal?.throwIfAborted();
      const answer = await postOnce(`${endpoint}${path}`, body, timeoutMs, call?.signal);
      if (answer.ok) {
        preferred = index;
        return answer.json;
      }
      causes.push(`${endpoint}: ${answer.why}`);
    }
    throw new EtcdUnavailableError(`etcd unavailable (${causes.join("; ")})`, causes);
  }

  const client: EtcdClient = {
    endpoints,
    async range(key, o = {}) {
      return rangeResult(await post("/v3/kv/range", rangeBody(key, o), o));
    },
    async put(key, value, o = {}) {
      const r = await post("/v3/kv/put", putBody(key, value, o.lease), o);
      return { revision: headerRevision(r) };
    },
    async deleteRange(key, o = {}) {
      const body = o.end === undefined ? deleteBody(key, o.prefix) : { key: b64(key), range_end: b64(o.end) };
      const r = await post("/v3/kv/deleterange", body, o);
      return { deleted: int(r.deleted), revision: headerRevision(r) };
    },
    async txn(t: Txn, o?: CallOptions): Promise<TxnResult> {
      const body = { compare: t.compare.map(compareBody), success: t.success.map(opBody), failure: (t.failure ?? []).map(opBody) };
      const r = await post("/v3/kv/txn", body, o);
      const responses = ((r.responses as Json[] | undefined) ?? []).map(txnResponse);
      return { succeeded: r.succeeded === true, revision: headerRevision(r), responses };
    },
    async leaseGrant(ttlS, o) {
      const r = await post("/v3/lease/grant", { TTL: String(Math.round(ttlS)) }, o);
      if (typeof r.error === "string" && r.error !== "") throw new EtcdRejectedError(`etcd: ${r.error}`, 0);
      return { id: String(r.ID), ttlS: int(r.TTL) };
    },
    async leaseKeepAlive(id, o) {
      // A stream on the gateway: one request body, one answer `{result: {ID, TTL}}`; TTL absent when the lease is gone.
      const r = await post("/v3/lease/keepalive", { ID: id }, o);
      const result = (r.result ?? r) as Json;
      return int(result.TTL);
    },
    async leaseRevoke(id, o) {
      try {
        await post("/v3/lease/revoke", { ID: id }, o);
      } catch (e) {
        if (!(e instanceof EtcdRejectedError && e.code === 5)) throw e; // NotFound: already gone
      }
    },
    async leaseTimeToLive(id, o = {}): Promise<LeaseTtl> {
      const r = await post("/v3/lease/timetolive", { ID: id, keys: o.keys === true }, o);
      return { ttlS: int(r.TTL), grantedTtlS: int(r.grantedTTL), keys: ((r.keys as string[] | undefined) ?? []).map(unb64) };
    },
  };
  return client;
}

type Answer = { readonly ok: true; readonly json: Json } | { readonly ok: false; readonly why: string };

/** One POST to one endpoint: a JSON answer, or why the endpoint is unavailable; throws EtcdRejectedError on a refusal. */
async function postOnce(url: string, body: Json, timeoutMs: number, signal: AbortSignal | undefined): Promise<Answer> {
  const deadline = AbortSignal.timeout(timeoutMs);
  const both = signal === undefined ? deadline : AbortSignal.any([deadline, signal]);
  let res: Response;
  let text: string;
  try {
    res = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body), signal: both });
    text = await res.text();
  } catch (e) {
    if (signal?.aborted === true) throw signal.reason;
    if (deadline.aborted) return { ok: false, why: `no answer within ${timeoutMs} ms` };
    const err = e as Error & { cause?: { code?: string; message?: string } };
    return { ok: false, why: err.cause?.code ?? err.cause?.message ?? err.message };
  }
  let json: Json;
  try {
    json = JSON.parse(text) as Json;
  } catch {
    return { ok: false, why: `HTTP ${res.status}, not JSON: ${text.slice(0, 120)}` };
  }
  if (res.ok && json.error === undefined) return { ok: true, json };
  const nested = (json.error ?? {}) as Json; // a stream's error comes as {error: {grpc_code, message}}
  const code = int(json.code ?? nested.grpc_code);
  const message = String(json.message ?? nested.message ?? json.error ?? `HTTP ${res.status}`);
  if (res.status >= 500 || RETRYABLE_CODES.has(code)) return { ok: false, why: message };
  throw new EtcdRejectedError(`etcd refused ${new URL(url).pathname}: ${message}`, code);
}

function rangeEndOf(key: string): string {
  return Buffer.from(prefixEnd(Buffer.from(key, "utf8"))).toString("base64");
}

function rangeBody(key: string, o: RangeOptions): Json {
  const body: Json = { key: b64(key) };
  if (o.prefix === true) body.range_end = rangeEndOf(key);
  if (o.limit !== undefined) body.limit = String(o.limit);
  if (o.sort !== undefined) {
    body.sort_target = o.sort.target.toUpperCase();
    body.sort_order = o.sort.order.toUpperCase();
  }
  if (o.keysOnly === true) body.keys_only = true;
  if (o.countOnly === true) body.count_only = true;
  return body;
}

function putBody(key: string, value: string, lease: string | undefined): Json {
  return lease === undefined ? { key: b64(key), value: b64(value) } : { key: b64(key), value: b64(value), lease };
}

function deleteBody(key: string, prefix: boolean | undefined): Json {
  return prefix === true ? { key: b64(key), range_end: rangeEndOf(key) } : { key: b64(key) };
}

const TARGETS = { create: "CREATE", mod: "MOD", version: "VERSION", value: "VALUE", lease: "LEASE" } as const;
const RESULTS = { "=": "EQUAL", "!=": "NOT_EQUAL", ">": "GREATER", "<": "LESS" } as const;
const FIELDS = { create: "create_revision", mod: "mod_revision", version: "version", value: "value", lease: "lease" } as const;

function compareBody(c: Compare): Json {
  const value = c.target === "value" ? b64(String(c.value)) : String(c.value);
  return { key: b64(c.key), target: TARGETS[c.target], result: RESULTS[c.result], [FIELDS[c.target]]: value };
}

function opBody(op: TxnOp): Json {
  if ("put" in op) return { request_put: putBody(op.put.key, op.put.value, op.put.lease) };
  if ("range" in op) return { request_range: rangeBody(op.range.key, op.range) };
  return { request_delete_range: deleteBody(op.deleteRange.key, op.deleteRange.prefix) };
}

function txnResponse(r: Json): TxnResponse {
  if (r.response_range !== undefined) return { kind: "range", range: rangeResult(r.response_range as Json) };
  if (r.response_delete_range !== undefined) return { kind: "delete", deleted: int((r.response_delete_range as Json).deleted) };
  return { kind: "put", revision: headerRevision((r.response_put ?? {}) as Json) };
}

function rangeResult(r: Json): RangeResult {
  const kvs = ((r.kvs as Json[] | undefined) ?? []).map(keyValue);
  return { kvs, count: int(r.count), more: r.more === true, revision: headerRevision(r) };
}

function keyValue(kv: Json): KeyValue {
  return {
    key: unb64(kv.key), value: unb64(kv.value), createRevision: int(kv.create_revision), modRevision: int(kv.mod_revision),
    version: int(kv.version), lease: kv.lease === undefined || kv.lease === "0" ? null : String(kv.lease),
  };
}

function headerRevision(r: Json): number {
  return int((r.header as Json | undefined)?.revision);
}
