/**
 * Per-request arrays of a saved serving result (vLLM `--save-detailed`, SGLang `--output-details`), in their
 * stored units. A failed request's zeros are placeholders, kept in extra, not as values; generated text is not stored.
 */
import type {Result} from "../../schema/schema.js";
import {serveResult, type ServeShape} from "./serving-run.js";

const ARRAYS: Record<string, {metric: string; unit: string}> = {
  ttfts: {metric: "ttft", unit: "s"},
  latencies: {metric: "e2el", unit: "s"},
  start_times: {metric: "start_time", unit: "s"},
  queue_times: {metric: "client_queue_time", unit: "s"},
  input_lens: {metric: "input_tokens", unit: "tokens"},
  output_lens: {metric: "output_tokens", unit: "tokens"}
};

/** Keys this module consumes. */
export const PER_REQUEST_KEYS = new Set([...Object.keys(ARRAYS), "itls", "errors", "generated_texts"]);

const isNumber = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v);

export function perRequestResults(
  shape: ServeShape,
  record: Record<string, unknown>,
  lineOf: (key: string) => number
): {results: Result[]; notes: string[]} {
  const results: Result[] = [];
  const notes: string[] = [];
  const errors = Array.isArray(record.errors) ? (record.errors as unknown[]) : [];
  const failed = (i: number) => typeof errors[i] === "string" && (errors[i] as string) !== "";
  const count = Math.max(
    0,
    ...[...Object.keys(ARRAYS), "itls", "errors"].map((k) =>
      Array.isArray(record[k]) ? (record[k] as unknown[]).length : 0
    )
  );
  for (let i = 0; i < count; i++) {
    if (failed(i)) {
      const printed = Object.fromEntries(
        Object.keys(ARRAYS).flatMap((k) => (Array.isArray(record[k]) ? [[k, (record[k] as unknown[])[i]]] : []))
      );
      results.push({
        ...serveResult(shape, {
          metric: "request",
          unit: "requests",
          stat: "value",
          value: 0,
          line: lineOf("errors"),
          scope: "request",
          request: i,
          extra: printed
        }),
        value: null,
        status: "error",
        status_detail: errors[i] as string
      });
      continue;
    }
    for (const [key, {metric, unit}] of Object.entries(ARRAYS)) {
      const values = record[key];
      if (!Array.isArray(values) || !isNumber(values[i])) continue;
      results.push(
        serveResult(shape, {
          metric,
          unit,
          stat: "value",
          value: values[i],
          line: lineOf(key),
          scope: "request",
          request: i
        })
      );
    }
    const gaps = Array.isArray(record.itls) ? (record.itls as unknown[])[i] : undefined;
    if (Array.isArray(gaps)) {
      gaps.forEach((gap, j) => {
        if (isNumber(gap))
          results.push(
            serveResult(shape, {
              metric: "itl",
              unit: "s",
              stat: "value",
              value: gap,
              line: lineOf("itls"),
              scope: "request",
              request: i,
              seq: j
            })
          );
      });
    }
  }
  if (Array.isArray(record.generated_texts))
    notes.push(`generated_texts (${record.generated_texts.length} texts) are not stored; the raw input keeps them`);
  return {results, notes};
}
