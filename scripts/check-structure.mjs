// Checks the shape of src/: which folder may import which (the layers below), no import cycle
// between files or between folders, Node I/O only in platform/ (and the executable's loader),
// and no file over 400 lines.
// Usage: node scripts/check-structure.mjs [--format json]   (exit 1 when something is wrong)
import { readdirSync, readFileSync, statSync, existsSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const SRC = join(ROOT, "src");
const MAX_LINES = 400;

// Each folder of src/ (a file directly in src/ is its own unit) and the units it may import.
// Lower layers never import higher ones: core ← config, schedule ← cluster (etcd membership, ownership,
// slot claims: pure decisions and a port; the etcd client is in platform/), import, task ← resource ← run ←
// history ← scheduler ← service ← platform (which implements the ports) ← api ← ui ← daemon, cli.
// import/ (other schedulers' job files ⇄ services) is pure: it reads and writes text.
// Only the two composition roots (ROOTS) import platform/ among the units above it.
export const ALLOWED = {
  core: [],
  config: ["core"],
  schedule: ["core"],
  cluster: ["core", "config", "schedule"],
  import: ["core", "config", "schedule"],
  task: ["core", "config", "schedule"],
  resource: ["core", "config", "task"],
  run: ["core", "config", "schedule", "task", "resource"],
  history: ["core", "config", "task", "run"],
  scheduler: ["core", "config", "schedule", "task", "run", "history"],
  service: ["core", "config", "schedule", "cluster", "import", "task", "resource", "run", "history", "scheduler"],
  platform: ["core", "config", "schedule", "cluster", "import", "task", "resource", "run", "history", "scheduler", "service"],
  api: ["core", "config", "schedule", "cluster", "import", "task", "resource", "run", "history", "scheduler", "service"],
  ui: ["core", "config", "schedule", "cluster", "import", "task", "resource", "run", "history", "scheduler", "service", "api"],
  daemon: ["core", "config", "schedule", "cluster", "import", "task", "resource", "run", "history", "scheduler", "service", "api", "ui"],
  cli: ["core", "config", "schedule", "cluster", "import", "task", "resource", "run", "history", "scheduler", "service", "api", "ui", "daemon"],
  "index.ts": ["core", "config", "schedule", "task", "run", "platform"],
  types: [],
};

/**
 * The composition roots: one for a CLI invocation (cli/root.ts builds its App; cli/main.ts, the
 * full CLI's entry, prints help and the version), one for the daemon process. They alone build adapters.
 */
export const ROOTS = new Set(["cli/main.ts", "cli/root.ts", "daemon/root.ts"]);

// Modules that reach outside the process (files, processes, sockets, the terminal, the OS) or
// load compiled code: only platform/ and the executable's loader may import them.
const IO_MODULES = new Set([
  "fs", "fs/promises", "child_process", "net", "http", "https", "http2", "os", "dgram", "dns", "tls",
  "tty", "readline", "worker_threads", "cluster", "vm", "v8", "module", "inspector",
  "better-sqlite3", "pg",
]);
const IO_EXEMPT = new Set(["cli/launch.ts"]);

function walk(dir) {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? walk(p) : /\.tsx?$/.test(name) && !name.endsWith(".d.ts") ? [p] : [];
  });
}

// The source with comments, strings' insides and template literals blanked out, so only real
// import statements remain (string quotes are kept so specifiers can still be read).
function stripComments(text) {
  let out = "";
  for (let i = 0; i < text.length; ) {
    const c = text[i], n = text[i + 1];
    if (c === "/" && n === "/") { while (i < text.length && text[i] !== "\n") i++; continue; }
    if (c === "/" && n === "*") { const end = text.indexOf("*/", i + 2); i = end < 0 ? text.length : end + 2; out += " "; continue; }
    if (c === "`") {
      let j = i + 1, depth = 0;
      for (; j < text.length; j++) {
        if (text[j] === "\\") { j++; continue; }
        if (depth === 0 && text[j] === "`") break;
        if (text[j] === "$" && text[j + 1] === "{") { depth++; j++; } else if (text[j] === "}" && depth > 0) depth--;
      }
      out += "``"; i = j + 1; continue;
    }
    if (c === '"' || c === "'") {
      let j = i + 1;
      for (; j < text.length && text[j] !== c && text[j] !== "\n"; j++) if (text[j] === "\\") j++;
      out += text.slice(i, j + 1); i = j + 1; continue;
    }
    out += c; i++;
  }
  return out;
}

const IMPORT_RE = /(?:^|[;\n}])\s*(?:import|export)\s+(type\s+)?(?:[\w*{}\s,$]+?\s+from\s+)?["']([^"']+)["']|\bimport\(\s*["']([^"']+)["']\s*\)|\brequire\(\s*["']([^"']+)["']\s*\)/g;

export function importsOf(text) {
  const found = [];
  for (const m of stripComments(text).matchAll(IMPORT_RE)) found.push({ spec: m[2] ?? m[3] ?? m[4], typeOnly: Boolean(m[1]) });
  return found;
}

function resolveLocal(fromFile, spec) {
  const base = resolve(dirname(fromFile), spec);
  const candidates = [base, base.replace(/\.js$/, ".ts"), `${base}.ts`, join(base, "index.ts")];
  return candidates.find((p) => existsSync(p) && statSync(p).isFile());
}

export function unitOf(rel) {
  const parts = rel.split("/");
  return parts.length === 1 ? parts[0] : parts[0];
}

// Tarjan's strongly connected components; returns the components of more than one node.
function cycles(nodes, edges) {
  let index = 0;
  const idx = new Map(), low = new Map(), onStack = new Set(), stack = [], out = [];
  const visit = (v) => {
    idx.set(v, index); low.set(v, index); index++; stack.push(v); onStack.add(v);
    for (const w of edges.get(v) ?? []) {
      if (!idx.has(w)) { visit(w); low.set(v, Math.min(low.get(v), low.get(w))); }
      else if (onStack.has(w)) low.set(v, Math.min(low.get(v), idx.get(w)));
    }
    if (low.get(v) === idx.get(v)) {
      const comp = [];
      let w;
      do { w = stack.pop(); onStack.delete(w); comp.push(w); } while (w !== v);
      if (comp.length > 1 || (edges.get(v) ?? new Set()).has(v)) out.push(comp.sort());
    }
  };
  for (const v of nodes) if (!idx.has(v)) visit(v);
  return out;
}

export function checkStructure(srcDir = SRC) {
  const files = walk(srcDir).map((p) => relative(srcDir, p).split("\\").join("/")).sort();
  const problems = [];
  const fileEdges = new Map(), unitEdges = new Map();
  for (const rel of files) {
    const abs = join(srcDir, rel);
    const text = readFileSync(abs, "utf8");
    const lines = text.split("\n").length - (text.endsWith("\n") ? 1 : 0);
    if (lines > MAX_LINES) problems.push({ kind: "too-long", file: rel, detail: `${lines} lines (at most ${MAX_LINES})` });
    const unit = unitOf(rel);
    if (!(unit in ALLOWED)) problems.push({ kind: "unknown-folder", file: rel, detail: `src/${unit} has no place in the layers (scripts/check-structure.mjs)` });
    fileEdges.set(rel, new Set());
    for (const { spec } of importsOf(text)) {
      if (spec.startsWith(".")) {
        const target = resolveLocal(abs, spec);
        if (!target) continue;
        const to = relative(srcDir, target).split("\\").join("/");
        fileEdges.get(rel).add(to);
        const toUnit = unitOf(to);
        if (toUnit !== unit) {
          if (!unitEdges.has(unit)) unitEdges.set(unit, new Set());
          unitEdges.get(unit).add(toUnit);
          if (unit in ALLOWED && !ALLOWED[unit].includes(toUnit) && !(ROOTS.has(rel) && toUnit === "platform")) {
            problems.push({ kind: "layer", file: rel, detail: `imports ${to}: ${unit} may import only ${ALLOWED[unit].join(", ") || "nothing of src/"}` });
          }
        }
      } else {
        const mod = spec.replace(/^node:/, "");
        if (IO_MODULES.has(mod) && unit !== "platform" && !IO_EXEMPT.has(rel)) {
          problems.push({ kind: "io-outside-platform", file: rel, detail: `imports ${spec}: Node I/O belongs in platform/` });
        }
      }
    }
  }
  for (const comp of cycles(files, fileEdges)) problems.push({ kind: "file-cycle", file: comp[0], detail: `files import each other in a loop: ${comp.join(" ⇄ ")}` });
  for (const comp of cycles([...unitEdges.keys()], unitEdges)) problems.push({ kind: "folder-cycle", file: comp[0], detail: `folders import each other in a loop: ${comp.join(" ⇄ ")}` });
  return { files: files.length, problems };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { files, problems } = checkStructure();
  if (process.argv.includes("--format") && process.argv.includes("json")) {
    console.log(JSON.stringify({ files, problems }, null, 2));
  } else {
    for (const p of problems) console.log(`src/${p.file}: ${p.kind}: ${p.detail}`);
    console.log(problems.length === 0 ? `structure: ${files} files, no cycle, no upward import, none over ${MAX_LINES} lines` : `structure: ${problems.length} problem(s) in ${files} files`);
  }
  process.exit(problems.length === 0 ? 0 : 1);
}
