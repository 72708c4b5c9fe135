/**
 * Prompts of a given token count that no prefix cache has seen: each starts with a random nonce, then filler
 * seeded from it. Counts come from the server's /tokenize when it has one, else are calibrated from `usage`
 * (estimates).
 */
import {randomBytes} from "node:crypto";
import type {TokenCountingMethod, TokenSource} from "./result-file.js";

/** Plain, common words: filler that any tokenizer splits into ordinary tokens. */
const WORDS = (
  "time year people way day man thing woman life child world school state family student group country problem hand part place case week company system " +
  "program question work government number night point home water room mother area money story fact month lot right study book eye job word business issue " +
  "side kind head house service friend father power hour game line end member law car city community name president team minute idea kid body information " +
  "back parent face others level office door health person art war history party result change morning reason research girl guy moment air teacher force " +
  "education foot boy age policy music market sense nation plan college interest death experience effect class control care field development role effort " +
  "rate heart drug show leader light voice wife police mind price report decision son view relationship town road arm difference value building action model " +
  "season society tax director position player record paper space ground form event official matter center couple site project activity star table need court " +
  "oil situation cost industry figure street image phone data picture practice piece land product doctor wall patient worker news test movie north love support " +
  "technology step baby computer type attention film tree source organization hair window evidence population site river garden bridge stone cloud paper"
).split(/\s+/);

/** xorshift32: a small deterministic generator, so a text can be rebuilt from its nonce. */
function generator(seed: number): () => number {
  let x = seed >>> 0 || 0x9e3779b9;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x;
  };
}

export function newNonce(): string {
  return randomBytes(6).toString("hex");
}

/** The nonce followed by `words` filler words drawn from a generator seeded by the nonce and `salt`. */
export function fillerText(nonce: string, words: number, salt = 0): string {
  const next = generator(parseInt(nonce.slice(0, 8), 16) ^ Math.imul(salt + 1, 0x85ebca6b));
  const out = [nonce];
  for (let i = 0; i < words; i++) out.push(WORDS[next() % WORDS.length]);
  return out.join(" ");
}

export interface BuiltText {
  text: string;
  /** Tokens of `text` by the method's count, null where unknown. */
  tokens: number | null;
  source: TokenSource;
}

export interface TextBuilder {
  method: TokenCountingMethod;
  /** A text of `tokens` tokens starting with `nonce`; `salt` varies the filler for a second text of the same request. */
  build(tokens: number, nonce: string, salt: number): Promise<BuiltText>;
}

export interface HttpJson {
  /** POST a JSON body; resolves to the status and parsed JSON body (null when not JSON). */
  post(url: string, body: unknown): Promise<{status: number; json: unknown}>;
}

interface Tokenizer {
  style: string;
  tokenize(text: string): Promise<number[]>;
  detokenize(ids: number[]): Promise<string>;
}

function idsOf(json: unknown): number[] | null {
  const tokens = (json as {tokens?: unknown} | null)?.tokens;
  if (!Array.isArray(tokens)) return null;
  const ids = tokens.map((t) =>
    typeof t === "number"
      ? t
      : typeof t === "object" && t !== null && typeof (t as {id?: unknown}).id === "number"
        ? (t as {id: number}).id
        : NaN
  );
  return ids.every(Number.isInteger) ? ids : null;
}

/** llama-server: {content, add_special} → {tokens}; {tokens} → {content}. */
function llamaServerTokenizer(root: string, http: HttpJson): Tokenizer {
  return {
    style: "llama-server POST /tokenize, /detokenize",
    async tokenize(text) {
      const {status, json} = await http.post(`${root}/tokenize`, {content: text, add_special: false});
      const ids = status === 200 ? idsOf(json) : null;
      if (!ids) throw new Error(`/tokenize answered HTTP ${status}`);
      return ids;
    },
    async detokenize(ids) {
      const {status, json} = await http.post(`${root}/detokenize`, {tokens: ids});
      const content = (json as {content?: unknown} | null)?.content;
      if (status !== 200 || typeof content !== "string") throw new Error(`/detokenize answered HTTP ${status}`);
      return content;
    }
  };
}

/** vLLM: {model, prompt, add_special_tokens} → {tokens, count}; {model, tokens} → {prompt}. */
function vllmTokenizer(root: string, model: string | null, http: HttpJson): Tokenizer {
  return {
    style: "vllm POST /tokenize, /detokenize",
    async tokenize(text) {
      const {status, json} = await http.post(`${root}/tokenize`, {
        ...(model ? {model} : {}),
        prompt: text,
        add_special_tokens: false
      });
      const ids = status === 200 ? idsOf(json) : null;
      if (!ids) throw new Error(`/tokenize answered HTTP ${status}`);
      return ids;
    },
    async detokenize(ids) {
      const {status, json} = await http.post(`${root}/detokenize`, {...(model ? {model} : {}), tokens: ids});
      const prompt = (json as {prompt?: unknown} | null)?.prompt;
      if (status !== 200 || typeof prompt !== "string") throw new Error(`/detokenize answered HTTP ${status}`);
      return prompt;
    }
  };
}

/** The first tokenizer style that round-trips a probe text, or null. */
export async function findTokenizer(root: string, model: string | null, http: HttpJson): Promise<Tokenizer | null> {
  for (const candidate of [llamaServerTokenizer(root, http), vllmTokenizer(root, model, http)]) {
    try {
      const ids = await candidate.tokenize("benchmark tokenizer probe");
      if (ids.length === 0) continue;
      await candidate.detokenize(ids);
      return candidate;
    } catch {
      // not this style
    }
  }
  return null;
}

/**
 * Exactly `tokens` tokens by the server's tokenizer where it can be reached in
 * a few rounds: cut the filler's token ids, detokenize, count again, correct.
 */
export function serverTokenizerBuilder(tokenizer: Tokenizer): TextBuilder {
  return {
    method: {method: "server-tokenizer", detail: tokenizer.style},
    async build(tokens, nonce, salt) {
      // Every filler word is at least one token, so `tokens` words are enough.
      const ids = await tokenizer.tokenize(fillerText(nonce, tokens + 8, salt));
      let take = Math.min(tokens, ids.length);
      let text = "";
      let counted = 0;
      for (let round = 0; round < 4; round++) {
        text = (await tokenizer.detokenize(ids.slice(0, take))).replace(/^\s+/, "");
        counted = (await tokenizer.tokenize(text)).length;
        if (counted === tokens) break;
        const next = Math.max(1, Math.min(ids.length, take + (tokens - counted)));
        if (next === take) break;
        take = next;
      }
      return {text, tokens: counted, source: "client:tokenizer"};
    }
  };
}

/**
 * No tokenizer endpoint: the server's usage for prompts of two filler lengths
 * gives tokens per word (the slope) and the chat template's overhead (the
 * intercept). Counts of the built texts are estimates.
 */
export function calibratedBuilder(tokensPerWord: number, overheadTokens: number, detail: string): TextBuilder {
  return {
    method: {method: "probe-calibrated", detail, tokens_per_word: tokensPerWord, overhead_tokens: overheadTokens},
    async build(tokens, nonce, salt) {
      // The nonce itself is about as long as a few words; count it as part of the text.
      const words = Math.max(0, Math.round(tokens / tokensPerWord) - 1);
      const text = fillerText(nonce, words, salt);
      return {text, tokens: Math.round((words + 1) * tokensPerWord), source: "client:estimate"};
    }
  };
}

/** Neither a tokenizer nor usage: one word per token, said plainly. */
export function assumedBuilder(reason: string): TextBuilder {
  return {
    method: {method: "assumed", detail: `one filler word per token assumed (${reason})`},
    async build(tokens, nonce, salt) {
      return {text: fillerText(nonce, Math.max(0, tokens - 1), salt), tokens: null, source: "client:estimate"};
    }
  };
}

export const PROBE_WORDS = [32, 160] as const;
