/**
 * The blocks of a JSON Lines output (llama-bench `-o jsonl`, llama-batched-bench `--output-format
 * jsonl`): runs of lines holding one record each. Captured with `2>&1`, stderr lines sit between
 * records and stay inside the block; a new command line starts another invocation, so another block.
 */
import {parseCommandLine} from "../../context/command.js";
import type {Block, Doc} from "../types.js";

export function recordLineBlocks(doc: Doc, record: RegExp, format: string, reason: string): Block[] {
  const blocks: Block[] = [];
  let start = -1;
  let last = -1;
  const close = () => {
    if (start >= 0) blocks.push({format, start, end: last, confidence: 1, reason});
    start = last = -1;
  };
  for (let i = 0; i < doc.lines.length; i++) {
    const text = doc.lines[i].text;
    if (record.test(text)) {
      if (start < 0) start = i;
      last = i;
    } else if (start >= 0 && parseCommandLine(text, doc.lines[i].line)) close();
  }
  close();
  return blocks;
}
