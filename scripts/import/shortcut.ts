/**
 * A shortcut through format detection for whole llama-bench `-o jsonl`
 * files — what `benchbook bench` captures and what large stores are mostly
 * made of. Full detection runs every format's scanner over every line
 * (about 70 ms of CPU per MB of JSONL with 27 formats, several times the cost
 * of reading the records); when the text is one llama-bench JSONL block from
 * its first line to its last, only a few of them can change the outcome, and
 * those few are run here.
 *
 * The reader (scripts/document/read.ts) keeps the blocks with the highest
 * confidence, ties going to the format listed first in the registry, and a
 * block covering every line overlaps every other block. So, when
 *
 *   1. no format splits any line of the text (`unflatten`), so the logical
 *      lines are the physical ones whichever formats are asked;
 *   2. llama-bench-jsonl finds one block spanning every line, with the
 *      highest confidence a block can have (1: formats/types.ts, Block);
 *   3. no format listed before llama-bench-jsonl finds a block of that
 *      confidence (it would win the tie),
 *
 * reading the text with llama-bench-jsonl alone gives exactly what reading it
 * with every format gives: the same block, the same runs, the same ignored
 * lines (none outside the block), the same errors. Each condition is checked
 * on the text itself; anything else returns null and is detected in full.
 * test/import/shortcut.test.ts compares both readings on every fixture.
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
