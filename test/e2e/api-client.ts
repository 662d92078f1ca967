/**
 * Test client of the daemon's API: requests on its Unix socket or a TCP URL (node:http, so
 * that bodies, headers and streams are exactly what was sent), and a validator of answers
 * against the OpenAPI document the daemon serves (ajv, JSON Schema 2020-12).
 */
import { request as httpRequest, type IncomingMessage, type RequestOptions } from "node:http";
import { request as httpsRequest } from "node:https";
import assert from "node:assert/strict";
import { Ajv2020 } from "ajv/dist/2020.js";

export interface Answer {
  readonly status: number;
  readonly headers: IncomingMessage["headers"];
  readonly text: string;
  /** The body parsed as JSON, or undefined when it is not JSON. */
  readonly json: unknown;
}

export type Target = { readonly socket: string } | { readonly url: string; readonly ca?: string | Buffer; readonly insecure?: boolean };

export interface Req {
  readonly method?: string;
  readonly path: string;
  readonly headers?: Readonly<Record<string, string>>;
  /** An object is sent as JSON; a string or Buffer as is. */
  readonly body?: unknown;
  readonly key?: string;
  readonly timeoutMs?: number;
}

function options(target: Target, req: Req, headers: Record<string, string>): RequestOptions & { rejectUnauthorized?: boolean } {
  if ("socket" in target) return { socketPath: target.socket, path: req.path, method: req.method ?? "GET", headers };
  const u = new URL(target.url);
  return { host: u.hostname, port: u.port, path: req.path, method: req.method ?? "GET", headers, ...(target.insecure === true ? { rejectUnauthorized: false } : {}) };
}

export function call(target: Target, req: Req): Promise<Answer> {
  const headers: Record<string, string> = { ...req.headers };
  let body: string | Buffer | undefined;
  if (req.body !== undefined) {
    body = typeof req.body === "string" || Buffer.isBuffer(req.body) ? req.body : JSON.stringify(req.body);
    headers["content-type"] ??= "application/json";
  }
  if (req.key !== undefined) headers.authorization = `Bearer ${req.key}`;
  const send = "url" in target && target.url.startsWith("https:") ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const r = send(options(target, req, headers), (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => {
        const text = Buffer.concat(chunks).toString("utf8");
        let json: unknown;
        try {
          json = JSON.parse(text);
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
      });
      res.on("error", reject);
    });
    r.setTimeout(req.timeoutMs ?? 30_000, () => r.destroy(new Error(`no answer to ${req.method ?? "GET"} ${req.path}`)));
    r.on("error", reject);
    // A server that answers before reading the whole body (413) leaves the rest of the write to fail
    // (EPIPE) after the answer arrived, when the socket no longer belongs to this request.
    r.on("socket", (s) => void (s.listeners("error").includes(ignoreLateError) || s.on("error", ignoreLateError)));
    r.end(body);
  });
}

const ignoreLateError = (): void => {};

/** A streamed GET: resolves with every chunk and when each came (ms since the request). */
export function stream(target: Target, req: Req): Promise<{ status: number; headers: IncomingMessage["headers"]; chunks: { at: number; text: string }[] }> {
  const t0 = Date.now();
  const headers: Record<string, string> = { ...req.headers, ...(req.key === undefined ? {} : { authorization: `Bearer ${req.key}` }) };
  return new Promise((resolve, reject) => {
    const r = httpRequest(options(target, req, headers), (res) => {
      const chunks: { at: number; text: string }[] = [];
      res.setEncoding("utf8").on("data", (text: string) => chunks.push({ at: Date.now() - t0, text }));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, chunks }));
      res.on("error", reject);
    });
    r.setTimeout(req.timeoutMs ?? 30_000, () => r.destroy(new Error(`stream ${req.path} did not end`)));
    r.on("error", reject);
    r.end();
  });
}

/** Checks answers against the daemon's own OpenAPI document. */
export class OpenApiChecker {
  private readonly ajv = new Ajv2020({ strict: false, allErrors: true });
  private readonly cache = new Map<string, ReturnType<Ajv2020["compile"]>>();
  checked = 0;

  constructor(readonly doc: { paths: Record<string, Record<string, { responses: Record<string, { content: Record<string, { schema: object }> }> }>> }) {}

  /** Asserts that `answer` is one the document lists for `method template` and that its body matches. */
  check(method: string, template: string, answer: Answer): void {
    const op = this.doc.paths[template]?.[method.toLowerCase()];
    assert.ok(op !== undefined, `the OpenAPI document has no ${method} ${template}`);
    const response = op.responses[String(answer.status)];
    assert.ok(response !== undefined, `${method} ${template}: status ${answer.status} is not in the document (${Object.keys(op.responses).join(", ")}): ${answer.text.slice(0, 300)}`);
    const type = String(answer.headers["content-type"] ?? "").split(";")[0]!;
    const media = response.content[type];
    assert.ok(media !== undefined, `${method} ${template} ${answer.status}: content type ${type} not in the document (${Object.keys(response.content).join(", ")})`);
    if (!type.includes("json")) return;
    const key = `${method} ${template} ${answer.status} ${type}`;
    let validate = this.cache.get(key);
    if (validate === undefined) this.cache.set(key, (validate = this.ajv.compile(media.schema)));
    assert.ok(validate(answer.json), `${key}: the answer does not match the document: ${this.ajv.errorsText(validate.errors)}\n${answer.text.slice(0, 500)}`);
    this.checked++;
  }
}
