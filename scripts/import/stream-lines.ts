/** Reading a huge input in chunks: its hash, its head, its physical lines. */
import {createHash} from "node:crypto";
import {closeSync, openSync, readSync} from "node:fs";

/** The head that chooses the format; at least MODE_CHARS characters (line-log.ts) whatever the encoding. */
const HEAD_BYTES = 1024 * 1024;
/** A line longer than this is kept truncated (a logged prompt); no log format reads such lines. */
const MAX_LINE_CHARS = 1024 * 1024;

/** Physical lines from decoded chunks, split as splitPhysicalLines splits (LF, CRLF, CR). */
export class LineSplitter {
  private partial = "";
  private partialTruncated = false;
  private pendingCR = false;
  count = 0;

  constructor(private readonly emit: (text: string, line: number) => void) {}

  push(text: string): void {
    let start = 0;
    if (this.pendingCR) {
      this.pendingCR = false;
      if (text.startsWith("\n")) start = 1;
    }
    const breaks = /\r\n?|\n/g;
    breaks.lastIndex = start;
    for (let m = breaks.exec(text); m !== null; m = breaks.exec(text)) {
      this.take(text, start, m.index);
      this.flush();
      // A CR that ends this chunk may be the first half of a CRLF split across chunks.
      if (m[0] === "\r" && m.index === text.length - 1) this.pendingCR = true;
      start = breaks.lastIndex;
    }
    this.take(text, start, text.length);
  }

  end(): void {
    if (this.partial !== "" || this.partialTruncated) this.flush();
  }

  private take(text: string, from: number, to: number): void {
    if (from >= to || this.partialTruncated) return;
    const room = MAX_LINE_CHARS - this.partial.length;
    if (to - from > room) {
      this.partial += text.slice(from, from + room);
      this.partialTruncated = true;
    } else this.partial += text.slice(from, to);
  }

  private flush(): void {
    this.emit(this.partial, ++this.count);
    this.partial = "";
    this.partialTruncated = false;
  }
}

export function hashFile(path: string, chunkBytes: number): string {
  const hash = createHash("sha256");
  const fd = openSync(path, "r");
  try {
    const buf = Buffer.alloc(chunkBytes);
    for (let n = readSync(fd, buf, 0, chunkBytes, null); n > 0; n = readSync(fd, buf, 0, chunkBytes, null))
      hash.update(buf.subarray(0, n));
  } finally {
    closeSync(fd);
  }
  return hash.digest("hex");
}

/** The first bytes of a file, cut at the last line break, decoded (null when not UTF-8). */
export function readHead(path: string): string | null {
  const fd = openSync(path, "r");
  try {
    const buf = Buffer.alloc(HEAD_BYTES);
    const n = readSync(fd, buf, 0, HEAD_BYTES, 0);
    let end = n;
    if (n === HEAD_BYTES) {
      const lastBreak = Math.max(buf.lastIndexOf(10, n - 1), buf.lastIndexOf(13, n - 1));
      if (lastBreak > 0) end = lastBreak + 1;
    }
    if (buf[0] === 0xff || buf[0] === 0xfe) return null; // UTF-16: read whole
    try {
      return new TextDecoder("utf-8", {fatal: true}).decode(buf.subarray(0, end));
    } catch {
      return null;
    }
  } finally {
    closeSync(fd);
  }
}
