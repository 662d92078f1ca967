/**
 * A keyword is one documented option of one section kind. The keyword table is the single
 * source of truth for parsing, defaults, validation, `print config`, `svcmgr keywords` and
 * the svcmgr.conf(5) man page.
 */

export type SectionKind = "DEFAULT" | "task" | "fs" | "ip" | "app" | "subset";

/** Sections of the node configuration, `<etc>/node.conf`. */
export type NodeSectionKind = "node" | "listener" | "log" | "history" | "limits" | "cluster";

export type Converter =
  | "string"
  | "command"
  | "bool"
  | "int"
  | "duration"
  | "size"
  | "list"
  | "environment"
  | "umask"
  | "schedule"
  | "requires"
  | "retcodes"
  | "timezone"
  | "enum"
  | "store"
  | "decimal"
  | "path"
  | "urls"
  | "image"
  | "words"
  | "volumes"
  | "run_args";

export interface Keyword {
  readonly section: SectionKind | NodeSectionKind;
  readonly option: string;
  readonly converter: Converter;
  /** Raw default value, converted like a configured one. */
  readonly default?: string;
  /** DEFAULT keyword consulted when the section does not set this one (task.schedule → run_schedule). */
  readonly inherit?: string;
  /** Allowed values for `enum`. */
  readonly candidates?: readonly string[];
  /** May be set per node: `keyword@node`, `keyword@nodes`, `keyword@drpnodes`. */
  readonly scopable: boolean;
  readonly required?: boolean;
  /** With `required`: required only for these driver types (a task's `command` is required for `host` only). */
  readonly requiredTypes?: readonly string[];
  /** Smallest allowed value for `int`, in bytes for `size`. */
  readonly min?: number;
  /**
   * Restricts the keyword to these driver types (fs: "directory" vs mounted filesystems; task:
   * host, podman, container_update). Elsewhere it is ignored with a warning (fs) or refused (task).
   */
  readonly types?: readonly string[];
  /** Accepted for compatibility, ignored: validation warns with this text. */
  readonly ignored?: string;
  /** The value may hold a password (a store URL): shown, in errors and `print config`, with it masked. */
  readonly secret?: boolean;
  readonly text: string;
  readonly example?: string;
}
