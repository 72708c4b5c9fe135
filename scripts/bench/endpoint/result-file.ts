/**
 * The endpoint client's result file (`benchbook_endpoint: 1`), read back by formats/benchbook/endpoint-json.ts.
 * Every test, aggregate and request is on its own line so each stored value keeps its line.
 */
import type {Status} from "../../schema/schema.js";

export const RESULT_FILE_VERSION = 1;

export type Api = "chat" | "completions";
export type LatencyMode = "api" | "generation" | "none";

/** Where a token count came from. Server-reported counts are preferred. */
export type TokenSource =
  | "server:timings.prompt_n"
  | "server:usage.prompt_tokens-cached_tokens"
  | "server:usage.prompt_tokens"
  | "server:usage.completion_tokens"
  | "server:timings.predicted_n"
  | "client:tokenizer"
  | "client:estimate"
  | "client:content-events";

export interface TokenCountingMethod {
  /** `server-tokenizer`: the server's /tokenize and /detokenize; `probe-calibrated`: usage of two probe requests; `assumed`: neither was available. */
  method: "server-tokenizer" | "probe-calibrated" | "assumed";
  /** Which endpoint style answered (`llama-server /tokenize`, `vllm /tokenize`), or the probe figures. */
  detail: string;
  /** Probe calibration: prompt tokens per filler word, and the fixed overhead (chat template) in tokens. */
  tokens_per_word?: number;
  overhead_tokens?: number;
}

/** The chat template's tokens around a user message (alone) and around a system context plus an empty user message. */
export interface PromptAdaptation {
  enabled: boolean;
  user_overhead_tokens: number | null;
  context_overhead_tokens: number | null;
  detail: string;
}

export interface MethodRecord {
  latency_mode: LatencyMode;
  /** Mean of latency_samples_ms; 0 in mode `none`. */
  latency_ms: number;
  latency_samples_ms: number[];
  token_counting: TokenCountingMethod;
  prompt_adaptation: PromptAdaptation;
  stddev_kind: "population";
  peak_window_s: number;
  warmup: boolean;
  /** How each request's context is made unseen by any cache. */
  cache_avoidance: string;
  notes: string[];
}

export interface TestRecord {
  test_id: number;
  n_depth: number;
  n_prompt: number;
  n_gen: number;
  concurrency: number;
  runs: number;
  /** llama-benchy's names: `pp64 @ d256 (c2)`, `tg16 @ d256 (c2)`; the ` (cN)` suffix only above 1. */
  pp_test: string;
  tg_test: string;
  status: Status;
  status_detail: string | null;
  requests_ok: number;
  requests_failed: number;
}

/** One statistic over the repetitions or requests of a test. */
export interface AggregateRecord {
  test_id: number;
  kind: "pp" | "tg";
  /** `throughput`, `throughput_per_request`, `ttfr`, `est_ppt`, `e2e_ttft`. */
  metric: string;
  unit: "tok/s" | "ms";
  /** `mean` (of values), or `peak` (the mean of per-repetition peak rates). */
  stat: "mean" | "peak";
  value: number | null;
  stddev: number | null;
  stddev_kind: "population" | null;
  /** The values behind the statistic: one per repetition (batch totals, c>1) or one per request. */
  values: number[];
  /** `repetition` or `request`: what one of `values` is. */
  per: "repetition" | "request";
  /** Token counts behind the rates, and where they came from. */
  token_sources: TokenSource[];
}

export interface RequestRecord {
  /** 0-based over the whole file. */
  request: number;
  test_id: number;
  repetition: number;
  /** Index within its batch of concurrent requests. */
  index: number;
  status: Status;
  error: string | null;
  http_status: number | null;
  started_at: string;
  /** ms after the batch started that this request was sent. */
  offset_ms: number;
  /** All times in ms after this request was sent (performance.now()). */
  headers_ms: number | null;
  first_byte_ms: number | null;
  ttfr_ms: number | null;
  e2e_ttft_ms: number | null;
  last_token_ms: number | null;
  end_ms: number | null;
  est_ppt_ms: number | null;
  /** Prompt tokens the server processed (cached ones excluded where reported), and where the count came from. */
  prompt_tokens: number | null;
  prompt_tokens_source: TokenSource | null;
  /** Tokens of the context and prompt text as built, and how they were counted (before the chat template). */
  sent_tokens: number | null;
  sent_tokens_source: TokenSource | null;
  completion_tokens: number | null;
  completion_tokens_source: TokenSource | null;
  /** SSE events that carried content (tokens as the client sees them). */
  content_events: number;
  /** Network reads those events came in: fewer than content_events when several arrived together (the rates then lose resolution). */
  content_reads: number;
  pp_throughput: number | null;
  tg_throughput: number | null;
  peak_throughput: number | null;
  finish_reason: string | null;
  nonce: string;
  /** Arrival of each content event, ms after the request was sent. */
  token_times_ms: number[];
  /** What the server reported, verbatim (`usage`, llama-server `timings`), null when absent. */
  usage: unknown;
  timings: unknown;
}

export interface EndpointResultFile {
  benchbook_endpoint: typeof RESULT_FILE_VERSION;
  tool: "benchbook-endpoint";
  tool_version: string;
  started_at: string;
  ended_at: string;
  status: Status;
  status_detail: string | null;
  endpoint: {
    base_url: string;
    api: Api;
    model: string | null;
    runtime: string | null;
    /** How the runtime was known: `plan`, `server command`, `/v1/models owned_by`. */
    runtime_source: string | null;
  };
  server: {
    /** argv as run, secrets redacted. */
    argv: string[];
    health_url: string;
    ready_ms: number | null;
    exit_code: number | null;
    signal: string | null;
  } | null;
  /** What the server said about itself, verbatim: GET /v1/models, and llama-server's /props when present. */
  server_info: {models: unknown; props: unknown; system_fingerprint: string | null};
  /** Request parameters common to every request (besides messages and max_tokens). */
  request_settings: Record<string, unknown>;
  method: MethodRecord;
  tests: TestRecord[];
  aggregates: AggregateRecord[];
  requests: RequestRecord[];
}

/**
 * JSON text with the arrays `tests`, `aggregates` and `requests` written one
 * element per line, everything else indented; a valid JSON document.
 */
export function serializeResultFile(file: EndpointResultFile): string {
  const lines: string[] = ["{"];
  const entries = Object.entries(file);
  entries.forEach(([key, value], i) => {
    const comma = i < entries.length - 1 ? "," : "";
    if (key === "tests" || key === "aggregates" || key === "requests") {
      const items = value as unknown[];
      if (items.length === 0) lines.push(`  ${JSON.stringify(key)}: []${comma}`);
      else {
        lines.push(`  ${JSON.stringify(key)}: [`);
        items.forEach((item, j) => lines.push(`    ${JSON.stringify(item)}${j < items.length - 1 ? "," : ""}`));
        lines.push(`  ]${comma}`);
      }
    } else {
      lines.push(`  ${JSON.stringify(key)}: ${JSON.stringify(value, null, 2).replace(/\n/g, "\n  ")}${comma}`);
    }
  });
  lines.push("}");
  return lines.join("\n") + "\n";
}
