/**
 * Reparse with unchanged parsers changes nothing: every kind of stored input
 * (a plain import, a hand-entered file with its writeup, bench captures of
 * cells that worked and cells that failed, an import given --runtime) reads
 * back byte for byte, and `bench --resume` still knows which cells are done.
 */
import assert from "node:assert/strict";
import {cpSync, readdirSync, readFileSync, statSync} from "node:fs";
import {delimiter, join} from "node:path";
import {describe, it} from "node:test";
import {runBench, storedCellIds} from "../../scripts/bench/bench.js";
import type {MachineInfo} from "../../scripts/bench/environment.js";
import {expandPlan, readPlan} from "../../scripts/bench/plan.js";
import {RUNNERS} from "../../scripts/bench/runners/index.js";
import {importInputs} from "../../scripts/import/import.js";
import {reparseStore} from "../../scripts/import/reparse.js";
import {fileInput} from "../../scripts/import/stream.js";
import {Store} from "../../scripts/store/store.js";
import {tempDir} from "../helpers/cli.js";
import {fixturePath} from "../helpers/fixtures.js";

const now = () => new Date("2026-05-06T07:08:09.000Z");
const MACHINE: MachineInfo = {
  os: {platform: "linux", arch: "x64", kernel: "k", version: "v", distribution: null},
  cpu: {model: "Intel(R) Xeon(R) Processor", logical_cores: 32},
  memory: {total_bytes: 1, meminfo_total: null},
  gpus: [],
  nvidia: null,
  node: "v20"
};
const PLAN = `name: split-modes
runner: llama-bench
models: [tiny.gguf]
matrix:
  -ngl: 99
  -sm: layer,tensor
  -fa: 1
tests: {p: 64, n: 16, d: "0,16384"}
repetitions: 3
`;

/** Every file of the store, path → bytes. */
function snapshot(root: string): Map<string, string> {
  const files = readdirSync(root, {recursive: true, encoding: "utf8"}).filter((f) => statSync(join(root, f)).isFile());
  return new Map(files.sort().map((f) => [f, readFileSync(join(root, f)).toString("base64")]));
}

async function storeOfEveryKind(): Promise<Store> {
  const store = new Store(join(tempDir("benchbook-reparse-"), "data"));
  const hand = tempDir("benchbook-hand-");
  cpSync(fixturePath("hand/writeup"), hand, {recursive: true});
  const inputs = [
    fileInput("seed-001.txt", fixturePath("seeds/001-rtx4090-m4.txt")),
    fileInput(join(hand, "post.observations.yaml"), join(hand, "post.observations.yaml")),
    fileInput("observations.csv", fixturePath("hand/observations.csv"))
  ];
  for (const outcome of importInputs(inputs, {store, tags: {batch: "one"}, now}))
    assert.equal(outcome.status, "imported", outcome.status === "failed" ? outcome.error.message : "");
  const [withRuntime] = importInputs([fileInput("console-c4.txt", fixturePath("llama-benchy/console-c4.txt"))], {
    store,
    runtime: "sglang",
    now
  });
  assert.equal(withRuntime.status, "imported");
  const env = {...process.env, PATH: `${fixturePath("standins/bin")}${delimiter}${process.env.PATH}`};
  const plan = readPlan(PLAN, "plan.yaml");
  const summary = await runBench({
    store,
    plan,
    cells: expandPlan(plan, {env}),
    runners: RUNNERS,
    signal: new AbortController().signal,
    env,
    now,
    machine: async () => MACHINE
  });
  assert.deepEqual([summary.ok, summary.failed], [2, 2], "two cells worked, two failed");
  return store;
}

describe("reparse with unchanged parsers", async () => {
  const store = await storeOfEveryKind();
  const before = snapshot(store.root);
  const cells = storedCellIds(store);
  const outcomes = reparseStore(store);

  it("leaves every file of the store byte-identical", () => {
    assert.deepEqual(
      outcomes.map((o) => [o.name, o.status]),
      outcomes.map((o) => [o.name, "unchanged"])
    );
    assert.deepEqual(snapshot(store.root), before);
  });

  it("keeps what bench recorded: capture, environment, GPUs, and failed cells", () => {
    const runs = [...store.readAll()].flatMap((i) => i.runs).filter((r) => r.extra.capture);
    assert.equal(runs.length, 4);
    assert.ok(runs.every((r) => r.extra.environment && r.hardware.gpus.length === 2));
    assert.deepEqual(runs.map((r) => (r.extra.capture as {status: string}).status).sort(), [
      "error",
      "error",
      "ok",
      "ok"
    ]);
    assert.deepEqual(storedCellIds(store), cells);
  });

  it("keeps a --runtime given at import", () => {
    const benchy = [...store.readAll()].find((i) => i.source.name === "console-c4.txt")!;
    assert.deepEqual(benchy.source.read_with, {runtime: "sglang"});
    assert.ok(benchy.runs.every((r) => r.runtime === "sglang"));
  });

  it("then bench --resume runs no finished cell again", async () => {
    const env = {...process.env, PATH: `${fixturePath("standins/bin")}${delimiter}${process.env.PATH}`};
    const plan = readPlan(PLAN, "plan.yaml");
    const summary = await runBench({
      store,
      plan,
      cells: expandPlan(plan, {env}),
      runners: RUNNERS,
      resume: true,
      signal: new AbortController().signal,
      env,
      now,
      machine: async () => MACHINE
    });
    assert.deepEqual([summary.skipped, summary.ran], [4, 0]);
  });
});
