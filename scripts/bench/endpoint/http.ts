/**
 * Small JSON requests around the benchmark (model list, tokenizer, health),
 * with a timeout each; they are never part of a timed measurement.
 */
import type {HttpJson} from "./prompts.js";

export interface JsonResponse {
  status: number;
  json: unknown;
  text: string;
}

/** Tries of a small request whose connection fails before any answer. */
export const CONNECTION_TRIES = 8;

export async function requestJson(
  url: string,
  init: {method?: string; headers?: Record<string, string>; body?: unknown; timeoutMs: number; signal?: AbortSignal}
): Promise<JsonResponse> {
  const timeout = AbortSignal.timeout(init.timeoutMs);
  const signal = init.signal ? AbortSignal.any([init.signal, timeout]) : timeout;
  const send = () =>
    fetch(url, {
      method: init.method ?? (init.body === undefined ? "GET" : "POST"),
      headers: {...(init.body === undefined ? {} : {"content-type": "application/json"}), ...init.headers},
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
      signal
    });
  // A server may close an idle keep-alive connection just as it is reused
  // (llama-server's cpp-httplib after 5 s): fetch then fails without the
  // request having been answered, and the pool drops that connection. After
  // a test at concurrency N there can be N such connections (seen on a loaded
  // machine after a concurrency-2 test), so a few more tries, each on the
  // next connection or a new one. These requests are all idempotent; an abort
  // or a timeout is not retried.
  let response: Response | null = null;
  for (let attempt = 1; response === null; attempt++) {
    try {
      response = await send();
    } catch (error) {
      if (!(error instanceof TypeError) || signal.aborted || attempt === CONNECTION_TRIES) throw error;
    }
  }
  const text = await response.text();
  let json: unknown = null;
  try {
    json = JSON.parse(text);
  } catch {
    // not JSON
  }
  return {status: response.status, json, text};
}

export function httpJson(headers: Record<string, string>, timeoutMs: number, signal?: AbortSignal): HttpJson {
  return {
    async post(url, body) {
      const {status, json} = await requestJson(url, {headers, body, timeoutMs, signal});
      return {status, json};
    }
  };
}
