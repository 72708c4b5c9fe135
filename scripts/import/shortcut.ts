/**
 * A shortcut past format detection for whole llama-bench JSONL files (most of a large store): full detection
 * costs several times the parse. It applies only when reading with llama-bench-jsonl alone provably gives what
 * every format gives (no line split, one block of top confidence, no earlier format ties); otherwise null.
 * test/import/shortcut.test.ts compares both on every fixture.
 */
import {toDoc} from "../document/lines.js";
import {llamaBenchJsonl} from "../formats/llama-bench/jsonl.js";
import {FORMATS} from "../formats/registry.js";
import type {Format} from "../formats/types.js";

/** The highest confidence a block can have (formats/types.ts). */
const TOP_CONFIDENCE = 1;

/**
 * The formats that read `text` exactly as the full list `formats` would, when
 * that is llama-bench-jsonl alone; null when full detection is needed.
 */
export function shortcutFormats(text: string, formats: readonly Format[] = FORMATS): readonly Format[] | null {
  const order = formats.indexOf(llamaBenchJsonl);
  if (order < 0) return null;
  // Cheap refusals first: a JSONL file starts with a record.
  const start = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  if (text.length === 0 || !/^\s*\{/.test(text.slice(start, start + 64))) return null;
  const doc = toDoc("", text, []);
  const last = doc.lines.length - 1;
  const blocks = llamaBenchJsonl.scan(doc);
  if (blocks.length !== 1 || blocks[0].start !== 0 || blocks[0].end !== last || blocks[0].confidence < TOP_CONFIDENCE)
    return null;
  // Each splitter once (llama-bench and llama-batched-bench share the table one).
  for (const unflatten of new Set(formats.map((format) => format.unflatten))) {
    if (!unflatten) continue;
    for (const line of doc.lines) if (unflatten(line.text)) return null;
  }
  for (const format of formats.slice(0, order)) {
    if (format.scan(doc).some((block) => block.confidence >= TOP_CONFIDENCE)) return null;
  }
  return [llamaBenchJsonl];
}
