/**
 * runs/<run id>.json, the file a run's page reads, and the raw lines it quotes.
 */
import {hideLocalPaths} from "./local-paths.js";
import {closeSync, existsSync, openSync, readFileSync, readSync, statSync} from "node:fs";
import {StringDecoder} from "node:string_decoder";
import {join} from "node:path";
import {limitShare, resultEfficiency, runEfficiency, type RunEfficiency} from "../efficiency/efficiency.js";
import {machineLabel, type MachineAliases} from "../schema/machine.js";
import {describedHardware, hardwareLabel, modelLabel} from "../schema/row.js";
import type {Run} from "../schema/schema.js";
import {SCHEMA_VERSION} from "../schema/schema.js";
import type {SourceRecord, Store} from "../store/store.js";
import {unchanged, writeDerived} from "./files.js";
/** Attachments shown on a run's page, as text (a bench plan, a capture record), when small. */
const RUN_ATTACHMENT_ROLES = new Set(["plan", "capture"]);
const RUN_ATTACHMENT_MAX_BYTES = 256 * 1024;
/** Results embedded in a run's file (per-repetition samples left out: their count stays). */
export const RUN_RESULTS_MAX = 100;

/**
 * runs/<run id>.json: everything a run's page shows. Rewritten by every export (replaced only when its bytes
 * change), so a page never shows an older import.
 */
export function writeRunFile(
  store: Store,
  source: SourceRecord,
  run: Run,
  total: number,
  dir: string,
  raw: RawLines,
  aliases?: MachineAliases,
  keepPaths = false
): void {
  const attachments = (source.attachments ?? [])
    .filter((a) => RUN_ATTACHMENT_ROLES.has(a.role))
    .map((a) => {
      const path = join(store.root, a.raw);
      const size = existsSync(path) ? statSync(path).size : null;
      return {
        role: a.role,
        sha256: a.sha256,
        bytes: size,
        text:
          size !== null && size <= RUN_ATTACHMENT_MAX_BYTES
            ? keepPaths
              ? readFileSync(path, "utf8")
              : hideLocalPaths(readFileSync(path, "utf8"))
            : null
      };
    });
  const blocks = source.blocks.filter(
    (b) => b.line_start <= run.source.line_end && b.line_end >= run.source.line_start
  );
  // A page shows the first results; a run of thousands (a long log) is queried in the explorer instead.
  const results = run.results
    .slice(0, RUN_RESULTS_MAX)
    .map(({samples, ...r}) => (samples ? {...r, samples_n: samples.length} : r));
  // Each result's share of its hardware's limit (docs/efficiency.md), computed once per model/settings override.
  const efficiencies = new Map<string, RunEfficiency>();
  const limits = run.results.slice(0, RUN_RESULTS_MAX).map((r) => {
    const key = r.model || r.settings ? JSON.stringify([r.model ?? null, r.settings ?? null]) : "";
    let efficiency = efficiencies.get(key);
    if (!efficiency) efficiencies.set(key, (efficiency = runEfficiency(run, r)));
    const e = resultEfficiency(efficiency, r);
    const share = limitShare(r.kind, e);
    return share === null
      ? null
      : {
          share,
          peak_device: efficiency.peak.device,
          peak_bw_gbs: efficiency.peak.bw_gbs,
          peak_tflops: efficiency.peak.tflops,
          bytes_per_token: e.bytes_per_token,
          flops_per_token: e.flops_per_token
        };
  });
  const excerpt = excerptLines(
    run.source.line_start,
    raw.clamp(run.source.line_end),
    results.map((r) => r.line)
  ).map((n) => [n, raw.line(n) ?? ""]);
  const detail = {
    schema: SCHEMA_VERSION,
    hardware_label: hardwareLabel(run, aliases),
    hardware_described_as: machineLabel(describedHardware(run), aliases).described_as,
    model_label: modelLabel(run.model),
    source: {
      sha256: source.sha256,
      name: source.name,
      bytes: source.bytes,
      lines: source.lines,
      imported_at: source.imported_at,
      tags: source.tags,
      blocks
    },
    attachments,
    excerpt,
    results_total: total,
    /** Per result shown: its share of the hardware's limit, or null (docs/efficiency.md). */
    limits,
    run: {...run, results}
  };
  const path = join(dir, `${run.id}.json`);
  const text = JSON.stringify(detail);
  if (unchanged(path, text)) return;
  writeDerived(path, text);
}

/** Where RawLines reads into: reads are synchronous, so one buffer serves every instance. */
const READ_BUFFER = Buffer.allocUnsafe(64 * 1024);

/**
 * A raw input's physical lines (split at \r\n, \n or \r, BOM dropped), read
 * in chunks as far as asked: run files quote a run's first lines and those
 * its first results came from, and the other megabytes of a large input
 * need not be read. Holds only the lines split so far.
 */
export class RawLines {
  private readonly lines: string[] = [];
  /** Text read but not yet split into lines (a line may continue in the next chunk). */
  private rest = "";
  private position = 0;
  private done = false;
  private started = false;
  private count: number | null = null;
  private atEnd = false;
  private readonly decoder = new StringDecoder("utf8");
  constructor(
    private readonly path: string,
    /** The input's line count as stored (scripts/document/lines.ts: without the empty piece after a final line break). */
    private readonly storedLines: number
  ) {}

  /** Read one more chunk; false at the end of the file. */
  private more(fd: number, buffer: Buffer): boolean {
    const n = readSync(fd, buffer, 0, buffer.length, this.position);
    this.position += n;
    let text = n > 0 ? this.decoder.write(buffer.subarray(0, n)) : this.decoder.end();
    if (!this.started) {
      text = text.replace(/^\uFEFF/, "");
      this.started = text.length > 0 || n === 0;
    }
    this.rest += text;
    return n > 0;
  }

  /** Line n (1-based), or undefined past the end. */
  line(n: number): string | undefined {
    if (this.lines.length >= n || this.done) return this.lines[n - 1];
    const fd = openSync(this.path, "r");
    try {
      const buffer = READ_BUFFER;
      while (this.lines.length < n && !this.done) {
        const breaks = /\r\n|\n|\r/g;
        let m: RegExpExecArray | null;
        let from = 0;
        // A \r at the very end may be the first half of \r\n: split it only once more text (or the end) is known.
        while ((m = breaks.exec(this.rest)) && this.lines.length < n) {
          if (m[0] === "\r" && m.index === this.rest.length - 1 && !this.atEnd) break;
          this.lines.push(this.rest.slice(from, m.index));
          from = m.index + m[0].length;
        }
        this.rest = this.rest.slice(from);
        if (this.lines.length >= n) break;
        if (this.atEnd) {
          this.lines.push(this.rest);
          this.rest = "";
          this.done = true;
        } else if (!this.more(fd, buffer)) this.atEnd = true;
      }
    } finally {
      closeSync(fd);
    }
    return this.lines[n - 1];
  }

  /** min(lineEnd, number of pieces of the split text); counted only when lineEnd could exceed it. */
  clamp(lineEnd: number): number {
    // The split text has the stored line count of pieces, or one more (the empty piece after a final break).
    if (lineEnd <= this.storedLines) return lineEnd;
    this.count ??= readFileSync(this.path, "utf8")
      .replace(/^\uFEFF/, "")
      .split(/\r\n|\n|\r/).length;
    return Math.min(lineEnd, this.count);
  }
}

/**
 * The raw lines a run's page shows: its whole line range when that is short,
 * else its first lines and a few lines around each line a value came from.
 */
export function excerptLines(
  lineStart: number,
  lineEnd: number,
  valueLines: number[],
  {maxLines = 200, context = 1} = {}
): number[] {
  if (lineEnd - lineStart + 1 <= maxLines)
    return Array.from({length: Math.max(0, lineEnd - lineStart + 1)}, (_, i) => lineStart + i);
  const keep = new Set<number>();
  for (let n = lineStart; n <= Math.min(lineEnd, lineStart + 2); n++) keep.add(n);
  for (const line of [...new Set(valueLines)].sort((a, b) => a - b)) {
    if (keep.size >= maxLines) break;
    for (let n = Math.max(lineStart, line - context); n <= Math.min(lineEnd, line + context); n++) keep.add(n);
  }
  return [...keep].sort((a, b) => a - b);
}
