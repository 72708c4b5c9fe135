/**
 * The endpoint runner's parameters: what a plan's `endpoint` section expands
 * to in one cell (one server configuration, a matrix of depths × prompt
 * sizes × generation lengths × concurrency levels). Validated here so a cell
 * built by hand or by the plan reader fails early, naming the key.
 */
import {z} from "zod";
import type {EndpointCellParams} from "../cells.js";

const count = (min: number) => z.number().int().min(min);

export const serverSchema = z.object({
  /** The server command as an argument array, program first; never a shell string. */
  argv: z.array(z.string()).min(1),
  /** Extra environment for the server (merged over the runner's environment). */
  env: z.record(z.string(), z.string()).default({}),
  cwd: z.string().nullable().default(null),
  /** Polled until it answers 200; default: `<root>/health`, then `<base_url>/models`. */
  health_url: z.string().url().nullable().default(null),
  startup_timeout_s: z.number().positive().default(300),
  /** Seconds between SIGTERM and SIGKILL. */
  stop_timeout_s: z.number().positive().default(10)
});

export const endpointParamsSchema = z.object({
  /** The OpenAI base URL, ending in `/v1` (`http://127.0.0.1:8080/v1`). */
  base_url: z.string().url(),
  api: z.enum(["chat", "completions"]).default("chat"),
  /** Model name sent with each request; null: the first model GET /models lists. */
  model: z.string().nullable().default(null),
  /** The inference engine behind the endpoint (`llama.cpp`, `vllm`, …); null: from the server command or /v1/models. */
  runtime: z.string().nullable().default(null),
  depths: z.array(count(0)).min(1).default([0]),
  pp: z.array(count(1)).min(1).default([2048]),
  tg: z.array(count(1)).min(1).default([32]),
  concurrency: z.array(count(1)).min(1).default([1]),
  /** Repetitions of each test (llama-benchy `--runs`). */
  runs: count(1).default(3),
  latency_mode: z.enum(["api", "generation", "none"]).default("api"),
  warmup: z.boolean().default(true),
  /** Send `ignore_eos: true` so exactly `tg` tokens are generated (llama-server, vLLM, SGLang honour it). */
  ignore_eos: z.boolean().default(true),
  /**
   * Subtract the chat template's tokens (measured by two probe requests) from
   * the prompt (depth 0) or the context (depth > 0), so the server processes
   * about pp + depth tokens, as llama-benchy's default `--adapt-prompt`.
   */
  adapt_prompt: z.boolean().default(true),
  /** `auto`: the server's /tokenize when it has one, else probe calibration. */
  tokenizer: z.enum(["auto", "server", "probe"]).default("auto"),
  request_timeout_s: z.number().positive().default(600),
  /** Name of the environment variable holding the API key (the key itself never enters a plan or a result). */
  api_key_env: z.string().nullable().default(null),
  /** Also send llama-server's `cache_prompt: false` (other servers ignore unknown fields). */
  no_cache: z.boolean().default(false),
  /** Merged into every request body (`temperature`…); recorded in the result. */
  extra_body: z.record(z.string(), z.unknown()).default({}),
  server: serverSchema.nullable().default(null)
});

export type EndpointParams = z.infer<typeof endpointParamsSchema>;
export type EndpointParamsInput = z.input<typeof endpointParamsSchema>;
export type ServerParams = z.infer<typeof serverSchema>;

/** Validate; the error names the key (`endpoint.depths[1]: …`). */
export function endpointParams(input: unknown): EndpointParams {
  const parsed = endpointParamsSchema.safeParse(input);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const path = issue.path.map((p) => (typeof p === "number" ? `[${p}]` : `.${String(p)}`)).join("");
  throw new Error(`endpoint${path}: ${issue.message}`);
}

/** The plan's cell parameters (scripts/bench/plan.ts, one cell per target) as the client's. */
export function fromCellParams(cell: EndpointCellParams): EndpointParams {
  const {target} = cell;
  return endpointParams({
    base_url: target.base_url,
    api: target.api,
    model: target.model,
    runtime: target.runtime ?? null,
    depths: cell.depths,
    pp: cell.prompt_tokens,
    tg: cell.gen_tokens,
    concurrency: cell.concurrency,
    runs: cell.runs,
    latency_mode: cell.latency_mode,
    warmup: cell.warmup,
    no_cache: cell.no_cache,
    request_timeout_s: cell.request_timeout_s,
    api_key_env: target.api_key_env ?? null,
    server: cell.server
      ? {
          argv: cell.server.command,
          env: cell.server.env,
          health_url: cell.server.health_url,
          startup_timeout_s: cell.server.startup_timeout_s
        }
      : null
  });
}

/** `http://host:port/v1` → `http://host:port` (where /health, /tokenize, /props live). */
export function serverRoot(baseUrl: string): string {
  return baseUrl.replace(/\/+$/, "").replace(/\/v1$/, "");
}

export function apiBase(baseUrl: string): string {
  return baseUrl.replace(/\/+$/, "");
}
