import { UsageError } from "../core/errors.js";
import type { NodeConfig } from "../config/node-config.js";

/**
 * The API's TCP listener, from `daemon run --listen HOST:PORT` or node.conf `[listener]`
 * (the flag wins). Pure. Invariant: an address other than loopback gets TLS, unless the
 * operator said `--insecure-http`: keys would otherwise cross the network in clear text.
 */
export interface TcpListener {
  readonly host: string;
  readonly port: number;
  readonly tls?: { readonly certFile: string; readonly keyFile: string };
}

export function tcpListener(listen: string | undefined, node: NodeConfig, insecureHttp: boolean): TcpListener | null {
  const v = node.values.listener;
  const certFile = (v.tls_cert?.value ?? null) as string | null;
  const keyFile = (v.tls_key?.value ?? null) as string | null;
  if ((certFile === null) !== (keyFile === null)) throw new UsageError(`${node.file}: [listener] needs both tls_cert and tls_key, or neither`);
  const tls = certFile !== null && keyFile !== null ? { certFile, keyFile } : undefined;
  let host: string;
  let port: number;
  if (listen !== undefined) {
    const parsed = parseHostPort(listen);
    if (parsed === null) throw new UsageError(`--listen ${listen}: expected HOST:PORT, such as 127.0.0.1:7443 or [::1]:7443`);
    ({ host, port } = parsed);
  } else {
    const addr = (v.addr?.value ?? null) as string | null;
    if (addr === null) return null;
    host = addr.replace(/^\[(.*)\]$/, "$1");
    port = v.port?.value as number;
  }
  if (tls === undefined && !isLoopback(host) && !insecureHttp) {
    throw new UsageError(`the API would listen on ${host}:${port} without TLS: set [listener] tls_cert and tls_key in ${node.file}, listen on loopback (127.0.0.1), or pass --insecure-http (API keys then cross the network in clear text)`);
  }
  return { host, port, ...(tls === undefined ? {} : { tls }) };
}

function parseHostPort(text: string): { host: string; port: number } | null {
  const m = /^(?:\[([0-9A-Fa-f:.]+)\]|([^:[\]\s]+)):(\d{1,5})$/.exec(text.trim());
  if (m === null) return null;
  const port = Number(m[3]);
  return port > 65535 ? null : { host: m[1] ?? m[2]!, port };
}

export function isLoopback(host: string): boolean {
  return host === "localhost" || host === "::1" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}
