/**
 * What svcmgr needs from etcd (v3 key-value store, leases), as a port: src/platform/etcd-client.ts
 * implements it over etcd's JSON gateway. Keys and values are plain strings here (the client
 * does the base64); revisions are numbers (they stay far below 2^53); lease ids are decimal
 * strings (int64, beyond what a number holds exactly).
 *
 * Errors: every call rejects with EtcdUnavailableError (no endpoint answered in time, no
 * leader: retrying later may work) or EtcdRejectedError (etcd answered and refused: a bad
 * request, a missing lease, a compacted revision). A txn whose compares fail is not an error:
 * `succeeded` is false.
 */

export interface KeyValue {
  readonly key: string;
  readonly value: string;
  /** The revision that created the key (0 never: a missing key is absent from `kvs`). */
  readonly createRevision: number;
  readonly modRevision: number;
  readonly version: number;
  /** The lease the key is attached to, or null. */
  readonly lease: string | null;
}

export interface RangeOptions {
  /** Every key starting with `key` (sets range_end to the prefix's end). */
  readonly prefix?: boolean;
  readonly limit?: number;
  readonly sort?: { readonly target: "key" | "create" | "mod" | "value" | "version"; readonly order: "ascend" | "descend" };
  readonly keysOnly?: boolean;
  readonly countOnly?: boolean;
}

export interface RangeResult {
  readonly kvs: readonly KeyValue[];
  /** Keys in the range (beyond `limit` too). */
  readonly count: number;
  readonly more: boolean;
  /** The store's revision when it answered. */
  readonly revision: number;
}

/** A txn compare: `target` of `key` compared with `value` (create/mod/version: a revision or count; value: a string; lease: an id). */
export interface Compare {
  readonly key: string;
  readonly target: "create" | "mod" | "version" | "value" | "lease";
  readonly result: "=" | "!=" | ">" | "<";
  readonly value: number | string;
}

export type TxnOp =
  | { readonly put: { readonly key: string; readonly value: string; readonly lease?: string } }
  | { readonly range: { readonly key: string } & RangeOptions }
  | { readonly deleteRange: { readonly key: string; readonly prefix?: boolean } };

export type TxnResponse =
  | { readonly kind: "put"; readonly revision: number }
  | { readonly kind: "range"; readonly range: RangeResult }
  | { readonly kind: "delete"; readonly deleted: number };

export interface TxnResult {
  /** True when every compare held (the success ops ran), false when the failure ops ran. */
  readonly succeeded: boolean;
  readonly revision: number;
  /** One per op run, in order. */
  readonly responses: readonly TxnResponse[];
}

export interface Txn {
  readonly compare: readonly Compare[];
  readonly success: readonly TxnOp[];
  readonly failure?: readonly TxnOp[];
}

export interface CallOptions {
  /** Aborts the call (then it rejects with the signal's reason). */
  readonly signal?: AbortSignal;
}

export interface LeaseTtl {
  /** Seconds left; -1 when the lease does not exist (expired or revoked). */
  readonly ttlS: number;
  readonly grantedTtlS: number;
  readonly keys: readonly string[];
}

export interface EtcdClient {
  readonly endpoints: readonly string[];
  range(key: string, opts?: RangeOptions & CallOptions): Promise<RangeResult>;
  put(key: string, value: string, opts?: { readonly lease?: string } & CallOptions): Promise<{ revision: number }>;
  /** Deletes `key`, every key with the prefix `key` (`prefix`), or the keys from `key` up to `end` excluded. */
  deleteRange(key: string, opts?: { readonly prefix?: boolean; readonly end?: string } & CallOptions): Promise<{ deleted: number; revision: number }>;
  txn(txn: Txn, opts?: CallOptions): Promise<TxnResult>;
  /** A new lease of `ttlS` seconds. */
  leaseGrant(ttlS: number, opts?: CallOptions): Promise<{ id: string; ttlS: number }>;
  /** Renews the lease once; answers its new TTL in seconds, 0 when the lease no longer exists. */
  leaseKeepAlive(id: string, opts?: CallOptions): Promise<number>;
  /** Revokes the lease and deletes its keys; a lease already gone is no error. */
  leaseRevoke(id: string, opts?: CallOptions): Promise<void>;
  leaseTimeToLive(id: string, opts?: { readonly keys?: boolean } & CallOptions): Promise<LeaseTtl>;
}

/** No etcd endpoint answered (refused, timed out, no leader): `causes` says why per endpoint. */
export class EtcdUnavailableError extends Error {
  constructor(message: string, readonly causes: readonly string[] = []) {
    super(message);
    this.name = "EtcdUnavailableError";
  }
}

/** etcd answered and refused the request (`code`: the gRPC status code it gave). */
export class EtcdRejectedError extends Error {
  constructor(message: string, readonly code: number) {
    super(message);
    this.name = "EtcdRejectedError";
  }
}

/** The end of the range of keys starting with `prefix` (etcd's range_end for a prefix), as raw bytes. */
export function prefixEnd(prefix: Uint8Array): Uint8Array {
  const end = Uint8Array.from(prefix);
  for (let i = end.length - 1; i >= 0; i--) {
    if (end[i]! < 0xff) {
      end[i]!++;
      return end.subarray(0, i + 1);
    }
  }
  return new Uint8Array([0]); // every key: "\0" means "to the end of the keyspace"
}
