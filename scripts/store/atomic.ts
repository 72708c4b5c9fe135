/**
 * Atomic file writes: a reader sees the old file or the new one, never half
 * of one. The data goes to a temporary file in the same directory, is flushed
 * to disk, and is renamed over the target (rename is atomic on one filesystem).
 */
import {createHash, randomBytes} from "node:crypto";
import {closeSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, writeSync} from "node:fs";
import {hostname} from "node:os";
import {dirname, join} from "node:path";

/**
 * This machine, as temporary files and the store's lock name it: a store on a
 * shared filesystem is written from several hosts, and another host's pid
 * says nothing about whether its writer still runs (store.ts).
 */
export const HOST_TAG = createHash("sha256").update(hostname()).digest("hex").slice(0, 8);

/** A temporary file's name, `.tmp-<pid>@<host>-<random><suffix>`. */
export function tempName(suffix = ""): string {
  return `.tmp-${process.pid}@${HOST_TAG}-${randomBytes(4).toString("hex")}${suffix}`;
}

export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  const dir = dirname(path);
  mkdirSync(dir, {recursive: true});
  const tmp = join(dir, tempName());
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
