/**
 * A local OpenAI-compatible streaming server with known timing, for testing
 * and benchmarking the endpoint client.
 *
 * Per request it follows a script: headers after `headersAfterMs`, the first
 * event with choices (a role delta, as llama-server and vLLM send) after
 * `firstEventAfterMs`, the first content token after `firstTokenAfterMs`,
 * then tokens at `tokensPerSecond`, then a finish chunk and a usage chunk
 * (with llama-server-style `timings` when asked) and `data: [DONE]`. Every
 * send is scheduled against absolute target times (no drift) and its actual
 * time is recorded (performance.now(), the same clock as an in-process
 * client), so tests compare the client's measurements with what was really
 * sent, not with timer promises.
 *
 * It also answers GET /v1/models, GET /health and, unless disabled, a
 * word-level POST /tokenize and /detokenize (llama-server's request shapes,
 * or vLLM's).
 *
 * Run alone (for perf, in another process):
 *   node --import tsx test/helpers/streaming-server.ts '{"tokensPerSecond":100,…}'
 * prints `listening <port>`; GET /__records returns the send records (its own clock), POST /__reset clears them.
 */
import {createServer, type IncomingMessage, type ServerResponse} from "node:http";
import {createServer as createNetServer, type AddressInfo} from "node:net";

export interface StreamScript {
  headersAfterMs?: number;
  firstEventAfterMs?: number;
  firstTokenAfterMs?: number;
  tokens?: number;
  tokensPerSecond?: number;
  /** Tokens per SSE event (a server that batches its stream, e.g. SGLang's stream_interval). */
  tokensPerEvent?: number;
  /** Send the final usage chunk (default true); with `timings`, llama-server's timings too. */
  usage?: boolean;
  timings?: boolean;
  /** Completion tokens the server reports, when it should differ from what it streams. */
  reportedCompletionTokens?: number;
  /** Cached prompt tokens reported in usage.prompt_tokens_details / timings.cache_n. */
  cachedTokens?: number;
  /** Write each event in pieces, split inside the JSON and between `\n` and `\n`, each piece its own write. */
  splitEvents?: boolean;
  /** Answer with this HTTP status and body instead of streaming. */
  status?: number;
  errorBody?: string;
  /** Never send: `headers` (nothing at all) or `stream` (headers and the first event, then nothing). */
  hang?: "headers" | "stream";
  /** Completions (`text`) or chat (`delta.content`) chunks; default: by the URL. */
}

export interface SendRecord {
  path: string;
  body: Record<string, unknown>;
  /** performance.now() when the whole request body had arrived. */
  arrived: number;
  headers: number | null;
  firstEvent: number | null;
  /** performance.now() of each content event's write, one entry per event. */
  events: number[];
  /** performance.now() when the last byte of each content event was written (differs from `events` with splitEvents). */
  eventsDone: number[];
  /** Tokens in each content event. */
  eventTokens: number[];
  promptTokens: number;
  ended: number | null;
}

export interface StreamingServer {
  /** `http://127.0.0.1:<port>/v1` */
  base: string;
  port: number;
  records: SendRecord[];
  close(): Promise<void>;
}

export type ScriptFor = StreamScript | ((body: Record<string, unknown>, index: number) => StreamScript);

const wait = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, Math.max(0, ms)));
/** Resolve at or after `target` (performance.now()): Node timers may fire up to a millisecond early, so finish with setImmediate turns. */
async function untilTime(target: number): Promise<void> {
  for (let left = target - performance.now(); left > 0; left = target - performance.now()) {
    if (left > 1) await wait(left - 1);
    else await new Promise<void>((resolve) => setImmediate(resolve));
  }
}

/** Word-level tokenizer shared by /tokenize, /detokenize and usage.prompt_tokens. */
class WordVocab {
  private ids = new Map<string, number>();
  private words: string[] = [];
  encode(text: string): number[] {
    return text
      .split(/\s+/)
      .filter(Boolean)
      .map((w) => {
        let id = this.ids.get(w);
        if (id === undefined) {
          id = this.words.length;
          this.words.push(w);
          this.ids.set(w, id);
        }
        return id;
      });
  }
  decode(ids: number[]): string {
    return ids.map((id) => this.words[id] ?? "").join(" ");
  }
}

/** Template overhead per chat message (like `<|im_start|>role\n…<|im_end|>\n`). */
export const TEMPLATE_TOKENS_PER_MESSAGE = 4;

function promptTokensOf(body: Record<string, unknown>, vocab: WordVocab): number {
  if (Array.isArray(body.messages)) {
    return (body.messages as Array<{content?: unknown}>).reduce(
      (n, m) => n + vocab.encode(String(m.content ?? "")).length + TEMPLATE_TOKENS_PER_MESSAGE,
      0
    );
  }
  return vocab.encode(String(body.prompt ?? "")).length;
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

function json(response: ServerResponse, status: number, value: unknown): void {
  const text = JSON.stringify(value);
  response.writeHead(status, {"content-type": "application/json", "content-length": Buffer.byteLength(text)});
  response.end(text);
}

/** `tokenize`: llama-server's /tokenize and /detokenize (default), vLLM's shapes (`"vllm"`), or none (`false`). */
export async function startStreamingServer(
  scriptFor: ScriptFor,
  options: {tokenize?: boolean | "vllm"; model?: string; port?: number} = {}
): Promise<StreamingServer> {
  const records: SendRecord[] = [];
  const vocab = new WordVocab();
  const model = options.model ?? "test-model";
  const open = new Set<ServerResponse>();
  let index = 0;
  const server = createServer(async (request, response) => {
    open.add(response);
    response.on("close", () => open.delete(response));
    const text = await readBody(request);
    const arrived = performance.now();
    const path = (request.url ?? "/").split("?")[0];
    if (request.method === "GET" && path === "/v1/models")
      return json(response, 200, {object: "list", data: [{id: model, object: "model", owned_by: "benchbook-test"}]});
    if (request.method === "GET" && path === "/health") return json(response, 200, {status: "ok"});
    if (request.method === "GET" && path === "/__records") return json(response, 200, records);
    if (request.method === "POST" && path === "/__reset") {
      records.length = 0;
      return json(response, 200, {ok: true});
    }
    let body: Record<string, unknown> = {};
    try {
      body = text ? (JSON.parse(text) as Record<string, unknown>) : {};
    } catch {
      return json(response, 400, {error: {code: 400, message: "invalid JSON", type: "invalid_request_error"}});
    }
    if (options.tokenize === "vllm" && request.method === "POST" && (path === "/tokenize" || path === "/detokenize")) {
      // vLLM's shapes: {model, prompt} → {tokens, count, max_model_len}; {model, tokens} → {prompt}. No `prompt`: 400, as its validation.
      if (path === "/tokenize" && typeof body.prompt !== "string")
        return json(response, 400, {
          object: "error",
          message: "Field required: prompt",
          type: "BadRequestError",
          code: 400
        });
      if (path === "/tokenize") {
        const tokens = vocab.encode(body.prompt as string);
        return json(response, 200, {count: tokens.length, max_model_len: 4096, tokens});
      }
      return json(response, 200, {prompt: vocab.decode((body.tokens as number[]) ?? [])});
    }
    if (options.tokenize !== false && request.method === "POST" && path === "/tokenize")
      return json(response, 200, {tokens: vocab.encode(String(body.content ?? ""))});
    if (options.tokenize !== false && request.method === "POST" && path === "/detokenize")
      return json(response, 200, {content: vocab.decode((body.tokens as number[]) ?? [])});
    if (request.method === "POST" && (path === "/v1/chat/completions" || path === "/v1/completions")) {
      const script = typeof scriptFor === "function" ? scriptFor(body, index++) : scriptFor;
      const record: SendRecord = {
        path,
        body,
        arrived,
        headers: null,
        firstEvent: null,
        events: [],
        eventsDone: [],
        eventTokens: [],
        promptTokens: promptTokensOf(body, vocab),
        ended: null
      };
      records.push(record);
      return stream(response, script, record, path === "/v1/completions" ? "completions" : "chat", model);
    }
    json(response, 404, {error: {code: 404, message: `no ${request.method} ${path}`, type: "not_found_error"}});
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    base: `http://127.0.0.1:${port}/v1`,
    port,
    records,
    async close() {
      for (const response of open) response.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  };
}

async function stream(
  response: ServerResponse,
  script: StreamScript,
  record: SendRecord,
  api: "chat" | "completions",
  model: string
): Promise<void> {
  const start = record.arrived;
  await untilTime(start + (script.headersAfterMs ?? 0));
  if (script.hang === "headers") return; // the client's timeout (or close()) ends it
  if (script.status !== undefined) {
    response.writeHead(script.status, {
      "content-type": "application/json",
      "content-length": Buffer.byteLength(script.errorBody ?? "")
    });
    response.end(script.errorBody ?? "");
    record.headers = performance.now();
    return;
  }
  response.writeHead(200, {"content-type": "text/event-stream", "cache-control": "no-cache"});
  response.flushHeaders();
  record.headers = performance.now();
  const id = `chatcmpl-${record.arrived.toFixed(0)}`;
  const chunk = (choices: unknown[], extra: Record<string, unknown> = {}) =>
    JSON.stringify({
      choices,
      created: 1795313910,
      id,
      model,
      object: api === "chat" ? "chat.completion.chunk" : "text_completion",
      ...extra
    });
  const write = async (data: string) => {
    const event = `data: ${data}\n\n`;
    if (!script.splitEvents) return void response.write(event);
    // Cut inside the JSON and between the two newlines, with a pause so each piece is its own TCP read.
    const cuts = [0, 7, Math.floor(event.length / 2), event.length - 1, event.length];
    for (let i = 0; i < cuts.length - 1; i++) {
      response.write(event.slice(cuts[i], cuts[i + 1]));
      if (i < cuts.length - 2) await wait(2);
    }
  };
  if (api === "chat") {
    await untilTime(start + (script.firstEventAfterMs ?? script.firstTokenAfterMs ?? 0));
    record.firstEvent = performance.now();
    await write(chunk([{finish_reason: null, index: 0, delta: {role: "assistant", content: null}}]));
  }
  if (script.hang === "stream") return;
  const tokens = script.tokens ?? 16;
  const perEvent = script.tokensPerEvent ?? 1;
  const interval = 1000 / (script.tokensPerSecond ?? 100);
  const firstToken = start + (script.firstTokenAfterMs ?? 0);
  for (let sent = 0; sent < tokens;) {
    const n = Math.min(perEvent, tokens - sent);
    // The event goes out when its last token is due.
    await untilTime(firstToken + (sent + n - 1) * interval);
    const t = performance.now();
    if (api === "completions") record.firstEvent ??= t;
    record.events.push(t);
    record.eventTokens.push(n);
    const text = Array.from({length: n}, (_, k) => ` tok${sent + k}`).join("");
    await write(
      chunk(
        api === "chat"
          ? [{finish_reason: null, index: 0, delta: {content: text}}]
          : [{text, index: 0, logprobs: null, finish_reason: null}]
      )
    );
    record.eventsDone.push(performance.now());
    sent += n;
  }
  const completion = script.reportedCompletionTokens ?? tokens;
  const cached = script.cachedTokens ?? 0;
  const usage = {
    completion_tokens: completion,
    prompt_tokens: record.promptTokens,
    total_tokens: completion + record.promptTokens,
    prompt_tokens_details: {cached_tokens: cached}
  };
  const firstAt = record.events[0] ?? start;
  const lastAt = record.events.at(-1) ?? start;
  const timings = {
    cache_n: cached,
    prompt_n: record.promptTokens - cached,
    prompt_ms: firstAt - start,
    prompt_per_second: ((record.promptTokens - cached) / (firstAt - start)) * 1000,
    predicted_n: completion,
    predicted_ms: lastAt - firstAt,
    predicted_per_second: ((completion - 1) / (lastAt - firstAt)) * 1000
  };
  await write(
    chunk(
      api === "chat"
        ? [{finish_reason: "length", index: 0, delta: {}}]
        : [{text: "", index: 0, logprobs: null, finish_reason: "length"}]
    )
  );
  if (script.usage !== false) await write(chunk([], {usage, ...(script.timings ? {timings} : {})}));
  await write("[DONE]");
  record.ended = performance.now();
  response.end();
}

/** A TCP port nobody listens on right now (for a server started as a separate program). */
export async function freePort(): Promise<number> {
  const probe = createNetServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const {port} = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

// Run alone: `node --import tsx test/helpers/streaming-server.ts '<script JSON>' [port]`
if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) {
  const script = JSON.parse(process.argv[2] ?? "{}") as StreamScript;
  const server = await startStreamingServer(script, {port: Number(process.argv[3] ?? 0)});
  process.stdout.write(`listening ${server.port}\n`);
  process.on("SIGTERM", () => void server.close().then(() => process.exit(0)));
}
