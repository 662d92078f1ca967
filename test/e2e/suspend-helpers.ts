/**
 * For the suspend/resume tests: JSON requests with headers on the daemon's socket, and API keys
 * written straight into the keys file the daemon watches.
 */
import { request } from "node:http";
import { apiKeyPaths, pathsFor } from "../../src/core/paths.js";
import type { Scope, StoredKey } from "../../src/core/api-key.js";
import { newKey } from "../../src/api/keys.js";
import { writeKeyFile } from "../../src/platform/api-key-file.js";
import type { TestRoot } from "./helpers.js";

export interface Answer {
  readonly status: number;
  readonly type: string;
  /** The JSON answer parsed ({} for another media type, whose text is in `text`). */
  readonly body: Record<string, unknown>;
  readonly text: string;
}

export function socketRequest(root: TestRoot, method: string, path: string, opts: { key?: string; body?: string; type?: string } = {}): Promise<Answer> {
  const headers: Record<string, string> = { accept: "application/json" };
  if (opts.key !== undefined) headers.authorization = `Bearer ${opts.key}`;
  if (opts.body !== undefined) headers["content-type"] = opts.type ?? "application/json";
  return new Promise((resolve, reject) => {
    const req = request({ socketPath: root.path("var", "daemon.sock"), method, path, headers }, (res) => {
      let text = "";
      res.setEncoding("utf8").on("data", (d: string) => (text += d));
      res.on("end", () => {
        const type = String(res.headers["content-type"] ?? "");
        try {
          resolve({ status: res.statusCode ?? 0, type, text, body: /json/.test(type) ? (JSON.parse(text) as Record<string, unknown>) : {} });
        } catch (e) {
          reject(new Error(`${method} ${path}: not JSON (HTTP ${res.statusCode}): ${text}`, { cause: e }));
        }
      });
    });
    req.on("error", reject);
    req.end(opts.body);
  });
}

/** Writes these keys (name → scope and service globs) to the root's keys file; their texts by name. */
export function writeKeys(root: TestRoot, keys: Readonly<Record<string, { scope: Scope; services?: string[] }>>): Record<string, string> {
  const texts: Record<string, string> = {};
  const stored: StoredKey[] = Object.entries(keys).map(([name, k]) => {
    const key = newKey();
    texts[name] = key.text;
    return { id: key.id, name, hash: key.hash, scope: k.scope, services: k.services ?? [], createdAt: Date.now(), expiresAt: null, revokedAt: null, createdBy: "test" };
  });
  writeKeyFile(apiKeyPaths(pathsFor(root.dir)).keys, { keys: stored });
  return texts;
}
