import assert from "node:assert/strict";
import {describe, it} from "node:test";
import {readFixture, rowsOf} from "../../helpers/fixtures.js";

/**
 * A whole pasted post (our own prose around real blocks): an SGLang launch,
 * a llama-benchy table against it, then a vLLM launch with two bench runs
 * whose output a website flattened and translated. Each block must take its
 * runtime, model and concurrency from the text before it, and only from it.
 */
describe("a whole document: SGLang + llama-benchy, then vLLM + vllm bench serve", () => {
  const reading = readFixture("vllm/mixed-document.md");
  const runs = reading.stored.runs;

  it("finds the three blocks and ignores the prose", () => {
    assert.deepEqual(
      reading.reading.blocks.map((b) => [b.format, b.line_start, b.line_end]),
      [
        ["llama-benchy-md", 21, 30],
        ["vllm-serve-text", 34, 34],
        ["vllm-serve-text", 34, 35]
      ]
    );
    const ignored = reading.reading.ignored.flatMap((r) =>
      Array.from({length: r.line_end - r.line_start + 1}, (_, i) => r.line_start + i)
    );
    for (const line of [1, 3, 18, 32, 37]) assert.ok(ignored.includes(line), `prose line ${line} is ignored`);
  });

  it("gives the llama-benchy table SGLang's runtime, commit, options and model", () => {
    const benchy = runs[0];
    assert.equal(benchy.runtime, "sglang");
    assert.equal(benchy.build_commit, "7f99319c");
    assert.equal(benchy.settings["speculative-algorithm"], "EAGLE");
    assert.equal(benchy.model.name, "Qwen/Qwen3.5-4B");
    assert.equal(benchy.model.file, "Qwen/Qwen3.5-4B");
    assert.equal(benchy.tool_version, "0.3.5");
    assert.equal(benchy.source.line_start, 6, "the run spans its server command");
    assert.ok(
      rowsOf(reading)
        .filter((r) => r.run_id === benchy.id)
        .every((r) => r.concurrency === 1)
    );
  });

  it("gives both vLLM blocks vLLM's runtime and options, not SGLang's, and each its own bench command", () => {
    for (const run of runs.slice(1)) {
      assert.equal(run.runtime, "vllm");
      assert.equal(run.settings.tp, 4);
      assert.equal(run.settings["speculative-algorithm"], undefined);
      assert.equal(run.build_commit, null, "the sglang commit comment does not describe vLLM");
      assert.equal(run.model.name, "Qwen3.5-122B-A10B-GPTQ-Int4");
    }
    assert.deepEqual(
      runs.slice(1).map((r) => r.results[0].concurrency),
      [8, 1]
    );
    assert.deepEqual(
      runs.slice(1).map((r) => r.results.find((x) => x.metric === "ttft" && x.stat === "mean")?.value),
      [3541.17, 732.35]
    );
  });
});
