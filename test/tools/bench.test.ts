/**
 * `benchbook bench` against a real CPU llama-bench (scripts/llama/build-cpu.sh)
 * and a tiny random-weight model (scripts/llama/make-tiny-gguf.ts): results
 * stream in, a forced failure (a depth whose context cannot be allocated
 * under `ulimit -v`) becomes failed results, a timeout stops a cell,
 * `--resume` runs nothing again, Ctrl-C leaves a consistent store, no secret
 * reaches data/, and the results show on the built site.
 *
 * Binaries: $BENCHBOOK_LLAMA_BIN, else build-cpu.sh's cache (it builds once).
 */
import assert from "node:assert/strict";
import {execFileSync, spawn} from "node:child_process";
import {existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync} from "node:fs";
import {tmpdir} from "node:os";
import {join} from "node:path";
import {after, describe, it} from "node:test";
import {fileURLToPath} from "node:url";
import {Store} from "../../scripts/store/store.js";
import {siteProject} from "../helpers/site.js";

const REPO = fileURLToPath(new URL("../../", import.meta.url));
const SECRETS = {HF_TOKEN: "hf_envSECRETenvSECRETenvSECRET1", OPENAI_API_KEY: "sk-envSECRETenvSECRETenvSECRET2"};
const PLAN_SECRET = "hf_planSECRETplanSECRETplan3";

function llamaBin(): string {
  if (process.env.BENCHBOOK_LLAMA_BIN) return process.env.BENCHBOOK_LLAMA_BIN;
  return execFileSync("bash", ["scripts/llama/build-cpu.sh"], {
    cwd: REPO,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"]
  })
    .trim()
    .split("\n")
    .at(-1)!;
}

interface Cli {
  code: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
}

/** `node bin/benchbook.js …` as a child process (so it can be interrupted like a terminal user would). */
function benchbook(
  args: string[],
  options: {cwd: string; env?: NodeJS.ProcessEnv; onStart?: (pid: number) => void}
): Promise<Cli> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(REPO, "bin/benchbook.js"), ...args], {
      cwd: options.cwd,
      env: {...process.env, ...options.env},
      stdio: ["ignore", "pipe", "pipe"]
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c) => (stdout += c));
    child.stderr.on("data", (c) => (stderr += c));
    child.on("error", reject);
    child.on("close", (code, signal) => resolve({code, signal, stdout, stderr}));
    options.onStart?.(child.pid!);
  });
}

/** Every file under a directory as text, for grepping. */
function allText(dir: string): string {
  return readdirSync(dir, {recursive: true, encoding: "utf8"})
    .map((f) => join(dir, f))
    .filter((f) => statSync(f).isFile())
    .map((f) => readFileSync(f, "latin1"))
    .join("\n");
}

/** The store is consistent: every runs file parses and every file it names exists; no temporary files. */
function assertConsistent(root: string): void {
  const store = new Store(root);
  for (const input of store.readAll()) {
    assert.ok(existsSync(store.rawPath(input.source)), input.source.raw);
    for (const a of input.source.attachments ?? []) assert.ok(existsSync(join(root, a.raw)), a.raw);
  }
  const leftovers = readdirSync(root, {recursive: true, encoding: "utf8"}).filter((f) => /(^|\/)\.tmp-/.test(f));
  assert.deepEqual(leftovers, []);
}

const ids = (stdout: string) =>
  stdout
    .trim()
    .split("\n")
    .map(
      (l) =>
        JSON.parse(l) as {
          event: string;
          status?: string;
          cell?: {label: string};
          detail?: string;
          ok?: number;
          failed?: number;
        }
    );

describe("benchbook bench against a real CPU llama-bench", async () => {
  const bin = llamaBin();
  assert.ok(existsSync(join(bin, "llama-bench")), `no llama-bench in ${bin}`);
  // The work directory plays the user's home: --redact-home must replace it.
  const home = join(tmpdir(), `benchbook-tools-home-${process.pid}`);
  mkdirSync(join(home, "models"), {recursive: true});
  after(() => rmSync(home, {recursive: true, force: true}));
  const model = join(home, "models", "tiny.gguf");
  execFileSync(
    process.execPath,
    [
      "--import",
      "tsx",
      "scripts/llama/make-tiny-gguf.ts",
      "--vocab",
      join(bin, "../../src/models/ggml-vocab-llama-spm.gguf"),
      "--out",
      model
    ],
    {cwd: REPO, stdio: "ignore"}
  );
  const env = {...SECRETS, HOME: home, BENCHBOOK_STORE: ""};

  // A docs-style depth sweep: two ubatch sizes × three depths; the third depth
  // cannot be allocated under a 2 GiB address-space limit.
  writeFileSync(
    join(home, "sweep.yaml"),
    `name: tools-cpu-depth-sweep
runner: llama-bench
binary: ${join(bin, "llama-bench")}
models:
  - ${model}
matrix:
  -t: 2
  -ub: 32,64
tests:
  p: 64
  n: 16
  d: 0,256,100000000
repetitions: 2
limits:
  address_space_kib: 2097152
args: [-hft, ${PLAN_SECRET}]
pass_env: [HF_TOKEN]
timeout_s: 120
tags:
  suite: tools
`
  );
  const data = join(home, "data");
  const first = await benchbook(["bench", "sweep.yaml", "--json", "--store", data, "--redact-home"], {cwd: home, env});
  const events = ids(first.stdout);
  const ends = events.filter((e) => e.event === "cell-end");

  it("runs every cell, records the impossible depth as out of memory, goes on, and exits 1", () => {
    assert.equal(first.code, 1, first.stderr);
    assert.deepEqual(
      ends.map((e) => [e.cell?.label, e.status, e.ok, e.failed]),
      [
        ["tiny · -ub 32 · d0", "ok", 2, 0],
        ["tiny · -ub 32 · d256", "ok", 2, 0],
        ["tiny · -ub 32 · d100000000", "oom", 0, 2],
        ["tiny · -ub 64 · d0", "ok", 2, 0],
        ["tiny · -ub 64 · d256", "ok", 2, 0],
        ["tiny · -ub 64 · d100000000", "oom", 0, 2]
      ]
    );
    assert.match(ends[2].detail!, /failed to create context with model '~\/models\/tiny\.gguf'/);
  });

  it("stores every value exactly as llama-bench printed it, with the settings each cell ran", () => {
    const store = new Store(data);
    const runs = [...store.readAll()].flatMap((i) =>
      i.runs.map((run) => ({run, raw: readFileSync(store.rawPath(i.source), "utf8")}))
    );
    assert.equal(runs.length, 6);
    for (const {run, raw} of runs.filter(({run}) => run.format === "llama-bench-jsonl")) {
      const lines = raw.split("\n");
      for (const result of run.results.filter((r) => r.metric === "throughput")) {
        const printed = /"avg_ts": ([0-9.]+)/.exec(lines[result.line - 1])![1];
        assert.equal(result.value, Number(printed), `${result.test}: the value on line ${result.line}`);
        assert.equal(result.repetitions, 2);
      }
      assert.equal(run.settings.n_threads, 2);
      assert.ok(run.settings.n_ubatch === 32 || run.settings.n_ubatch === 64);
      assert.equal(run.tags.suite, "tools");
      assert.match(
        run.command!,
        /^HF_TOKEN=\[REDACTED\] .*llama-bench -m ~\/models\/tiny\.gguf -p 64 -n 16 -d (0|256) -r 2 -ub (32|64) -t 2 -hft \[REDACTED\] -o jsonl$/
      );
      const environment = run.extra.environment as {
        runtime: {build_commit: string};
        model: {gguf: {parameter_count: number; architecture: string}; path: string};
      };
      assert.equal(
        environment.runtime.build_commit,
        run.build_commit,
        "the version command and llama-bench's records name the same build"
      );
      assert.equal(
        environment.model.gguf.parameter_count,
        run.model.n_params,
        "GGUF parameter count = llama-bench's model_n_params"
      );
      assert.equal(environment.model.path, "~/models/tiny.gguf");
    }
    const failed = runs.filter(({run}) => run.format === "benchbook-capture");
    assert.equal(failed.length, 2);
    for (const {run} of failed)
      assert.deepEqual(
        run.results.map((r) => [r.status, r.value]),
        [
          ["oom", null],
          ["oom", null]
        ]
      );
  });

  it("never stores a secret from the environment or the plan, nor the home directory", () => {
    const text = allText(data);
    for (const secret of [...Object.values(SECRETS), PLAN_SECRET])
      assert.ok(!text.includes(secret), `${secret} in data/`);
    assert.ok(!text.includes(home), "home directory in data/");
    assert.ok(text.includes("[REDACTED]"));
  });

  it("--resume runs nothing the second time and leaves the store as it was", async () => {
    const before = readdirSync(data, {recursive: true}).sort();
    const again = await benchbook(["bench", "sweep.yaml", "--resume", "--store", data], {cwd: home, env});
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /^6 cells: 0 ok, 0 failed, 6 skipped/m);
    assert.deepEqual(readdirSync(data, {recursive: true}).sort(), before);
  });

  it("streams results: a cell's first test is reported before llama-bench finishes", async () => {
    writeFileSync(
      join(home, "stream.yaml"),
      `name: tools-stream\nrunner: llama-bench\nbinary: ${join(bin, "llama-bench")}\nmodels: [${model}]\ntests: {p: 64, n: 16, d: 0}\nrepetitions: 1\nargs: [--delay, "2"]\n`
    );
    const {runBench} = await import("../../scripts/bench/bench.js");
    const {expandPlan, loadPlan} = await import("../../scripts/bench/plan.js");
    const {RUNNERS} = await import("../../scripts/bench/runners/index.js");
    const plan = loadPlan(join(home, "stream.yaml"));
    const seen: {type: string; done?: number; at: number}[] = [];
    await runBench({
      store: new Store(join(home, "data-stream")),
      plan,
      cells: expandPlan(plan),
      runners: RUNNERS,
      signal: new AbortController().signal,
      env: process.env,
      onEvent: (e) => seen.push({type: e.type, done: "done" in e ? e.done : undefined, at: performance.now()})
    });
    const progress = seen.filter((e) => e.type === "progress");
    const end = seen.find((e) => e.type === "cell-end")!;
    assert.deepEqual(
      progress.map((e) => e.done),
      [1, 2]
    );
    assert.ok(
      end.at - progress[0].at > 1500,
      `the first record arrived ${Math.round(end.at - progress[0].at)} ms before the end (--delay 2 between tests)`
    );
  });

  it("stops a cell at its timeout and keeps the tests it finished", async () => {
    writeFileSync(
      join(home, "slow.yaml"),
      `name: tools-timeout\nrunner: llama-bench\nbinary: ${join(bin, "llama-bench")}\nmodels: [${model}]\ntests: {p: 64, n: "16,30000", d: 0}\nrepetitions: 1\ntimeout_s: 3\n`
    );
    const started = Date.now();
    const slow = await benchbook(["bench", "slow.yaml", "--json", "--store", join(home, "data-slow")], {
      cwd: home,
      env
    });
    assert.ok(Date.now() - started < 60000);
    const [end] = ids(slow.stdout).filter((e) => e.event === "cell-end");
    assert.equal(end.status, "timeout");
    assert.equal(slow.code, 1);
    const [input] = [...new Store(join(home, "data-slow")).readAll()];
    assert.deepEqual(
      input.runs[0].results.filter((r) => r.metric === "throughput").map((r) => [r.test, r.status]),
      [
        ["pp64", "ok"],
        ["tg16", "ok"],
        ["tg30000", "timeout"]
      ]
    );
  });

  it("Ctrl-C (SIGINT) stops the current cell, keeps the finished ones, exits 130; --resume finishes the rest", async () => {
    writeFileSync(
      join(home, "int.yaml"),
      `name: tools-interrupt\nrunner: llama-bench\nbinary: ${join(bin, "llama-bench")}\nmodels: [${model}]\ntests: {p: 64, n: 16, d: "0,1,2,3"}\nrepetitions: 1\nargs: [--delay, "1"]\n`
    );
    const store = join(home, "data-int");
    let pid = 0;
    const running = benchbook(["bench", "int.yaml", "--store", store], {cwd: home, env, onStart: (p) => (pid = p)});
    // Interrupt once the first cell is stored, while the second is running.
    const deadline = Date.now() + 60000;
    while (
      !(existsSync(join(store, "runs")) && readdirSync(join(store, "runs")).some((f) => f.endsWith(".json"))) &&
      Date.now() < deadline
    )
      await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, 300));
    process.kill(pid, "SIGINT");
    const result = await running;
    assert.equal(result.code, 130, result.stderr);
    assert.match(result.stderr, /interrupted; stopping the current cell/);
    const stored = new Store(store).inputs().length;
    assert.ok(stored >= 1 && stored < 4, `${stored} cells stored`);
    assertConsistent(store);
    const resumed = await benchbook(["bench", "int.yaml", "--resume", "--store", store], {cwd: home, env});
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.match(resumed.stdout, new RegExp(`^4 cells: ${4 - stored} ok, 0 failed, ${stored} skipped`, "m"));
    assert.equal(new Store(store).inputs().length, 4);
  });

  it("shows the results on the site built from that store, the failed cells as failed", async () => {
    const site = siteProject();
    const summary = await site.build(new Store(data));
    assert.equal(summary.export.runs, 6);
    const csv = readFileSync(join(site.root, "src/data/results.csv"), "utf8");
    const header = csv.split("\n")[0].split(",");
    const col = (name: string) => header.indexOf(name);
    const rows = csv
      .trim()
      .split("\n")
      .slice(1)
      .map((l) => l.split(","));
    assert.equal(rows.filter((r) => r[col("status")] === "oom").length, 4);
    assert.ok(rows.some((r) => r[col("test")] === "pp64 @ d256" && r[col("status")] === "ok"));
    const input = [...new Store(data).readAll()].find((i) => i.runs[0].format === "llama-bench-jsonl")!;
    assert.ok(existsSync(join(site.dist, "sources", `${input.source.sha256}.html`)), "the source page");
    assert.ok(existsSync(join(site.dist, "runs", `${input.runs[0].id}.html`)), "the run page");
    assert.ok(!allText(site.dist).includes(SECRETS.HF_TOKEN));
  });
});
