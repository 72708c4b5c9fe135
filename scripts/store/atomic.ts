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

/** Write a file atomically: bytes, text, or text in pieces (each written as it comes). */
export function writeFileAtomic(path: string, data: string | Uint8Array | Iterable<string>): void {
  const tmp = tempPath(dirname(path));
  let fd: number | null = null;
  try {
    fd = openSync(tmp, "w");
    const write = (bytes: Uint8Array) => {
      let written = 0;
      while (written < bytes.length) written += writeSync(fd!, bytes, written, bytes.length - written);
    };
    if (typeof data === "string") write(Buffer.from(data, "utf8"));
    else if (data instanceof Uint8Array) write(data);
    else for (const piece of data) write(Buffer.from(piece, "utf8"));
    fsyncSync(fd);
    closeSync(fd);
    fd = null;
    renameSync(tmp, path);
  } catch (error) {
    if (fd !== null) closeSync(fd);
    rmSync(tmp, {force: true});
    throw error;
  }
  fsyncDir(dirname(path));
}

/** A fresh temporary file's path in `dir` (created if missing), to be renamed into place or removed. */
export function tempPath(dir: string, what?: string): string {
  mkdirSync(dir, {recursive: true});
  return join(dir, tempName(what ? `-${what}` : ""));
}

/** Make a rename in `dir` durable. */
export function fsyncDir(dir: string): void {
  try {
    const fd = openSync(dir, "r");
    fsyncSync(fd);
    closeSync(fd);
  } catch {
    // Some filesystems refuse fsync on directories; the rename is still atomic.
  }
}

/** A file written in pieces (a temporary file of a streamed import): text buffered up to 1 MB, bytes written through. */
export class FileWriter {
  readonly fd: number;
  private buffer: string[] = [];
  private size = 0;

  constructor(
    readonly path: string,
    mode: "w" | "a" = "w"
  ) {
    this.fd = openSync(path, mode);
  }

  write(text: string): void {
    this.buffer.push(text);
    this.size += text.length;
    if (this.size >= 1 << 20) this.flush();
  }

  writeBytes(bytes: Uint8Array): void {
    this.flush();
    let done = 0;
    while (done < bytes.length) done += writeSync(this.fd, bytes, done, bytes.length - done);
  }

  flush(): void {
    if (!this.buffer.length) return;
    const data = Buffer.from(this.buffer.join(""), "utf8");
    this.buffer = [];
    this.size = 0;
    let done = 0;
    while (done < data.length) done += writeSync(this.fd, data, done, data.length - done);
  }

  close(sync: boolean): void {
    this.flush();
    if (sync) fsyncSync(this.fd);
    closeSync(this.fd);
  }
}
