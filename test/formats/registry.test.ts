import assert from "node:assert/strict";
import {existsSync, readFileSync} from "node:fs";
import {describe, it} from "node:test";
import {toDoc} from "../../scripts/document/lines.js";
import {FORMATS} from "../../scripts/formats/registry.js";
import {fixturePath, fixtureText, readFixture} from "../helpers/fixtures.js";

/** Each format's own fixture: a real output of its tool, on which detection must pick it. */
const FIXTURE: Record<string, string> = {
  "benchbook-endpoint-json": "endpoint/llama-server-cpu.endpoint.json",
  "llama-bench-md": "captured/cpu/llama-bench-md.stdout",
  "llama-bench-jsonl": "captured/cpu/llama-bench-jsonl.stdout",
  "llama-bench-json": "llama-bench/readme-b5163/out.json",
  "llama-bench-csv": "llama-bench/readme-b5163/out.csv",
  "llama-bench-sql": "llama-bench/readme-b5163/out.sql",
  "mlx-lm-benchmark": "mlx/seed-001-m4.txt",
  "llama-batched-bench-md": "llama-batched-bench/mac-m2-ultra-gpt-oss-20b.md",
  "llama-batched-bench-jsonl": "captured/cpu/llama-batched-bench-jsonl.stdout",
  "hand-observations-yaml": "seeds/002-dual-3060-retune.yaml",
  "hand-observations-csv": "hand/observations.csv",
  "llama-benchy-md": "llama-benchy/sample-md.txt",
  "llama-benchy-json": "llama-benchy/sample.json",
  "llama-benchy-csv": "llama-benchy/sample-csv.txt",
  "vllm-serve-text": "vllm/spec-decode-percentiles.txt",
  "vllm-benchmark-serving-legacy": "real/vllm-issue359-2023-total-time.txt",
  "vllm-serve-json": "vllm/save-detailed.json",
  "sglang-bench-serving-text": "sglang/bench-serving-accept-length.txt",
  "sglang-bench-serving-jsonl": "sglang/bench-serving.jsonl",
  "sglang-bench-one-batch-text": "sglang/bench-one-batch.txt",
  "sglang-bench-one-batch-jsonl": "sglang/bench-one-batch.jsonl",
  "vllm-log": "logs/vllm-v1-spec-club3090-986.log",
  "vllm-log-summary": "logs/seed-003-vllm-digest.txt",
  "sglang-log": "logs/sglang-decode-3909.log",
  "llama-server-log": "captured/cpu/llama-server.stderr",
  "llama-server-timings-json": "captured/cpu/llama-server-completion.json",
  "nvidia-smi-table": "nvidia-smi/gtx1080x2-driver460.txt",
  "nvidia-smi-csv": "nvidia-smi/query-full.csv"
};

const docs = readFileSync(new URL("../../docs/formats.md", import.meta.url), "utf8");
/** `### \`id\`` and the module path its entry names. */
const documented = new Map(
  [...docs.matchAll(/^### `([^`]+)`\n\n`(scripts\/formats\/[^`]+\.ts)`/gm)].map((m) => [m[1], m[2]])
);

describe("format registry", () => {
  it("gives every format a unique id", () => {
    const ids = FORMATS.map((f) => f.id);
    assert.deepEqual(
      ids.filter((id, i) => ids.indexOf(id) !== i),
      []
    );
  });

  it("names a fixture for every format, and only for registered ones", () => {
    assert.deepEqual(Object.keys(FIXTURE).sort(), FORMATS.map((f) => f.id).sort());
    for (const name of Object.values(FIXTURE)) assert.ok(existsSync(fixturePath(name)), name);
  });

  for (const format of FORMATS) {
    it(`${format.id}: its scan claims its fixture under its own id, and detection picks it there`, () => {
      const name = FIXTURE[format.id];
      const blocks = format.scan(toDoc(name, fixtureText(name), FORMATS));
      assert.ok(blocks.length > 0, `${format.id} finds no block in ${name}`);
      assert.deepEqual([...new Set(blocks.map((b) => b.format))], [format.id]);
      const runs = readFixture(name).stored.runs;
      assert.ok(
        runs.some((run) => run.format === format.id),
        `detection did not pick ${format.id} in ${name}: ${[...new Set(runs.map((r) => r.format))].join(", ")}`
      );
    });
  }

  it("documents every format in docs/formats.md under a heading naming its module, and nothing else", async () => {
    assert.deepEqual([...documented.keys()].sort(), FORMATS.map((f) => f.id).sort());
    for (const [id, path] of documented) {
      const module = (await import(new URL(`../../${path.replace(/\.ts$/, ".js")}`, import.meta.url).href)) as Record<
        string,
        unknown
      >;
      const exported = Object.values(module).filter(
        (v): v is {id: string} => typeof v === "object" && v !== null && "scan" in v && "id" in v
      );
      assert.deepEqual(
        exported.map((f) => f.id),
        [id],
        `${path} should export ${id}, and only it`
      );
    }
  });
});
