/**
 * One streaming completion request, timed from just before it is sent, keeping what the server reported
 * (`usage`, `timings`) verbatim. Never throws: a failed request is its result.
 */
import type {Status} from "../../schema/schema.js";
import type {Api} from "./result-file.js";
import {CONNECTION_TRIES} from "./http.js";
import {readEvents} from "./sse.js";

export interface StreamRequest {
  url: string;
  headers: Record<string, string>;
  body: Record<string, unknown>;
  api: Api;
  timeoutMs: number;
  /** Aborts the request from outside (Ctrl-C); distinct from the timeout. */
  signal?: AbortSignal;
}

export interface StreamResult {
  status: Status;
  error: string | null;
  http_status: number | null;
  /** The error response body as the server sent it. */
  error_body: string | null;
  /** performance.now() just before fetch was called; every other time is relative to it, in ms. */
  sent_at: number;
  headers_ms: number | null;
  first_byte_ms: number | null;
  first_event_ms: number | null;
  first_content_ms: number | null;
  last_content_ms: number | null;
  end_ms: number | null;
  content_times_ms: number[];
  /** Network reads that carried content events: fewer than the events when several arrived together. */
  content_reads: number;
  usage: unknown;
  timings: unknown;
  finish_reason: string | null;
  saw_done: boolean;
  /** Events whose data was not JSON (kept out of the timing, counted so they are not silent). */
  invalid_events: number;
  system_fingerprint: string | null;
}

interface Chunk {
  choices?: Array<{delta?: Record<string, unknown>; text?: unknown; finish_reason?: unknown}>;
  usage?: unknown;
  timings?: unknown;
  error?: unknown;
  system_fingerprint?: unknown;
}

/** A chunk carries content when a choice has non-empty text, content, or reasoning (llama-benchy counts reasoning as tokens too). */
function hasContent(chunk: Chunk, api: Api): boolean {
  for (const choice of chunk.choices ?? []) {
    if (api === "completions" && typeof choice.text === "string" && choice.text !== "") return true;
    const delta = choice.delta ?? {};
    for (const key of ["content", "reasoning_content", "reasoning"]) {
      if (typeof delta[key] === "string" && delta[key] !== "") return true;
    }
    if (
      api === "completions" &&
      typeof choice.text !== "string" &&
      typeof delta.content === "string" &&
      delta.content !== ""
    )
      return true;
  }
  return false;
}

/** The message of an OpenAI-style error body (`{"error":{"message":…}}`), else the body itself. */
export function errorMessage(body: string): string {
  try {
    const parsed = JSON.parse(body) as {error?: unknown; message?: unknown; detail?: unknown};
    const error = parsed.error;
    if (error && typeof error === "object" && typeof (error as {message?: unknown}).message === "string")
      return (error as {message: string}).message;
    if (typeof error === "string") return error;
    if (typeof parsed.message === "string") return parsed.message;
    if (typeof parsed.detail === "string") return parsed.detail;
  } catch {
    // not JSON: the text is the message
  }
  return body.trim().slice(0, 2000);
}

function emptyResult(sent_at: number): StreamResult {
  return {
    status: "ok",
    error: null,
    http_status: null,
    error_body: null,
    sent_at,
    headers_ms: null,
    first_byte_ms: null,
    first_event_ms: null,
    first_content_ms: null,
    last_content_ms: null,
    end_ms: null,
    content_times_ms: [],
    content_reads: 0,
    usage: null,
    timings: null,
    finish_reason: null,
    saw_done: false,
    invalid_events: 0,
    system_fingerprint: null
  };
}

/**
 * A request the server never saw: sent on a pooled keep-alive connection that the server closed as it was reused
 * (llama-server's cpp-httplib closes a connection idle for 5 s; a client stalled by a loaded machine can reuse it
 * after that, before it has read the server's FIN). Fetch fails with no response; the connection had answered
 * earlier requests (`bytesRead` > 0), so it was a reused one, not a server that died on this request.
 */
function staleConnection(error: unknown): boolean {
  const cause = (error as {cause?: {code?: string; socket?: {bytesRead?: number}}}).cause;
  if (cause?.code === "UND_ERR_SOCKET") return (cause.socket?.bytesRead ?? 0) > 0;
  return cause?.code === "ECONNRESET" || cause?.code === "EPIPE";
}

/**
 * Sends the request, and sends it again on another connection when a stale keep-alive connection dropped it
 * unanswered (up to CONNECTION_TRIES: after a concurrency-N test, N pooled connections may be stale). Each try
 * is timed from its own send: a dropped try is not part of the measurement.
 */
export async function streamRequest(request: StreamRequest): Promise<StreamResult> {
  for (let attempt = 1; ; attempt++) {
    const {result, dropped} = await streamOnce(request);
    if (!dropped || attempt === CONNECTION_TRIES) return result;
  }
}

/** One try; `dropped`: a stale connection dropped it unanswered. */
async function streamOnce(request: StreamRequest): Promise<{result: StreamResult; dropped: boolean}> {
  const timeout = AbortSignal.timeout(request.timeoutMs);
  const signal = request.signal ? AbortSignal.any([request.signal, timeout]) : timeout;
  const payload = JSON.stringify(request.body);
  const sent_at = performance.now();
  const result = emptyResult(sent_at);
  const since = (t: number) => t - sent_at;
  let answered = false;
  try {
    const response = await fetch(request.url, {
      method: "POST",
      headers: {"content-type": "application/json", accept: "text/event-stream", ...request.headers},
      body: payload,
      signal
    });
    answered = true;
    result.headers_ms = since(performance.now());
    result.http_status = response.status;
    if (!response.ok || !response.body) {
      const body = await response.text();
      result.end_ms = since(performance.now());
      result.status = "error";
      result.error_body = body;
      result.error = `HTTP ${response.status}: ${errorMessage(body)}`;
      return {result, dropped: false};
    }
    const times = await readEvents(response.body, ({data, at}) => {
      if (data === "[DONE]") {
        result.saw_done = true;
        return;
      }
      let chunk: Chunk;
      try {
        chunk = JSON.parse(data) as Chunk;
      } catch {
        result.invalid_events++;
        return;
      }
      if (chunk.error !== undefined && result.status === "ok") {
        // Some servers (vLLM) report a failure inside the stream.
        result.status = "error";
        result.error = `error event: ${errorMessage(data)}`;
      }
      if (chunk.usage !== undefined && chunk.usage !== null) result.usage = chunk.usage;
      if (chunk.timings !== undefined && chunk.timings !== null) result.timings = chunk.timings;
      if (typeof chunk.system_fingerprint === "string") result.system_fingerprint = chunk.system_fingerprint;
      if (Array.isArray(chunk.choices) && chunk.choices.length > 0) {
        result.first_event_ms ??= since(at);
        for (const choice of chunk.choices)
          if (typeof choice.finish_reason === "string") result.finish_reason = choice.finish_reason;
        if (hasContent(chunk, request.api)) {
          const t = since(at);
          if (t !== result.last_content_ms) result.content_reads++;
          result.first_content_ms ??= t;
          result.last_content_ms = t;
          result.content_times_ms.push(t);
        }
      }
    });
    result.first_byte_ms = times.firstByte === null ? null : since(times.firstByte);
    result.end_ms = since(times.end);
    return {result, dropped: false};
  } catch (error) {
    result.end_ms = since(performance.now());
    const reason = signal.aborted ? (signal.reason as {name?: string} | undefined) : undefined;
    if (reason?.name === "TimeoutError") {
      result.status = "timeout";
      result.error = timeout.aborted
        ? `no complete response within ${request.timeoutMs / 1000} s`
        : "the cell's time limit was reached";
    } else if (signal.aborted) {
      result.status = "error";
      result.error = "interrupted";
    } else {
      result.status = "error";
      result.error = describeFetchError(error);
    }
    return {result, dropped: !answered && !signal.aborted && staleConnection(error)};
  }
}

/** undici hides the reason (ECONNREFUSED, socket closed) in `cause`. */
function describeFetchError(error: unknown): string {
  const e = error as {message?: string; cause?: {message?: string; code?: string}};
  const cause = e.cause
    ? `: ${e.cause.code ?? ""}${e.cause.code && e.cause.message ? " " : ""}${e.cause.message ?? ""}`
    : "";
  return `${e.message ?? String(error)}${cause}`;
}
