/**
 * Atomic file writes: a reader sees the old file or the new one, never half
 * of one. The data goes to a temporary file in the same directory, is flushed
 * to disk, and is renamed over the target (rename is atomic on one filesystem).
 */
import {randomBytes} from "node:crypto";
import {closeSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, writeSync} from "node:fs";
import {dirname, join} from "node:path";

export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  const dir = dirname(path);
  mkdirSync(dir, {recursive: true});
  const tmp = join(dir, `.tmp-${process.pid}-${randomBytes(4).toString("hex")}`);
  let fd: number | null = null;
  try {
    fd = openSync(tmp, "w");
    const bytes = typeof data === "string" ? Buffer.from(data, "utf8") : data;
    let written = 0;
    while (written < bytes.length) written += writeSync(fd, bytes, written, bytes.length - written);
    fsyncSync(fd);
    closeSync(fd);
    fd = null;
    renameSync(tmp, path);
  } catch (error) {
    if (fd !== null) closeSync(fd);
    rmSync(tmp, {force: true});
    throw error;
  }
  // Make the rename itself durable.
  try {
    const dfd = openSync(dir, "r");
    fsyncSync(dfd);
    closeSync(dfd);
  } catch {
    // Some filesystems refuse fsync on directories; the rename is still atomic.
  }
}
