import assert from "node:assert/strict";
import {describe, it} from "node:test";
import {InputError} from "../../../scripts/document/read.js";
import {fixtureText, read, readFixture, rowsOf} from "../../helpers/fixtures.js";

const NAME = "endpoint/llama-server-cpu.endpoint.json";
const TEXT = fixtureText(NAME);
const LINES = TEXT.split("\n");

/** Oracle independent of the reader: each aggregate line's printed fields, by regex over the fixture's text. */
function printedAggregates() {
  const out: {
    line: number;
    test_id: number;
    kind: string;
    metric: string;
    unit: string;
    stat: string;
    value: number;
    stddev: number;
    values: number[];
  }[] = [];
  LINES.forEach((text, i) => {
    const m =
      /^\s*\{"test_id":(\d+),"kind":"(pp|tg)","metric":"(\w+)","unit":"([^"]+)","stat":"(\w+)".*"value":(-?[\d.e+-]+),"stddev":(-?[\d.e+-]+),"stddev_kind":"population","values":\[([^\]]*)\]\},?$/.exec(
        text
      );
    if (m)
      out.push({
        line: i + 1,
        test_id: Number(m[1]),
        kind: m[2],
        metric: m[3],
        unit: m[4],
        stat: m[5],
        value: Number(m[6]),
        stddev: Number(m[7]),
        values: m[8].split(",").map(Number)
      });
  });
  return out;
}

function printedTests() {
  return LINES.flatMap((text, i) => {
    const m =
      /^\s*\{"test_id":(\d+),"n_depth":(\d+),"n_prompt":(\d+),"n_gen":(\d+),"concurrency":(\d+),"runs":\d+,"pp_test":"([^"]+)","tg_test":"([^"]+)","status":"(\w+)","status_detail":(null|"[^"]*")/.exec(
        text
      );
    return m
      ? [
          {
            line: i + 1,
            test_id: Number(m[1]),
            n_depth: Number(m[2]),
            n_prompt: Number(m[3]),
            n_gen: Number(m[4]),
            concurrency: Number(m[5]),
            pp_test: m[6],
            tg_test: m[7],
            status: m[8],
            detail: m[9] === "null" ? null : m[9].slice(1, -1)
          }
        ]
      : [];
  });
}

function printedRequests() {
  return LINES.flatMap((text, i) => {
    const m = /^\s*\{"request":(\d+),"test_id":(\d+),"repetition":\d+,"index":\d+,"status":"(\w+)"/.exec(text);
    if (!m) return [];
    const num = (key: string) => {
      const v = new RegExp(`"${key}":(null|-?[\\d.e+-]+)`).exec(text)![1];
      return v === "null" ? null : Number(v);
    };
    return [
      {
        line: i + 1,
        request: Number(m[1]),
        test_id: Number(m[2]),
        status: m[3],
        ttfr: num("ttfr_ms"),
        e2e_ttft: num("e2e_ttft_ms"),
        est_ppt: num("est_ppt_ms"),
        pp: num("pp_throughput"),
        tg: num("tg_throughput"),
        peak: num("peak_throughput")
      }
    ];
  });
}

describe("benchbook-endpoint-json: a real capture against CPU llama-server", () => {
  const reading = readFixture(NAME);
  const [run] = reading.stored.runs;
  const runRows = run.results.filter((r) => r.scope === "run" && r.status === "ok");

  it("is detected by content as one block covering the whole file", () => {
    assert.deepEqual(
      reading.reading.blocks.map((b) => [b.format, b.line_start, b.line_end, b.confidence]),
      [["benchbook-endpoint-json", 1, LINES.filter((l) => l !== "").length, 1]]
    );
    assert.equal(reading.stored.runs.length, 1);
  });

  it("reads every aggregate exactly as written, on its own line, with population std and its values as samples", () => {
    const printed = printedAggregates();
    assert.equal(printed.length, LINES.filter((l) => /^\s*\{"test_id":\d+,"kind":/.test(l)).length);
    assert.equal(printed.length, 30);
    assert.equal(runRows.length, printed.length);
    runRows.forEach((r, i) => {
      const p = printed[i];
      assert.deepEqual(
        [r.line, r.metric, r.unit, r.stat, r.kind, r.value, r.stddev, r.samples],
        [p.line, p.metric, p.unit, p.stat, p.kind, p.value, p.stddev, p.values]
      );
      assert.equal(r.stddev_kind, "population");
      assert.equal(r.repetitions, p.values.length);
    });
    // Spot checks, typed from the fixture.
    assert.deepEqual(
      [runRows[0].test, runRows[0].metric, runRows[0].value, runRows[0].stddev],
      ["pp64", "throughput", 29038.14571298067, 24127.65627098771]
    );
    assert.equal(runRows[0].line, 229);
    assert.deepEqual(runRows[1].samples, [36.76854188665184, 1748.0602358250148]);
  });

  it("names tests and shapes as the plan and the llama-benchy importer do", () => {
    const tests = printedTests();
    for (const r of runRows) {
      const t = tests.find((x) => x.test_id === printedAggregates().find((a) => a.line === r.line)!.test_id)!;
      assert.equal(r.test, r.kind === "pp" ? t.pp_test : t.tg_test);
      assert.deepEqual(
        [r.n_prompt, r.n_gen, r.n_depth, r.concurrency],
        r.kind === "pp" ? [t.n_prompt, null, t.n_depth, t.concurrency] : [null, t.n_gen, t.n_depth, t.concurrency]
      );
    }
    const metrics = new Set(runRows.map((r) => `${r.metric}/${r.stat}`));
    assert.deepEqual([...metrics].sort(), [
      "e2e_ttft/mean",
      "est_ppt/mean",
      "throughput/mean",
      "throughput/peak",
      "throughput_per_request/mean",
      "throughput_per_request/peak",
      "ttfr/mean"
    ]);
    assert.ok(runRows.filter((r) => r.metric === "throughput_per_request").every((r) => r.concurrency === 2));
  });

  it("a test whose every request failed is a failed result with the server's message", () => {
    const failedTests = printedTests().filter((t) => t.status !== "ok");
    assert.deepEqual(
      failedTests.map((t) => t.pp_test),
      ["pp64 @ d2048", "pp64 @ d2048 (c2)"]
    );
    const failed = run.results.filter((r) => r.scope === "run" && r.status !== "ok");
    assert.equal(failed.length, 4);
    for (const t of failedTests) {
      const rows = failed.filter((r) => r.line === t.line);
      assert.deepEqual(
        rows.map((r) => [r.test, r.kind, r.metric, r.value, r.status]),
        [
          [t.pp_test, "pp", "throughput", null, "error"],
          [t.tg_test, "tg", "throughput", null, "error"]
        ]
      );
      assert.ok(rows.every((r) => r.status_detail === t.detail));
      assert.match(
        t.detail!,
        /^HTTP 400: request \(\d+ tokens\) exceeds the available context size \(1024 tokens\), try increasing it$/
      );
    }
  });

  it("per-request rows: each figure of each request, on the request's line", () => {
    const requests = printedRequests();
    assert.equal(requests.length, 18);
    const rows = run.results.filter((r) => r.scope === "request");
    for (const p of requests) {
      const mine = rows.filter((r) => r.request === p.request);
      assert.ok(mine.every((r) => r.line === p.line));
      if (p.status !== "ok") {
        assert.deepEqual(
          mine.map((r) => [r.kind, r.value, r.status]),
          [
            ["pp", null, "error"],
            ["tg", null, "error"]
          ]
        );
        continue;
      }
      const value = (metric: string, kind: string, stat = "value") =>
        mine.find((r) => r.metric === metric && r.kind === kind && r.stat === stat)?.value ?? null;
      assert.deepEqual(
        [
          value("ttfr", "pp"),
          value("e2e_ttft", "pp"),
          value("est_ppt", "pp"),
          value("throughput", "pp"),
          value("throughput", "tg"),
          value("throughput", "tg", "peak")
        ],
        [p.ttfr, p.e2e_ttft, p.est_ppt, p.pp, p.tg, p.peak]
      );
    }
    // A request whose events all came in one read has no generation rate, and no row for it.
    assert.ok(requests.some((p) => p.status === "ok" && p.tg === null));
  });

  it("records where each request's token counts came from", () => {
    const tg = run.results.find(
      (r) => r.scope === "request" && r.kind === "tg" && r.stat === "value" && r.status === "ok"
    )!;
    assert.deepEqual(tg.extra, {repetition: 0, index: 0, tokens: 16, tokens_source: "server:usage.completion_tokens"});
    const pp = run.results.find(
      (r) => r.scope === "request" && r.kind === "pp" && r.metric === "throughput" && r.status === "ok"
    )!;
    assert.deepEqual(pp.extra, {repetition: 0, index: 0, tokens: 63, tokens_source: "server:timings.prompt_n"});
    const aggregate = run.results.find(
      (r) => r.scope === "run" && r.kind === "pp" && r.metric === "throughput" && r.status === "ok"
    )!;
    assert.deepEqual(aggregate.extra, {per: "request", token_sources: ["server:timings.prompt_n"]});
  });

  it("the run: tool, runtime and build from the server, model, server options as settings, command", () => {
    assert.equal(run.tool, "benchbook-endpoint");
    assert.equal(run.format, "benchbook-endpoint-json");
    assert.equal(run.tool_version, "0.1.0");
    assert.equal(run.runtime, "llama.cpp");
    // llama-server's build_info / system_fingerprint "b1-de3ff81".
    assert.deepEqual([run.build_number, run.build_commit], [1, "de3ff81"]);
    assert.equal(run.model.name, "tiny.gguf");
    assert.equal(run.model.file, "tiny.gguf");
    assert.deepEqual(run.settings_from_command, ["c", "np", "t", "host", "port"]);
    assert.deepEqual([run.settings.c, run.settings.np, run.settings.t], [2048, 2, 2]);
    assert.deepEqual(
      [run.settings.api, run.settings.latency_mode, run.settings.token_counting, run.settings.ignore_eos],
      ["chat", "api", "server-tokenizer", true]
    );
    assert.equal(
      run.command,
      "/root/.cache/benchbook/llama.cpp-3.22.1/build/bin/llama-server -m tiny.gguf -c 2048 -np 2 -t 2 --host 127.0.0.1 --port 18431"
    );
    assert.equal(run.started_at, /"started_at": "([^"]+)"/.exec(TEXT)![1]);
    assert.equal(run.extra.latency_ms, 4.001272666666637);
    assert.equal((run.extra.server as {exit_code: number}).exit_code, 0);
  });

  it("flat rows carry the figures (parse --json)", () => {
    const rows = rowsOf(reading);
    assert.equal(rows.length, run.results.length);
    assert.ok(rows.every((r) => r.tool === "benchbook-endpoint" && r.runtime === "llama.cpp"));
  });

  it("--runtime overrides the file's runtime, with a note", () => {
    const forced = readFixture(NAME, {runtime: "vllm"}).stored.runs[0];
    assert.equal(forced.runtime, "vllm");
    assert.ok(
      forced.notes.some((n) =>
        n.startsWith("runtime: the result file says llama.cpp (server command), --runtime says vllm")
      )
    );
    assert.deepEqual([forced.build_number, forced.build_commit], [null, null]);
  });
});

describe("benchbook-endpoint-json: inside other text, and malformed input", () => {
  it("is found inside a pasted document; its lines are the document's", () => {
    const doc = `Our endpoint run on the laptop:\n\n${TEXT}\nThat is all.\n`;
    const reading = read(doc, "post.md");
    assert.deepEqual(
      reading.reading.blocks.map((b) => [b.format, b.line_start]),
      [["benchbook-endpoint-json", 3]]
    );
    const first = reading.stored.runs[0].results.find((r) => r.scope === "run" && r.status === "ok")!;
    assert.equal(first.line, 229 + 2);
  });

  it("--format forces it", () => {
    const reading = read(TEXT, "x.txt", {format: "benchbook-endpoint-json"});
    assert.equal(reading.stored.runs[0].format, "benchbook-endpoint-json");
  });

  it("a truncated file: the line where it ends, nothing read", () => {
    const cut = LINES.slice(0, 240).join("\n");
    assert.throws(
      () => read(cut, "cut.json"),
      (error: InputError) => error instanceof InputError && error.line === 240 && /truncated/.test(error.detail)
    );
  });

  it("another version: refused, naming the line", () => {
    const other = TEXT.replace('"benchbook_endpoint": 1,', '"benchbook_endpoint": 1, "x": 0,').replace(
      '"tests": [',
      '"tests": "not a list", "old_tests": ['
    );
    assert.throws(
      () => read(other, "v.json"),
      (error: InputError) => error instanceof InputError && error.line === 1 && /"tests" array/.test(error.detail)
    );
  });

  it("an unknown status: refused on its line", () => {
    const bad = TEXT.replace(
      '"status":"error","status_detail":"HTTP 400',
      '"status":"exploded","status_detail":"HTTP 400'
    );
    const line = bad.split("\n").findIndex((l) => l.includes('"exploded"')) + 1;
    assert.throws(
      () => read(bad, "s.json"),
      (error: InputError) =>
        error instanceof InputError &&
        error.line === line &&
        /a status of ok, oom, error, timeout or skipped/.test(error.detail)
    );
  });

  it("a test_id that no test has: refused on the aggregate's line", () => {
    const bad = TEXT.replace(
      '{"test_id":0,"kind":"pp","metric":"throughput"',
      '{"test_id":9,"kind":"pp","metric":"throughput"'
    );
    assert.throws(
      () => read(bad, "t.json"),
      (error: InputError) =>
        error instanceof InputError && error.line === 229 && /test_id listed in "tests"/.test(error.detail)
    );
  });
});
