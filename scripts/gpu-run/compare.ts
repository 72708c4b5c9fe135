/**
 * docs/real-gpu.md's side-by-side tables from what scripts/gpu-run/run.sh brought back:
 *   node --import tsx scripts/gpu-run/compare.ts test/fixtures/captured/h100/run2
 */
import {readdirSync, readFileSync} from "node:fs";
import {join} from "node:path";
import {Store} from "../store/store.js";

type Row = Record<string, unknown>;
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const pct = (a: number, b: number) => `${a >= b ? "+" : ""}${((a / b - 1) * 100).toFixed(1)}%`;
const fmt = (v: number, sd?: number) =>
  (v >= 1000 ? v.toFixed(0) : v.toFixed(1)) +
  (sd === undefined ? "" : ` ± ${sd >= 100 ? sd.toFixed(0) : sd.toFixed(1)}`);

/** A llama-bench JSONL record's cell and test: model, -fa, -ub, depth, pp/tg size. */
function benchKey(j: Row): string {
  const model = String(j.model_filename)
    .replace(/^.*\//, "")
    .replace(/\.gguf$/, "");
  const test = Number(j.n_prompt) > 0 ? `pp${j.n_prompt}` : `tg${j.n_gen}`;
  return `${model} | ${j.flash_attn ? 1 : 0} | ${j.n_ubatch} | ${j.n_depth} | ${test}`;
}

function jsonl(path: string): Row[] {
  return readFileSync(path, "utf8")
    .split("\n")
    .filter((l) => l.startsWith("{"))
    .map((l) => JSON.parse(l) as Row);
}

/** benchbook's stored llama-bench values: key → [value, stddev]. */
function storedBench(store: Store): Map<string, [number, number]> {
  const out = new Map<string, [number, number]>();
  for (const hash of store.inputs()) {
    const input = store.read(hash);
    if (!input.runs.some((r) => r.tool === "llama-bench")) continue;
    const lines = readFileSync(store.rawPath(input.source), "utf8").split("\n");
    for (const run of input.runs)
      for (const r of run.results)
        if (r.status === "ok" && r.value != null && r.metric === "throughput")
          out.set(benchKey(JSON.parse(lines[r.line - 1]) as Row), [r.value, r.stddev ?? NaN]);
  }
  return out;
}

function llamaBenchTable(dir: string, store: Store): string {
  const stored = storedBench(store);
  // raw/direct-<plan>[-N].jsonl: llama-bench in one process; raw/percell-<plan>.jsonl: the
  // commands benchbook ran, one by one. Files of one kind and N (different plans) share a column.
  const sets = new Map<string, Map<string, [number, number]>>();
  for (const f of readdirSync(join(dir, "raw")).sort()) {
    const m = /^(direct|percell)-.*?(?:-(\d+))?\.jsonl$/.exec(f);
    if (!m) continue;
    const label = `${m[1] === "direct" ? "one process" : "per cell"}${m[2] ? ` (${m[2]})` : ""}`;
    const set = sets.get(label) ?? new Map<string, [number, number]>();
    for (const j of jsonl(join(dir, "raw", f))) set.set(benchKey(j), [Number(j.avg_ts), Number(j.stddev_ts)]);
    if (set.size) sets.set(label, set);
  }
  const head = `| model | fa | ub | depth | test | benchbook t/s | ${[...sets.keys()].map((n) => `${n} t/s | benchbook vs ${n}`).join(" | ")} |`;
  const rows = [...stored.keys()]
    .sort((a, b) => a.localeCompare(b, "en", {numeric: true}))
    .map((key) => {
      const [v, sd] = stored.get(key)!;
      const cells = [...sets.values()].map((m) => {
        const d = m.get(key);
        return d ? `${fmt(d[0], d[1])} | ${pct(v, d[0])}` : "– | –";
      });
      return `| ${key} | ${fmt(v, sd)} | ${cells.join(" | ")} |`;
    });
  return [head, head.replace(/[^|]+/g, " --- "), ...rows].join("\n");
}

interface EndpointRequest {
  test_id: number;
  status: string;
  pp_throughput: number | null;
  tg_throughput: number | null;
  timings?: {prompt_per_second: number; predicted_per_second: number; prompt_n: number; cache_n: number};
}

function endpointTable(store: Store): string {
  const out: string[] = [];
  for (const hash of store.inputs()) {
    const input = store.read(hash);
    if (!input.runs.some((r) => r.tool === "benchbook-endpoint")) continue;
    const doc = JSON.parse(readFileSync(store.rawPath(input.source), "utf8")) as {
      tests: {test_id: number; n_depth: number; n_prompt: number; n_gen: number; concurrency: number}[];
      requests: EndpointRequest[];
    };
    out.push(
      `| depth | c | client pp t/s (per request) | server pp t/s | client vs server | client tg t/s (per request) | server tg t/s | client vs server |`,
      `| --- | --- | --- | --- | --- | --- | --- | --- |`
    );
    for (const t of doc.tests) {
      const reqs = doc.requests.filter((r) => r.test_id === t.test_id && r.status === "ok" && r.timings);
      const c = mean(reqs.map((r) => r.pp_throughput ?? NaN));
      const s = mean(reqs.map((r) => r.timings!.prompt_per_second));
      const cg = mean(reqs.map((r) => r.tg_throughput ?? NaN));
      const sg = mean(reqs.map((r) => r.timings!.predicted_per_second));
      out.push(
        `| ${t.n_depth} | ${t.concurrency} | ${fmt(c)} | ${fmt(s)} | ${pct(c, s)} | ${fmt(cg)} | ${fmt(sg)} | ${pct(cg, sg)} |`
      );
    }
  }
  return out.join("\n");
}

const dir = process.argv[2];
if (!dir) {
  process.stderr.write("usage: node --import tsx scripts/gpu-run/compare.ts RESULTS_DIR (holding store/ and raw/)\n");
  process.exit(2);
}
const store = new Store(join(dir, "store"));
process.stdout.write(
  `## llama-bench\n\n${llamaBenchTable(dir, store)}\n\n## endpoint client vs llama-server timings\n\n${endpointTable(store)}\n`
);
