import { closeSync, existsSync, fchmodSync, ftruncateSync, openSync, readSync, write, writeSync, writev } from "node:fs";
import { ensureDir, NOFOLLOW, removeFile } from "./fs-util.js";
import { dirname } from "node:path";
import { formatObjectPath, type ObjectPath } from "../core/object-path.js";
import type { Paths } from "../core/paths.js";
import type { OutputStream } from "../run/output-capture.js";
import { OutputTail } from "./output-tail.js";
import { utf8SuffixStart } from "../run/output-capture.js";

/** `<log>/runs/<svc path>/<rid>/<id>.log`, e.g. `/var/log/svcmgr/runs/prod/svc/db/task#0/42.log`. */
export function runLogPath(paths: Paths, objectPath: ObjectPath, rid: string, id: number): string {
  return `${paths.log}/runs/${formatObjectPath(objectPath)}/${rid}/${id}.log`;
}

export interface RunLog {
  readonly path: string;
  /**
   * Appends raw bytes (no prefix; both streams interleaved in arrival order). Never throws.
   * The chunk is kept until written: do not modify it afterwards (stream chunks never are).
   */
  write(stream: OutputStream, chunk: Buffer): void;
  /** Bytes accepted but not yet on disk; never more than `maxQueuedBytes`. */
  readonly queuedBytes: number;
  /**
   * Flushes and closes; rejects with the first write error, naming the file and how much of
   * the output it holds. After a write error the rest of the output is dropped (never throws).
   */
  close(): Promise<void>;
  /** Bytes left out of the file by `maxBytes` (known once closed). */
  readonly cutBytes: number;
}

export interface RunLogOptions {
  /** Bytes queued for asynchronous writing before writes turn synchronous. @default 1 MiB */
  readonly maxQueuedBytes?: number;
  /**
   * Largest file: beyond it the first half and the last half of the output are kept, with a
   * line saying how much was cut between them. 0 or unset: no limit.
   */
  readonly maxBytes?: number;
}

interface Pending {
  readonly chunk: Buffer;
  readonly position: number;
}

/**
 * A run's full output log (mode 0640, directories created, truncated if it exists). The file
 * is created on the first byte of output: a silent run creates nothing, and a stale file left
 * at that path is removed on close, so the path never shows another run's output.
 * Writes go to the thread pool one batch at a time, each at the file position reserved
 * when `write` was called, so the file is in arrival order whatever completes first.
 * Invariant: at most `maxQueuedBytes` wait in memory; beyond that a write is done
 * synchronously (the task outruns the disk: the event loop waits, memory stays flat).
 */
export function openRunLog(path: string, opts: RunLogOptions = {}): RunLog {
  return new RunLogFile(path, opts.maxQueuedBytes ?? 1 << 20, opts.maxBytes ?? 0);
}

/** The line between the kept head and tail of a capped output file. */
function cutMarker(cutBytes: number, maxBytes: number): string {
  return `\n[svcmgr: ${cutBytes} bytes of output cut here: the output file keeps its first and last ${Math.floor(maxBytes / 2)} bytes (output_max = ${maxBytes})]\n`;
}

function createLogFile(path: string): number {
  ensureDir(dirname(path), 0o750);
  const fd = openSync(path, NOFOLLOW.writeRead, 0o640); // read back when a capped output is cut (see #writeTail); never through a symlink planted at its name
  fchmodSync(fd, 0o640); // whatever the umask
  return fd;
}

class RunLogFile implements RunLog {
  readonly #queue: Pending[] = [];
  #fd: number | null = null;
  #queued = 0;
  #offset = 0;
  /** Bytes known to be on disk. */
  #written = 0;
  #writing = false;
  #closed = false;
  #error: Error | null = null;
  #drained: (() => void) | null = null;
  /** Output past `maxBytes`, when capped: its last half of `maxBytes`, put in place at close. */
  readonly #tail: OutputTail | null;
  readonly #cap: number;
  #cut = 0;

  constructor(readonly path: string, private readonly maxQueued: number, private readonly maxBytes: number) {
    this.#cap = maxBytes > 0 ? maxBytes : Infinity;
    this.#tail = maxBytes > 0 ? new OutputTail(maxBytes - Math.floor(maxBytes / 2)) : null;
  }

  get cutBytes(): number {
    return this.#cut;
  }

  write(_stream: OutputStream, whole: Buffer): void {
    if (this.#closed || whole.length === 0) return;
    const room = Math.max(0, this.#cap - this.#offset);
    if (room < whole.length) this.#tail!.push(whole.subarray(room));
    const chunk = room < whole.length ? whole.subarray(0, room) : whole;
    if (chunk.length === 0) return;
    const position = this.#offset;
    this.#offset += chunk.length;
    if (this.#error !== null) return;
    const fd = this.#fd ?? this.#create();
    if (fd === null) return;
    if (this.#queued + chunk.length > this.maxQueued) {
      this.#written += writeAllSync(fd, chunk, position, this.#fail);
      return;
    }
    this.#queue.push({ chunk, position });
    this.#queued += chunk.length;
    this.#pump();
  }

  #create(): number | null {
    try {
      return (this.#fd = createLogFile(this.path));
    } catch (e) {
      this.#fail(e);
      return null;
    }
  }

  get queuedBytes(): number {
    return this.#queued;
  }

  close(): Promise<void> {
    if (this.#closed) return Promise.reject(new Error(`run log ${this.path}: already closed`));
    this.#closed = true;
    return new Promise<void>((resolve, reject) => {
      this.#drained = () => {
        this.#writeTail();
        try {
          if (this.#fd !== null) closeSync(this.#fd);
          else if (this.#error === null && existsSync(this.path)) removeFile(this.path); // a silent run: usually nothing there
        } catch (e) {
          this.#fail(e);
        }
        if (this.#error === null) return resolve();
        const kept = this.#fd === null ? "nothing was written" : `${this.#written} of ${this.#offset} bytes written`;
        reject(new Error(`${this.#error.message} (${kept})`, { cause: this.#error.cause }));
      };
      this.#pump();
    });
  }

  /**
   * Capped output that went past the cap: the file holds the first `maxBytes`, the tail
   * keeper what came after (its last half at most). The file becomes the first half, the
   * cut line, and the last half of the output (read back from the file where the kept part
   * after the cap is shorter). A run under the cap costs nothing here.
   */
  #writeTail(): void {
    const tail = this.#tail;
    if (tail === null || tail.bytes === 0 || this.#error !== null || this.#fd === null) return;
    const fd = this.#fd;
    const half = Math.floor(this.maxBytes / 2);
    const fromFile = Math.max(0, this.maxBytes - half - tail.bytes);
    try {
      const before = Buffer.alloc(fromFile);
      readSync(fd, before, 0, fromFile, this.maxBytes - fromFile);
      const kept = [before, ...tail.chunks()].filter((b) => b.length > 0);
      const skip = utf8SuffixStart(kept[0]!);
      kept[0] = kept[0]!.subarray(skip);
      this.#cut = this.maxBytes + tail.dropped - half - fromFile + skip; // the whole output minus what is kept
      ftruncateSync(fd, half);
      this.#offset = half;
      this.#written = half;
      for (const part of [Buffer.from(cutMarker(this.#cut, this.maxBytes)), ...kept]) {
        const position = this.#offset;
        this.#offset += part.length;
        this.#written += writeAllSync(fd, part, position, this.#fail);
        if (this.#error !== null) return;
      }
    } catch (e) {
      this.#fail(e);
    }
  }

  readonly #fail = (e: unknown): void => {
    this.#error ??= new Error(`run log ${this.path}: ${(e as Error).message}`, { cause: e });
  };

  #pump(): void {
    if (this.#writing) return;
    if (this.#error !== null) this.#queue.splice(0).forEach((p) => (this.#queued -= p.chunk.length)); // the rest is dropped
    if (this.#queue.length === 0) return this.#drained?.();
    const batch = contiguous(this.#queue);
    this.#writing = true;
    writeBatch(this.#fd!, batch, (e, written) => {
      this.#writing = false;
      this.#written += written;
      for (const p of batch) this.#queued -= p.chunk.length;
      if (e) this.#fail(e);
      this.#pump();
    });
  }
}

/** Takes the leading chunks of `queue` that sit end to end in the file (at most 64). */
function contiguous(queue: Pending[]): Pending[] {
  let n = 1;
  while (n < queue.length && n < 64 && queue[n]!.position === queue[n - 1]!.position + queue[n - 1]!.chunk.length) n++;
  return queue.splice(0, n);
}

/** Writes a batch; `done` gets the error, if any, and how many bytes reached the file. */
function writeBatch(fd: number, batch: Pending[], done: (e: Error | null, written: number) => void): void {
  const total = batch.reduce((s, p) => s + p.chunk.length, 0);
  const position = batch[0]!.position;
  const finish = (e: Error | null, written: number) => {
    if (e || written === total) return done(e, e ? 0 : written);
    // Short write (a full disk, or rare): finish the rest synchronously at the right place.
    let err: Error | null = null;
    const rest = Buffer.concat(batch.map((p) => p.chunk)).subarray(written);
    const more = writeAllSync(fd, rest, position + written, (x) => void (err = x as Error));
    done(err, written + more);
  };
  if (batch.length === 1) write(fd, batch[0]!.chunk, 0, total, position, (e, w) => finish(e, w));
  else writev(fd, batch.map((p) => p.chunk), position, (e, w) => finish(e, w));
}

/** Writes all of `chunk` at `position`; returns the bytes written (fewer after a failure, reported to `fail`). */
function writeAllSync(fd: number, chunk: Buffer, position: number, fail: (e: unknown) => void): number {
  let done = 0;
  try {
    while (done < chunk.length) done += writeSync(fd, chunk, done, chunk.length - done, position + done);
  } catch (e) {
    fail(e);
  }
  return done;
}
