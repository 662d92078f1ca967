import { UsageError } from "./errors.js";

/**
 * An object path `[<namespace>/][<kind>/]<name>`, as in OpenSVC. Only kind `svc` exists.
 * Namespace `root` is the default and is normalised to null.
 */
export interface ObjectPath {
  readonly namespace: string | null;
  readonly kind: "svc";
  readonly name: string;
}

/** Names of the etc dir's node-wide files (`node.conf`, `cluster.conf`): never services of the root namespace. */
export const RESERVED_NAMES = ["node", "cluster"] as const;

const NAME = /^[a-z0-9]([a-z0-9_.-]*[a-z0-9])?$/i;

export function parseObjectPath(text: string): ObjectPath {
  const parts = text.split("/");
  let namespace: string | null = null;
  let kind = "svc";
  let name: string;
  if (parts.length === 1) name = parts[0]!;
  else if (parts.length === 2) [kind, name] = parts as [string, string];
  else if (parts.length === 3) [namespace, kind, name] = parts as [string, string, string];
  else throw new UsageError(`invalid object path "${text}": expected [namespace/][svc/]name`);
  if (kind !== "svc") throw new UsageError(`invalid object path "${text}": kind "${kind}" is not supported (only svc)`);
  if (!NAME.test(name)) throw new UsageError(`invalid object path "${text}": name "${name}" must be letters, digits, '-', '_' or '.'`);
  if (namespace !== null && !NAME.test(namespace)) throw new UsageError(`invalid object path "${text}": bad namespace "${namespace}"`);
  if ((namespace === null || namespace === "root") && (RESERVED_NAMES as readonly string[]).includes(name)) {
    throw new UsageError(`invalid object path "${text}": "${name}" is reserved (${name}.conf in the etc dir configures the ${name}, not a service)`);
  }
  return { namespace: namespace === "root" ? null : namespace, kind: "svc", name };
}

export function formatObjectPath(p: ObjectPath): string {
  return p.namespace === null ? p.name : `${p.namespace}/${p.kind}/${p.name}`;
}
