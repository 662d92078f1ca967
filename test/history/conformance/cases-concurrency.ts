import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { ConformanceCase } from "./case.js";

const WRITER = fileURLToPath(new URL("../fixtures/store-writer.ts", import.meta.url));

interface Writer {
  readonly ready: Promise<void>;
  go(): void;
  /** Its report lines, once it exited with status 0. */
  readonly done: Promise<string[]>;
}

function startWriter(spec: string, count: number, tag: string): Writer {
  const child = spawn(process.execPath, ["--import", "tsx", WRITER, spec, String(count), tag], { stdio: ["pipe", "pipe", "pipe"] });
  let out = "";
  let err = "";
  let markReady!: () => void;
  const ready = new Promise<void>((resolve) => (markReady = resolve));
  child.stdout!.setEncoding("utf8").on("data", (s: string) => {
    out += s;
    if (out.startsWith("ready\n")) markReady();
  });
  child.stderr!.setEncoding("utf8").on("data", (s: string) => (err += s));
  const done = new Promise<string[]>((resolve, reject) =>
    child.on("exit", (code, signal) => (code === 0 ? resolve(out.split("\n").slice(1, -1)) : reject(new Error(`writer ${tag}: exit ${code ?? signal}: ${err}`)))),
  );
  return { ready, go: () => child.stdin!.end("go\n"), done };
}

/** Two processes (a CLI and a daemon) writing at once. */
export const concurrencyCases: readonly ConformanceCase[] = [
  {
    name: "two processes writing at once: every record kept, ids distinct, each contested slot recorded exactly once",
    timeout: 120_000,
    async run({ history, spec }) {
      const N = 150;
      const writers = [startWriter(spec, N, "a"), startWriter(spec, N, "b")];
      await Promise.all(writers.map((w) => w.ready));
      for (const w of writers) w.go();
      const [a, b] = (await Promise.all(writers.map((w) => w.done))) as [string[], string[]];
      const own = (lines: string[]) => lines.filter((l) => l.startsWith("own ")).map((l) => Number(l.slice(4)));
      const won = (lines: string[]) => lines.filter((l) => l.startsWith("won ")).map((l) => Number(l.slice(4)));
      assert.equal(own(a).length, N);
      assert.equal(own(b).length, N);
      assert.equal(new Set([...own(a), ...own(b)]).size, 2 * N);
      assert.deepEqual([...won(a), ...won(b)].sort((x, y) => x - y), Array.from({ length: N }, (_, i) => i), "each slot won by exactly one writer");
      const shared = await history.query({ rid: "task#shared" });
      assert.equal(shared.length, N);
      assert.equal(new Set(shared.map((r) => r.scheduledFor)).size, N);
      for (const r of shared) assert.equal(r.node, won(a).includes(r.scheduledFor!) ? "a" : "b");
      assert.deepEqual(await history.countByStatus({ rid: "task#a" }), { running: 0, succeeded: N, failed: 0, timed_out: 0, skipped: 0, missed: 0, aborted: 0, interrupted: 0 });
      assert.equal(await history.lastScheduled("db", "task#b"), N - 1);
    },
  },
];
