import { open } from "node:fs/promises";

/** Up to `max` bytes of `path` from byte `offset` (fewer at its end, none past it); null when the file does not exist. */
export async function readFileRange(path: string, offset: number, max: number): Promise<Buffer | null> {
  let fh;
  try {
    fh = await open(path, "r");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw e;
  }
  try {
    const buf = Buffer.allocUnsafe(max);
    const { bytesRead } = await fh.read(buf, 0, max, offset);
    return buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}
