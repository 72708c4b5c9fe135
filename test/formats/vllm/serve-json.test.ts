import assert from "node:assert/strict";
import {describe, it} from "node:test";
import {InputError} from "../../../scripts/document/read.js";
import {fixtureText, read, readFixture} from "../../helpers/fixtures.js";

describe("vllm serve json: --append-result file (nerdalert/vllm-bench-automation)", () => {
  const name = "vllm/results-append.jsonl";
  const records = fixtureText(name)
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  const runs = readFixture(name).stored.runs;

  it("makes one run per line, every numeric summary key stored digit for digit", () => {
    assert.equal(runs.length, 3);
    runs.forEach((run, i) => {
      const r = records[i];
      const find = (metric: string, stat: string) => run.results.find((x) => x.metric === metric && x.stat === stat);
      assert.equal(find("duration", "value")?.value, r.duration);
      assert.equal(find("requests_completed", "total")?.value, r.completed);
      assert.equal(find("total_throughput", "value")?.value, r.total_token_throughput);
      for (const m of ["ttft", "tpot", "itl"]) {
        assert.equal(find(m, "mean")?.value, r[`mean_${m}_ms`]);
        assert.equal(find(m, "mean")?.stddev, r[`std_${m}_ms`], "std is the mean's population deviation");
        assert.equal(find(m, "mean")?.stddev_kind, "population");
        assert.equal(find(m, "median")?.value, r[`median_${m}_ms`]);
        assert.equal(find(m, "p99")?.value, r[`p99_${m}_ms`]);
      }
      assert.ok(run.results.every((x) => x.line === i + 1));
    });
  });

  it("keeps parameters and --metadata as settings, the date as printed", () => {
    assert.deepEqual([runs[2].settings.request_rate, runs[0].settings.request_rate], ["inf", 10]);
    assert.equal(runs[0].settings.deployment, "no-features");
    assert.equal(runs[0].settings.gpu, "4xNVIDIA_L40S");
    assert.equal(runs[0].model.name, "meta-llama/Llama-3.2-3B-Instruct");
    assert.equal(runs[0].extra.date, "20250530-194738");
    assert.equal(runs[0].started_at, null);
  });
});

describe("vllm serve json: --save-detailed per-request arrays", () => {
  const name = "vllm/save-detailed.json";
  const raw = JSON.parse(fixtureText(name).replace("NaN", "null")) as Record<string, unknown[]>;
  const [run] = readFixture(name).stored.runs;
  const perRequest = run.results.filter((r) => r.scope === "request");

  it("stores each request's values in seconds as saved, with the request index", () => {
    const ttfts = perRequest.filter((r) => r.metric === "ttft");
    assert.deepEqual(
      ttfts.map((r) => [r.request, r.value, r.unit]),
      [
        [0, raw.ttfts[0], "s"],
        [1, raw.ttfts[1], "s"]
      ]
    );
    const itls = perRequest.filter((r) => r.metric === "itl");
    assert.deepEqual(
      itls.map((r) => [r.request, r.seq, r.value]),
      (raw.itls as number[][]).slice(0, 2).flatMap((gaps, i) => gaps.map((g, j) => [i, j, g]))
    );
    assert.deepEqual(
      perRequest.filter((r) => r.metric === "e2el").map((r) => r.value),
      (raw.latencies as number[]).slice(0, 2)
    );
    assert.deepEqual(
      perRequest.filter((r) => r.metric === "output_tokens").map((r) => r.value),
      (raw.output_lens as number[]).slice(0, 2)
    );
  });

  it("records a failed request as an error, not as zero timings", () => {
    const failed = perRequest.filter((r) => r.request === 2);
    assert.equal(failed.length, 1);
    assert.deepEqual(
      [failed[0].status, failed[0].status_detail, failed[0].value],
      ["error", "Server disconnected", null]
    );
    assert.equal(failed[0].extra?.ttfts, 0);
  });

  it("does not store NaN as a value, and says so", () => {
    assert.deepEqual(run.extra.non_finite, {mean_client_queue_time_ms: "NaN"});
    assert.ok(run.results.every((r) => r.value === null || Number.isFinite(r.value)));
    assert.ok(run.notes.some((n) => n.startsWith("generated_texts (3 texts)")));
    assert.equal(run.results[0].concurrency, 2);
  });

  it("names the line of a broken object", () => {
    assert.throws(
      () => read('{"model_id": "m", "num_prompts": 1,\n"mean_ttft_ms": 1.0,, "duration": 1}', "r.json"),
      (e: unknown) => e instanceof InputError && e.line === 2
    );
  });
});
