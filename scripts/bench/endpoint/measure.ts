/**
 * Timed requests → the llama-benchy method's figures, per request and per batch of concurrent requests
 * (docs/endpoint-client.md). est_ppt = ttfr − latency is not clamped: a negative value says the latency
 * estimate is too high. Token counts are the server's when it reports them, else the client's; each figure
 * records which.
 */
import type {AggregateRecord, TokenSource} from "./result-file.js";
import type {StreamResult} from "./request.js";
import {mean, peakRate, populationStd} from "./stats.js";

export interface Counted {
  value: number | null;
  source: TokenSource | null;
}

const num = (v: unknown): number | null => (typeof v === "number" && Number.isFinite(v) ? v : null);
const field = (object: unknown, key: string): unknown =>
  object && typeof object === "object" ? (object as Record<string, unknown>)[key] : undefined;

/** Prompt tokens the server processed: llama-server timings.prompt_n (cached excluded), else usage minus cached tokens, else usage, else what the client counted. */
export function promptTokens(result: Pick<StreamResult, "usage" | "timings">, sent: Counted): Counted {
  const promptN = num(field(result.timings, "prompt_n"));
  if (promptN !== null) return {value: promptN, source: "server:timings.prompt_n"};
  const usagePrompt = num(field(result.usage, "prompt_tokens"));
  const cached = num(field(field(result.usage, "prompt_tokens_details"), "cached_tokens"));
  if (usagePrompt !== null && cached !== null)
    return {value: usagePrompt - cached, source: "server:usage.prompt_tokens-cached_tokens"};
  if (usagePrompt !== null) return {value: usagePrompt, source: "server:usage.prompt_tokens"};
  return sent;
}

/** Generated tokens: usage.completion_tokens, else timings.predicted_n, else content events counted by the client. */
export function completionTokens(result: Pick<StreamResult, "usage" | "timings" | "content_times_ms">): Counted {
  const usage = num(field(result.usage, "completion_tokens"));
  if (usage !== null) return {value: usage, source: "server:usage.completion_tokens"};
  const predicted = num(field(result.timings, "predicted_n"));
  if (predicted !== null) return {value: predicted, source: "server:timings.predicted_n"};
  return {value: result.content_times_ms.length, source: "client:content-events"};
}

/**
 * Tokens generated after the first content event. The first event's share is
 * estimated as tokens / events: exactly 1 for one token per event; for a
 * server that batches its stream (SGLang's stream_interval) the average.
 */
export function tokensAfterFirst(completion: number, events: number): number {
  return events > 0 ? completion - completion / events : 0;
}

export interface RequestFigures {
  ttfr_ms: number | null;
  e2e_ttft_ms: number | null;
  est_ppt_ms: number | null;
  prompt: Counted;
  completion: Counted;
  pp_throughput: number | null;
  tg_throughput: number | null;
  peak_throughput: number | null;
}

export function requestFigures(result: StreamResult, latencyMs: number, sent: Counted): RequestFigures {
  const prompt = promptTokens(result, sent);
  const completion = completionTokens(result);
  const ttfr = result.first_event_ms;
  const est_ppt = ttfr === null ? null : ttfr - latencyMs;
  const pp = est_ppt !== null && est_ppt > 0 && prompt.value !== null ? prompt.value / (est_ppt / 1000) : null;
  const first = result.first_content_ms;
  const last = result.last_content_ms;
  const events = result.content_times_ms.length;
  const tg =
    completion.value !== null && completion.value > 1 && events > 1 && first !== null && last !== null && last > first
      ? tokensAfterFirst(completion.value, events) / ((last - first) / 1000)
      : null;
  return {
    ttfr_ms: ttfr,
    e2e_ttft_ms: first,
    est_ppt_ms: est_ppt,
    prompt,
    completion,
    pp_throughput: pp,
    tg_throughput: tg,
    peak_throughput: peakRate(result.content_times_ms)
  };
}

/** A finished request placed on the batch's clock (ms after the batch's first send). */
export interface BatchMember {
  offset_ms: number;
  result: StreamResult;
  figures: RequestFigures;
}

export interface BatchFigures {
  pp_throughput: number | null;
  tg_throughput: number | null;
  peak_throughput: number | null;
  prompt_sources: TokenSource[];
  completion_sources: TokenSource[];
}

export function batchFigures(members: BatchMember[]): BatchFigures {
  const ok = members.filter((m) => m.result.status === "ok" && m.result.first_content_ms !== null);
  const sources = (pick: (m: BatchMember) => TokenSource | null) => [
    ...new Set(ok.map(pick).filter((s): s is TokenSource => s !== null))
  ];
  const figures: BatchFigures = {
    pp_throughput: null,
    tg_throughput: null,
    peak_throughput: null,
    prompt_sources: sources((m) => m.figures.prompt.source),
    completion_sources: sources((m) => m.figures.completion.source)
  };
  if (ok.length === 0) return figures;
  const at = (m: BatchMember, t: number) => m.offset_ms + t;
  const firstSend = Math.min(...ok.map((m) => m.offset_ms));
  const firstContents = ok.map((m) => at(m, m.result.first_content_ms!));
  const lastContents = ok.map((m) => at(m, m.result.last_content_ms ?? m.result.end_ms ?? m.result.first_content_ms!));
  if (ok.every((m) => m.figures.prompt.value !== null)) {
    const span = Math.max(...firstContents) - firstSend;
    const tokens = ok.reduce((n, m) => n + m.figures.prompt.value!, 0);
    if (span > 0) figures.pp_throughput = tokens / (span / 1000);
  }
  if (ok.every((m) => m.figures.completion.value !== null)) {
    const span = Math.max(...lastContents) - Math.min(...firstContents);
    const tokens = ok.reduce(
      (n, m) => n + tokensAfterFirst(m.figures.completion.value!, m.result.content_times_ms.length),
      0
    );
    if (span > 0 && tokens > 0) figures.tg_throughput = tokens / (span / 1000);
  }
  figures.peak_throughput = peakRate(ok.flatMap((m) => m.result.content_times_ms.map((t) => at(m, t))));
  return figures;
}

/** One aggregate over non-null values, population std. */
export function aggregate(
  base: Omit<AggregateRecord, "value" | "stddev" | "stddev_kind" | "values">,
  values: (number | null)[]
): AggregateRecord {
  const present = values.filter((v): v is number => v !== null);
  const std = populationStd(present);
  return {...base, value: mean(present), stddev: std, stddev_kind: std === null ? null : "population", values: present};
}
