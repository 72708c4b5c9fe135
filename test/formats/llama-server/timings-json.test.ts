import assert from "node:assert/strict";
import {describe, it} from "node:test";
import {fixtureText, read, readFixture} from "../../helpers/fixtures.js";

/** Oracle: the number printed after `"key":` in the text. */
const printedNumber = (text: string, key: string) => Number(new RegExp(`"${key}":(-?[\\d.eE+-]+)`).exec(text)![1]);

describe("llama-server-timings-json: our CPU server's responses (captured)", () => {
  it("reads a native /completion response: pp and tg per request, values as printed", () => {
    const name = "captured/cpu/llama-server-completion.json";
    const text = fixtureText(name);
    const [run] = readFixture(name).stored.runs;
    assert.equal(run.format, "llama-server-timings-json");
    assert.equal(run.tool, "llama-server");
    const byTest = Object.fromEntries(run.results.map((r) => [r.test, r]));
    for (const key of [
      "prompt_ms",
      "prompt_per_token_ms",
      "prompt_per_second",
      "predicted_ms",
      "predicted_per_token_ms",
      "predicted_per_second"
    ]) {
      assert.equal(byTest[key].value, printedNumber(text, key), key);
      assert.equal(byTest[key].scope, "request");
      assert.equal(byTest[key].request, 0);
    }
    assert.deepEqual(
      [
        byTest.prompt_per_second.kind,
        byTest.prompt_per_second.n_prompt,
        byTest.prompt_per_second.unit,
        byTest.prompt_per_second.metric
      ],
      ["pp", 5, "tok/s", "throughput"]
    );
    assert.deepEqual([byTest.predicted_per_second.kind, byTest.predicted_per_second.n_gen], ["tg", 16]);
    assert.equal(byTest.predicted_per_second.text, '"predicted_per_second":3986.1812383736383');
    assert.equal(byTest.prompt_ms.extra?.cache_n, 1, "cache_n kept");
    assert.equal(run.model.file, "tiny.gguf");
    assert.equal(run.settings.temperature, 0, "generation settings kept");
  });

  it("reads a chat response and its build from system_fingerprint", () => {
    const [run] = readFixture("captured/cpu/llama-server-chat.json").stored.runs;
    assert.equal(run.build_number, 1);
    assert.equal(run.build_commit, "de3ff81");
    assert.equal(run.results.find((r) => r.test === "prompt_per_second")!.value, 5004.2893909064915);
  });

  it("reads only the final chunk of a stream (chat with usage, native with stop:true)", () => {
    const chat = readFixture("captured/cpu/llama-server-chat-stream.sse");
    assert.equal(chat.stored.runs.length, 1);
    assert.equal(new Set(chat.stored.runs[0].results.map((r) => r.request)).size, 1);
    assert.equal(chat.stored.runs[0].results.find((r) => r.test === "predicted_per_second")!.value, 3083.247687564234);
    const native = readFixture("captured/cpu/llama-server-completion-stream.sse");
    assert.equal(
      native.stored.runs[0].results.find((r) => r.test === "predicted_n" || r.test === "predicted_per_second")!.value,
      3241.1408815903196
    );
    const lines = fixtureText("captured/cpu/llama-server-completion-stream.sse").split("\n");
    assert.equal(native.stored.runs[0].results[0].line, lines.findIndex((l) => l.includes('"timings"')) + 1);
  });

  it("reads draft counts (upstream draft_n, draft_n_accepted) without computing a rate", () => {
    const [run] = readFixture("llama-server/timings-sse-draft.txt").stored.runs;
    assert.deepEqual(
      run.results.filter((r) => r.kind === "tg" && r.stat === "total").map((r) => [r.test, r.metric, r.value]),
      [
        ["draft_n", "drafted_tokens", 604],
        ["draft_n_accepted", "accepted_tokens", 515]
      ]
    );
    assert.ok(!run.results.some((r) => r.metric === "acceptance_rate"), "no rate was printed, none is invented");
    assert.equal(run.build_number, 9251);
  });

  it("reads a pretty-printed timings fragment in a post, each value on its own line, and a fork's drafted_* fields", () => {
    // Field names of the fork's server (drafted_n, drafted_accepted_n, drafted_accepted_p); the values are illustrative.
    const text = [
      "Server answered with:",
      "",
      '"timings": {',
      '  "prompt_n": 12,',
      '  "prompt_ms": 40.5,',
      '  "prompt_per_token_ms": 3.375,',
      '  "prompt_per_second": 296.2962962962963,',
      '  "predicted_n": 128,',
      '  "predicted_ms": 1000.0,',
      '  "predicted_per_token_ms": 7.8125,',
      '  "predicted_per_second": 128.0,',
      '  "drafted_n": 90,',
      '  "drafted_accepted_n": 60,',
      '  "drafted_accepted_p": 0.6666667',
      "}",
      "",
      "Done."
    ].join("\n");
    const [run] = read(text, "post.md").stored.runs;
    const line = (key: string) => text.split("\n").findIndex((l) => l.includes(`"${key}"`)) + 1;
    for (const r of run.results) assert.equal(r.line, line(r.test), `${r.test} keeps its own line`);
    assert.equal(run.results.find((r) => r.test === "drafted_accepted_p")!.value, 0.6666667);
    assert.equal(run.results.find((r) => r.test === "drafted_accepted_p")!.metric, "acceptance_rate");
    assert.equal(run.results.find((r) => r.test === "predicted_ms")!.value, 1000);
  });

  it("numbers the requests of a JSON Lines file of responses in order", () => {
    const one = fixtureText("captured/cpu/llama-server-completion.json").trim();
    const two = fixtureText("captured/cpu/llama-server-chat.json").trim();
    const [run] = read(`${one}\n${two}\n`, "responses.jsonl").stored.runs;
    assert.deepEqual([...new Set(run.results.map((r) => r.request))], [0, 1]);
    assert.deepEqual(
      run.results.filter((r) => r.test === "predicted_per_second").map((r) => [r.request, r.line]),
      [
        [0, 1],
        [1, 2]
      ]
    );
  });
});
