/**
 * `vllm bench serve --save-result` JSON (and `--append-result`, one object per line). `std_<m>_ms` is the
 * population sd of `mean_<m>_ms`; NaN/Infinity are listed in extra.non_finite, not stored as values; other
 * scalars are settings; per-request arrays: per-request.ts.
 */
import {findBenchCommand} from "../serving/bench-command.js";
import {readRecord, recordLimit, SERVING_KEYS} from "../serving/saved-record.js";
import {serveShape, servingRun} from "../serving/serving-run.js";
import {findJsonObjects, groupAdjacent, lineOfKey, parseLenient} from "../shared/json-blocks.js";
import {spanOf} from "../shared/json-text.js";
import type {Block, Context, Doc, Format, ParsedRun} from "../types.js";
import {ParseError} from "../types.js";
import {VLLM_BENCH, VLLM_LENGTHS} from "./command.js";

function isVllmRecord(text: string): boolean {
  return (
    /"(?:mean|median|p\d+)_(?:ttft|tpot|itl|e2el)_ms"\s*:/.test(text) &&
    /"(?:tokenizer_id|model_id|num_prompts|endpoint_type|total_token_throughput)"\s*:/.test(text) &&
    !/"(?:mean_e2e_latency_ms|total_output_tokens_retokenized)"\s*:/.test(text)
  );
}

function scan(doc: Doc): Block[] {
  return groupAdjacent(doc, findJsonObjects(doc, isVllmRecord)).map((group) => ({
    format: "vllm-serve-json",
    start: group[0].start,
    end: group.at(-1)!.end,
    confidence: 1,
    reason: `${group.length === 1 ? "a JSON object" : `${group.length} JSON objects`} with vLLM bench serve's result keys (model_id/tokenizer_id, mean_ttft_ms…)`
  }));
}

function parse(doc: Doc, block: Block, context: Context): ParsedRun[] {
  const span = spanOf(doc, block.start, block.end);
  const objects = findJsonObjects(doc, () => true, span);
  if (objects.length === 0)
    throw new ParseError(doc.lines[block.start].line, "a complete JSON object of vllm bench serve results");
  const bench = findBenchCommand(doc, block, context, VLLM_BENCH);
  return objects.map((object) => {
    const record = parseLenient(doc, span, object.from, object.to, "vllm bench serve results") as Record<
      string,
      unknown
    >;
    if (typeof record !== "object" || record === null || Array.isArray(record))
      throw new ParseError(doc.lines[object.start].line, "a JSON object of vllm bench serve results");
    const concurrency = typeof record.max_concurrency === "number" ? record.max_concurrency : null;
    const shape = serveShape(bench, concurrency, VLLM_LENGTHS, recordLimit(record));
    const read = readRecord(record, shape, SERVING_KEYS, (key) => lineOfKey(doc, span, key, object.from, object.to));
    const {model_id, date, ...settings} = read.settings;
    return servingRun(
      {
        tool: "vllm-bench-serve",
        format: "vllm-serve-json",
        line_start: doc.lines[object.start].line,
        line_end: doc.lines[object.end].line,
        results: read.results,
        model_name: typeof model_id === "string" ? model_id : null,
        bench: objects.length === 1 ? bench : null,
        settings,
        // `date` is the client's local time (`20250530-203806`) without a zone: kept as printed.
        extra: {...read.extra, ...(date !== undefined ? {date} : {})},
        notes: read.notes
      },
      doc,
      {...block, start: object.start, end: object.end},
      context
    );
  });
}

export const vllmServeJson: Format = {
  id: "vllm-serve-json",
  tool: "vllm-bench-serve",
  description:
    "vLLM `vllm bench serve --save-result` JSON (one object, or one per line with --append-result), with per-request arrays when saved",
  scan,
  parse
};
