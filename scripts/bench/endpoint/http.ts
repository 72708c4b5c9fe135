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

export async function requestJson(url: string, init: {method?: string; headers?: Record<string, string>; body?: unknown; timeoutMs: number; signal?: AbortSignal}): Promise<JsonResponse> {
  const timeout = AbortSignal.timeout(init.timeoutMs);
  const signal = init.signal ? AbortSignal.any([init.signal, timeout]) : timeout;
  const send = () =>
    fetch(url, {
      method: init.method ?? (init.body === undefined ? "GET" : "POST"),
      headers: {...(init.body === undefined ? {} : {"content-type": "application/json"}), ...init.headers},
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
      signal
    });
  let response: Response;
  try {
    response = await send();
  } catch (error) {
    // A server may close an idle keep-alive connection just as it is reused
    // (llama-server's cpp-httplib after 5 s): fetch then fails without the
    // request having been answered. These requests are all idempotent, so one
    // more try, on a new connection, is safe; an abort or timeout is not retried.
    if (!(error instanceof TypeError) || signal.aborted) throw error;
    response = await send();
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
