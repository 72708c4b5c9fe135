/**
 * Huge-log import: a synthetic vLLM server log (default 1 GB) built from real
 * line shapes, imported the way `benchbook import server.log` imports it —
 * streamed (scripts/import/stream.ts) — into a temporary store. Reports the
 * import rate (MB/s of log) and the process's peak resident memory, which
 * must stay bounded however large the log is.
 *
 * The log is what a busy V1 server with request logging prints: for each
 * 10 s interval, several requests (`Received request … prompt: '…'`, with a
 * prompt of about 1.5 KB as vLLM logs it, `Added request`, the uvicorn access
 * line), then the `Engine 000:` stats line and the `SpecDecoding metrics:`
 * line (vllm/v1/metrics/loggers.py, vllm/v1/spec_decode/metrics.py formats).
 * Figures vary deterministically (a fixed-seed generator), so runs compare.
 *
 *   npm run perf -- log --size-mb 1024
 *   npx tsx perf/log-import.ts --size-mb 1024      # alone; prints the figures as JSON
 */
import {closeSync, mkdtempSync, openSync, rmSync, statSync, writeSync} from "node:fs";
import {tmpdir} from "node:os";
import {join} from "node:path";
import {fileURLToPath} from "node:url";
import {importInputs} from "../scripts/import/import.js";
import {fileInput} from "../scripts/import/stream.js";
import {Store} from "../scripts/store/store.js";

export interface LogImportFigures {
  log_mb: number;
  lines: number;
  intervals: number;
  generate_s: number;
  import_s: number;
  import_mb_per_s: number;
  results: number;
  results_per_s: number;
  runs_file_mb: number;
  /** Peak resident set of this process (the import ran in it), in MB. */
  peak_rss_mb: number;
  /** Peak resident set before the import began (after generating), in MB: what the import added is the difference. */
  rss_before_import_mb: number;
  heap_used_after_mb: number;
}

/** A fixed-seed generator (mulberry32), so every run writes the same log. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WORDS =
  "the quick brown model serves tokens while the scheduler batches requests and the cache keeps prefixes warm for the next turn of the conversation".split(
    " "
  );

function prompt(rand: () => number, chars: number): string {
  let out = "<|im_start|>system\\nYou are a helpful assistant.<|im_end|>\\n<|im_start|>user\\n";
  while (out.length < chars) out += WORDS[Math.floor(rand() * WORDS.length)] + (rand() < 0.08 ? ".\\n" : " ");
  return out + "<|im_end|>\\n<|im_start|>assistant\\n";
}

const pad = (n: number, w = 2) => String(n).padStart(w, "0");
const hex = (rand: () => number, n: number) =>
  Array.from({length: n}, () => Math.floor(rand() * 16).toString(16)).join("");
const fixed = (x: number, d: number) => x.toFixed(d);

/** Write a synthetic vLLM V1 server log of about `bytes` bytes; returns its line and interval counts. */
export function writeSyntheticVllmLog(
  path: string,
  bytes: number,
  seed = 42
): {bytes: number; lines: number; intervals: number} {
  const rand = random(seed);
  const prompts = Array.from({length: 16}, () => prompt(rand, 1200 + Math.floor(rand() * 800)));
  const fd = openSync(path, "w");
  let written = 0;
  let lines = 0;
  let intervals = 0;
  let chunk: string[] = [];
  let chunkBytes = 0;
  const flush = () => {
    const buf = Buffer.from(chunk.join(""), "utf8");
    let done = 0;
    while (done < buf.length) done += writeSync(fd, buf, done, buf.length - done);
    written += buf.length;
    chunk = [];
    chunkBytes = 0;
  };
  const emit = (line: string) => {
    chunk.push(line, "\n");
    chunkBytes += line.length + 1;
    lines++;
    if (chunkBytes > 1 << 20) flush();
  };
  emit("(APIServer pid=1) INFO 08-14 11:20:01 [api_server.py:1805] vLLM API server version 0.10.1.1");
  emit(
    "(APIServer pid=1) INFO 08-14 11:20:01 [utils.py:326] non-default args: {'model_tag': 'Qwen/Qwen3-32B', 'model': 'Qwen/Qwen3-32B', 'max_model_len': 32768, 'tensor_parallel_size': 2, 'speculative_config': {'method': 'eagle3', 'num_speculative_tokens': 3}}"
  );
  emit(
    "(EngineCore_0 pid=311) INFO 08-14 11:21:30 [gpu_model_runner.py:1953] Model loading took 31.2243 GiB and 41.027188 seconds"
  );
  emit("(EngineCore_0 pid=311) INFO 08-14 11:22:02 [kv_cache_utils.py:833] GPU KV cache size: 412,960 tokens");
  emit(
    "(EngineCore_0 pid=311) INFO 08-14 11:22:02 [kv_cache_utils.py:837] Maximum concurrency for 32,768 tokens per request: 12.60x"
  );
  let t = Date.UTC(2025, 7, 14, 11, 22, 10) / 1000;
  while (written + chunkBytes < bytes) {
    const d = new Date(t * 1000);
    const stamp = `${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
    const requests = 4 + Math.floor(rand() * 8);
    for (let r = 0; r < requests; r++) {
      const id = `chatcmpl-${hex(rand, 32)}`;
      emit(
        `(APIServer pid=1) INFO ${stamp} [logger.py:41] Received request ${id}: prompt: '${prompts[Math.floor(rand() * prompts.length)]}', params: SamplingParams(n=1, presence_penalty=0.0, frequency_penalty=0.0, repetition_penalty=1.0, temperature=0.7, top_p=0.8, top_k=20, min_p=0.0, seed=None, stop=[], stop_token_ids=[], bad_words=[], include_stop_str_in_output=False, ignore_eos=False, max_tokens=${256 + Math.floor(rand() * 1792)}, min_tokens=0, logprobs=None, prompt_logprobs=None, skip_special_tokens=True, spaces_between_special_tokens=True, truncate_prompt_tokens=None, guided_decoding=None, extra_args=None), prompt_token_ids: None, prompt_embeds shape: None, lora_request: None.`
      );
      emit(`(APIServer pid=1) INFO ${stamp} [async_llm.py:269] Added request ${id}.`);
      emit(
        `(APIServer pid=1) INFO:     127.0.0.1:${40000 + Math.floor(rand() * 20000)} - "POST /v1/chat/completions HTTP/1.1" 200 OK`
      );
    }
    const idle = rand() < 0.05;
    const gen = idle ? 0 : 180 + rand() * 120;
    const running = idle ? 0 : 1 + Math.floor(rand() * 12);
    emit(
      `(APIServer pid=1) INFO ${stamp} [loggers.py:123] Engine 000: Avg prompt throughput: ${fixed(idle ? 0 : rand() * 4000, 1)} tokens/s, Avg generation throughput: ${fixed(gen, 1)} tokens/s, Running: ${running} reqs, Waiting: ${Math.floor(rand() * 3)} reqs, GPU KV cache usage: ${fixed(rand() * 90, 1)}%, Prefix cache hit rate: ${fixed(rand() * 60, 1)}%`
    );
    if (!idle) {
      const p = [0.7 + rand() * 0.3, 0.5 + rand() * 0.3, 0.3 + rand() * 0.3];
      const drafted = Math.floor(gen * 10 * 0.75);
      const accepted = Math.floor(drafted * ((p[0] + p[1] + p[2]) / 3));
      emit(
        `(APIServer pid=1) INFO ${stamp} [metrics.py:96] SpecDecoding metrics: Mean acceptance length: ${fixed(1 + p[0] + p[1] + p[2], 2)}, Accepted throughput: ${fixed(accepted / 10, 2)} tokens/s, Drafted throughput: ${fixed(drafted / 10, 2)} tokens/s, Accepted: ${accepted} tokens, Drafted: ${drafted} tokens, Per-position acceptance rate: ${p.map((x) => fixed(x, 3)).join(", ")}, Avg Draft acceptance rate: ${fixed((accepted / drafted) * 100, 1)}%`
      );
    }
    intervals++;
    t += 10;
  }
  flush();
  closeSync(fd);
  return {bytes: written, lines, intervals};
}

const mb = (bytes: number) => Math.round((bytes / 1e6) * 10) / 10;
/** Peak resident set so far, in bytes (maxRSS is in kilobytes). */
const peakRss = () => process.resourceUsage().maxRSS * 1024;

export async function logImportBenchmark({
  sizeMb = 1024,
  log = console.error
}: {sizeMb?: number; log?: (s: string) => void} = {}): Promise<LogImportFigures> {
  const work = mkdtempSync(join(tmpdir(), "benchbook-perf-log-"));
  try {
    const path = join(work, "vllm-server.log");
    log(`generating a ${sizeMb} MB vLLM server log…`);
    let t = performance.now();
    const synthetic = writeSyntheticVllmLog(path, sizeMb * 1024 * 1024);
    const generate_s = (performance.now() - t) / 1000;
    const before = peakRss();
    const store = new Store(join(work, "data"));
    log(`importing ${mb(synthetic.bytes)} MB (${synthetic.lines} lines)…`);
    t = performance.now();
    const [outcome] = importInputs([fileInput("vllm-server.log", path)], {store});
    const import_s = (performance.now() - t) / 1000;
    if (outcome.status !== "imported")
      throw outcome.status === "failed" ? outcome.error : new Error(`vllm-server.log: ${outcome.status}`);
    const results = outcome.runs.reduce((n, r) => n + r.results.length, 0);
    return {
      log_mb: mb(synthetic.bytes),
      lines: synthetic.lines,
      intervals: synthetic.intervals,
      generate_s: Math.round(generate_s * 10) / 10,
      import_s: Math.round(import_s * 10) / 10,
      import_mb_per_s: Math.round((synthetic.bytes / 1e6 / import_s) * 10) / 10,
      results,
      results_per_s: Math.round(results / import_s),
      runs_file_mb: mb(statSync(store.runsPath(outcome.sha256)).size),
      peak_rss_mb: mb(peakRss()),
      rss_before_import_mb: mb(before),
      heap_used_after_mb: mb(process.memoryUsage().heapUsed)
    };
  } finally {
    rmSync(work, {recursive: true, force: true});
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const at = process.argv.indexOf("--size-mb");
  const sizeMb = at > 0 ? Number(process.argv[at + 1]) : 1024;
  console.log(JSON.stringify(await logImportBenchmark({sizeMb}), null, 2));
}
