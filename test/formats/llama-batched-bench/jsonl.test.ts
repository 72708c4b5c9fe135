import assert from "node:assert/strict";
import {describe, it} from "node:test";
import {InputError} from "../../../scripts/document/read.js";
import {fixtureText, read, readFixture} from "../../helpers/fixtures.js";

/** Oracle: every record parsed with JSON.parse, independent of the importer. */
function records(text: string): {line: number; record: Record<string, number>}[] {
  return text
    .split("\n")
    .map((l, i) => ({line: i + 1, text: l}))
    .filter((l) => l.text.startsWith("{"))
    .map((l) => ({line: l.line, record: JSON.parse(l.text) as Record<string, number>}));
}

describe("llama-batched-bench jsonl: our CPU capture", () => {
  const name = "captured/cpu/llama-batched-bench-jsonl.stdout";
  const text = fixtureText(name);
  const reading = readFixture(name);
  const [run] = reading.stored.runs;

  it("reads every value of every record exactly as printed", () => {
    const printed = records(text);
    assert.equal(printed.length, 4);
    const keyOf: Record<string, string> = {
      "pp throughput": "speed_pp",
      "tg throughput": "speed_tg",
      "pp+tg throughput": "speed",
      "pp duration": "t_pp",
      "tg duration": "t_tg",
      "pp+tg duration": "t"
    };
    assert.equal(run.results.length, 24);
    for (const r of run.results) {
      const {record} = printed.find((p) => p.line === r.line)!;
      const key = keyOf[`${r.kind} ${r.metric}`];
      assert.equal(r.value, record[key], `${key} on line ${r.line}`);
      assert.equal(r.extra?.field, key);
      assert.equal(r.concurrency, record.pl);
      assert.equal(r.extra?.n_kv, record.n_kv);
    }
    const first = run.results.find((r) => r.kind === "pp" && r.metric === "throughput")!;
    assert.equal(first.value, 23460.410156);
    assert.equal(first.text, '"speed_pp": 23460.410156');
    assert.equal(first.unit, "tok/s");
  });

  it("hoists the settings every record repeats onto the run", () => {
    assert.deepEqual(run.settings, {
      n_kv_max: 2048,
      n_batch: 2048,
      n_ubatch: 512,
      flash_attn: -1,
      is_pp_shared: 0,
      n_gpu_layers: -1,
      n_threads: 2,
      n_threads_batch: 2
    });
    assert.ok(run.results.every((r) => r.settings === undefined));
    assert.equal(run.format, "llama-batched-bench-jsonl");
  });

  it("skips log lines between records (2>&1 captures)", () => {
    const lines = text.trimEnd().split("\n");
    const noisy = [lines[0], "0.00.021.066 W load: empty token at index 30143", ...lines.slice(1)].join("\n");
    const reading = read(noisy);
    assert.equal(reading.stored.runs[0].results.length, 24);
    assert.equal(reading.stored.runs[0].results.at(-1)!.line, 5);
  });

  it("refuses a broken record, naming its line", () => {
    const broken = text.replace('"pl": 2, "n_kv": 96', '"pl": 2 "n_kv": 96');
    assert.throws(
      () => read(broken),
      (e: unknown) => e instanceof InputError && e.line === 2
    );
  });
});
