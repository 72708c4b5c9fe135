/** A streamed import's store side: the runs file assembled from per-run temporary result files, renamed into place last. */
import {closeSync, existsSync, openSync, readSync, renameSync, rmSync} from "node:fs";
import {dirname, join} from "node:path";
import type {ParsedRun} from "../formats/types.js";
import type {Result} from "../schema/schema.js";
import {FileWriter, fsyncDir, tempPath} from "../store/atomic.js";
import type {SourceRecord, Store, StoredInput} from "../store/store.js";
import {serializeInput} from "../store/store.js";

const CHUNK_BYTES = 4 * 1024 * 1024;

export interface StreamedRun {
  run: ParsedRun;
  resultsPath: string;
  count: number;
}

const marker = (k: number) => `\u0000benchbook-streamed-results-${k}`;

/**
 * How many runs the store holds for an input, read from its source record
 * (the start of the runs file) so that a huge runs file is not parsed whole.
 */
export function storedRunCount(store: Store, sha: string): number {
  const marker = ',\n  "runs": [';
  const fd = openSync(store.runsPath(sha), "r");
  try {
    const buf = Buffer.alloc(CHUNK_BYTES);
    const decoder = new TextDecoder("utf-8");
    let text = "";
    for (
      let n = readSync(fd, buf, 0, CHUNK_BYTES, null);
      n > 0 && text.length < 256 * 1024 * 1024;
      n = readSync(fd, buf, 0, CHUNK_BYTES, null)
    ) {
      text += decoder.decode(buf.subarray(0, n), {stream: true});
      const at = text.indexOf(marker);
      if (at >= 0) {
        const head = JSON.parse(text.slice(0, at) + "}") as {source: SourceRecord};
        return head.source.blocks.reduce((sum, b) => sum + b.runs, 0);
      }
    }
  } finally {
    closeSync(fd);
  }
  return store.read(sha).runs.length;
}

/**
 * The raw copy, then the runs file — the commit point — each renamed into
 * place. The runs file is the store's serialization with the streamed
 * results spliced in where the serializer prints them.
 */
export function writeStore(store: Store, stored: StoredInput, runs: StreamedRun[], rawTemp: string): void {
  const rawPath = join(store.root, stored.source.raw);
  if (existsSync(rawPath)) rmSync(rawTemp, {force: true});
  else renameSync(rawTemp, rawPath);
  fsyncDir(dirname(rawPath));

  const skeleton: StoredInput = {
    ...stored,
    runs: stored.runs.map((r, k) => ({...r, results: [marker(k) as unknown as Result]}))
  };
  const text = serializeInput(skeleton);
  const runsPath = store.runsPath(stored.source.sha256);
  const out = new FileWriter(tempPath(dirname(runsPath), "runs"));
  try {
    let from = 0;
    runs.forEach((r, k) => {
      const quoted = JSON.stringify(marker(k));
      const at = text.indexOf(quoted, from);
      const lineStart = text.lastIndexOf("\n", at) + 1;
      const indent = text.slice(lineStart, at);
      out.write(text.slice(from, lineStart));
      copyResults(r.resultsPath, out, indent);
      from = at + quoted.length;
    });
    out.write(text.slice(from));
    out.close(true);
    renameSync(out.path, runsPath);
    fsyncDir(dirname(runsPath));
  } catch (error) {
    rmSync(out.path, {force: true});
    throw error;
  }
}

/** One result per line in the temp file → `indent + result` lines joined by `,\n`, chunk by chunk. */
function copyResults(path: string, out: FileWriter, indent: string): void {
  const fd = openSync(path, "r");
  const buf = Buffer.alloc(CHUNK_BYTES);
  const decoder = new TextDecoder("utf-8");
  let carry = "";
  let first = true;
  const emit = (line: string) => {
    if (line === "") return;
    out.write((first ? "" : ",\n") + indent + line);
    first = false;
  };
  try {
    for (let n = readSync(fd, buf, 0, CHUNK_BYTES, null); n > 0; n = readSync(fd, buf, 0, CHUNK_BYTES, null)) {
      const lines = (carry + decoder.decode(buf.subarray(0, n), {stream: true})).split("\n");
      carry = lines.pop()!;
      lines.forEach(emit);
    }
    emit(carry + decoder.decode());
  } finally {
    closeSync(fd);
  }
}
