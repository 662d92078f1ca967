/**
 * etcd for the cluster tests. `.ci/etcd.sh` starts a throw-away server and exports its URL as
 * SVCMGR_TEST_ETCD_URL; tests that stop, freeze or restart etcd start their own from the same
 * binary (`etcd` on PATH, or SVCMGR_TEST_ETCD_BIN). Without either, the tests are skipped with
 * a message (and fail under SVCMGR_TEST_REQUIRE_ALL=1).
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { skipUnless } from "./require-all.js";

const ETCD_BIN = process.env.SVCMGR_TEST_ETCD_BIN ?? "etcd";

export const etcdBinaryFound = spawnSync(ETCD_BIN, ["--version"], { stdio: "ignore" }).status === 0;

/** The shared server's URL (from .ci/etcd.sh), or null. */
export const sharedEtcdUrl: string | null = process.env.SVCMGR_TEST_ETCD_URL || null;

/** `skip` for tests that need an etcd, shared or their own. */
export function skipUnlessEtcd(): string | false {
  return skipUnless(sharedEtcdUrl !== null || etcdBinaryFound, "needs etcd: set SVCMGR_TEST_ETCD_URL (.ci/etcd.sh) or install Debian's etcd-server");
}

/** `skip` for tests that stop or restart etcd themselves. */
export function skipUnlessEtcdBinary(): string | false {
  return skipUnless(etcdBinaryFound, "needs the etcd binary (Debian's etcd-server) to start, stop and restart its own etcd");
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
    s.on("error", reject);
  });
}

/** A throw-away single-member etcd on free loopback ports; `restart` keeps its data and ports. */
export class TestEtcd {
  private child: ChildProcess | null = null;
  private constructor(private readonly dir: string, private readonly clientPort: number, private readonly peerPort: number) {}

  get url(): string {
    return `http://127.0.0.1:${this.clientPort}`;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  static async start(): Promise<TestEtcd> {
    const dir = mkdtempSync(join(tmpdir(), "svcmgr-test-etcd-"));
    const client = await freePort();
    let peer = await freePort();
    while (peer === client) peer = await freePort();
    const etcd = new TestEtcd(dir, client, peer);
    await etcd.launch();
    return etcd;
  }

  private async launch(): Promise<void> {
    const peerUrl = `http://127.0.0.1:${this.peerPort}`;
    this.child = spawn(ETCD_BIN, [
      "--name", "t", "--data-dir", join(this.dir, "data"),
      "--listen-client-urls", this.url, "--advertise-client-urls", this.url,
      "--listen-peer-urls", peerUrl, "--initial-advertise-peer-urls", peerUrl, "--initial-cluster", `t=${peerUrl}`,
    ], { stdio: "ignore" });
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline) {
      try {
        const r = await fetch(`${this.url}/v3/kv/range`, { method: "POST", body: '{"key":"AA=="}', signal: AbortSignal.timeout(1000) });
        if (r.ok) return;
      } catch {
        // not up yet
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`etcd did not answer on ${this.url} within 20 s`);
  }

  /** Stops it (SIGKILL: an outage, not a clean leave) and waits until the process is gone. */
  async kill(): Promise<void> {
    const child = this.child;
    this.child = null;
    if (child === null || child.exitCode !== null) return;
    const gone = new Promise((r) => child.once("exit", r));
    child.kill("SIGKILL");
    await gone;
  }

  async restart(): Promise<void> {
    await this.kill();
    await this.launch();
  }

  async stop(): Promise<void> {
    await this.kill();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** The shared etcd's URL, else a private one started for the test file (stopped after it). */
export async function etcdUrlFor(t: { after(fn: () => Promise<void> | void): void }): Promise<string> {
  if (sharedEtcdUrl !== null) return sharedEtcdUrl;
  const own = await TestEtcd.start();
  t.after(() => own.stop());
  return own.url;
}

/** A key prefix no other test uses. */
export function uniquePrefix(name: string): string {
  return `/svcmgr-test/${name}-${process.pid}-${Math.random().toString(36).slice(2, 10)}/`;
}
