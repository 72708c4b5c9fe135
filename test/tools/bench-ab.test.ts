/**
 * An A/B run against a real CPU llama-bench (scripts/llama/build-cpu.sh) and
 * the tiny random-weight model: `-t 1` against `-t 2`, interleaved, real
 * processes and their real outputs. On a shared VM the invocations scatter
 * widely, so the test checks what the result is made of — each side's values
 * are the stored values llama-bench printed, in alternating order, with the
 * thread count each invocation reports — not which side is faster.
 *
 * Binaries: $BENCHBOOK_LLAMA_BIN, else build-cpu.sh's cache (it builds once).
 */
import assert from "node:assert/strict";
import {execFileSync, spawnSync} from "node:child_process";
import {existsSync, mkdirSync, readFileSync, rmSync, writeFileSync} from "node:fs";
import {tmpdir} from "node:os";
import {join} from "node:path";
import {after, describe, it} from "node:test";
import {fileURLToPath} from "node:url";
import {compareMeans} from "../../scripts/statistics/uncertainty.js";
import {Store} from "../../scripts/store/store.js";

const REPO = fileURLToPath(new URL("../../", import.meta.url));

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

function benchbook(args: string[], cwd: string) {
  const child = spawnSync(process.execPath, [join(REPO, "bin/benchbook.js"), ...args], {
    cwd,
    encoding: "utf8",
    env: {...process.env, BENCHBOOK_STORE: ""}
  });
  return {code: child.status, stdout: child.stdout, stderr: child.stderr};
}

interface AbEvent {
  event: "ab";
  test: string;
  a: {label: string; values: number[]; mean: number; sd: number; run_ids: string[]};
  b: {label: string; values: number[]; mean: number; sd: number; run_ids: string[]};
  ratio: number;
  low: number | null;
  high: number | null;
  p: number;
  detected: boolean;
  detectable: number;
  direction: string | null;
}

describe("benchbook bench A/B against a real CPU llama-bench: -t 1 against -t 2", () => {
  const bin = llamaBin();
  assert.ok(existsSync(join(bin, "llama-bench")), `no llama-bench in ${bin}`);
  const dir = join(tmpdir(), `benchbook-tools-ab-${process.pid}`);
  mkdirSync(dir, {recursive: true});
  after(() => rmSync(dir, {recursive: true, force: true}));
  const model = join(dir, "tiny.gguf");
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
  writeFileSync(
    join(dir, "ab.yaml"),
    `name: tools-ab-threads\nrunner: llama-bench\nbinary: ${join(bin, "llama-bench")}\nmodels: [${model}]\ntests: {p: 64, n: 16}\nab:\n  t: 1,2\n  rounds: 3\ntimeout_s: 120\n`
  );
  const data = join(dir, "data");
  const first = benchbook(["bench", "ab.yaml", "--json", "--store", data], dir);
  const events = first.stdout
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l) as {event: string});
  const ab = events.filter((e): e is AbEvent => e.event === "ab");
  const store = new Store(data);
  const runs = new Map(
    [...store.readAll()].flatMap((input) =>
      input.runs.map((run) => [run.id, {run, raw: readFileSync(store.rawPath(input.source), "utf8")}] as const)
    )
  );

  it("runs A B A B A B, each invocation with its side's thread count, as llama-bench itself reports it", () => {
    assert.equal(first.code, 0, first.stderr);
    const ordered = [...runs.values()].sort((x, y) =>
      String((x.run.extra!.capture as {started_at: string}).started_at).localeCompare(
        String((y.run.extra!.capture as {started_at: string}).started_at)
      )
    );
    assert.deepEqual(
      ordered.map(({run}) => run.tags.ab_side),
      ["A", "B", "A", "B", "A", "B"]
    );
    for (const {run, raw} of ordered) {
      const threads = run.tags.ab_side === "A" ? 1 : 2;
      assert.equal(run.settings.n_threads, threads);
      for (const line of raw.trim().split("\n"))
        assert.equal((JSON.parse(line) as {n_threads: number}).n_threads, threads);
      assert.match(run.command ?? "", new RegExp(` -r 1 -t ${threads} -o jsonl$`));
    }
  });

  it("compares the sides per test: each side's values are the values llama-bench printed, B/A with compare's interval", () => {
    assert.deepEqual(
      ab.map((e) => [e.test, e.a.label, e.b.label, e.a.values.length, e.b.values.length]),
      [
        ["pp64", "-t 1", "-t 2", 3, 3],
        ["tg16", "-t 1", "-t 2", 3, 3]
      ]
    );
    for (const e of ab) {
      for (const side of [e.a, e.b]) {
        side.values.forEach((value, i) => {
          const {run, raw} = runs.get(side.run_ids[i])!;
          const result = run.results.find((r) => r.test === e.test && r.metric === "throughput")!;
          const printed = JSON.parse(raw.split("\n")[result.line - 1]) as {avg_ts: number; samples_ts: number[]};
          assert.equal(value, printed.avg_ts);
          assert.deepEqual(printed.samples_ts.length, 1);
        });
      }
      const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
      const sd = (xs: number[]) => Math.sqrt(xs.reduce((s, x) => s + (x - mean(xs)) ** 2, 0) / (xs.length - 1));
      assert.equal(e.ratio, mean(e.b.values) / mean(e.a.values));
      const expected = compareMeans(
        {value: mean(e.a.values), stddev: sd(e.a.values), stddev_kind: "sample", repetitions: 3},
        {value: mean(e.b.values), stddev: sd(e.b.values), stddev_kind: "sample", repetitions: 3}
      );
      assert.deepEqual([e.low, e.high, e.p], [expected.low, expected.high, expected.p]);
      assert.equal(e.detected, expected.p! < 0.05);
      assert.equal(e.direction, e.detected ? (e.ratio > 1 ? "improvement" : "regression") : null);
      assert.ok(e.detectable > 0);
    }
  });

  it("--rounds 4 --resume runs only the fourth round, and the table uses all four", () => {
    const more = benchbook(["bench", "ab.yaml", "--rounds", "4", "--resume", "--store", data], dir);
    assert.equal(more.code, 0, more.stderr);
    assert.match(more.stdout, /^8 cells, 2 to run, 6 already in the store$/m);
    assert.match(more.stdout, /^A = -t 1, B = -t 2$/m);
    const rows = more.stdout.split("\n").filter((l) => /^tiny · d0 +(pp64|tg16) /.test(l));
    assert.equal(rows.length, 2);
    for (const row of rows)
      assert.match(
        row,
        /\(n=4\) .* \(n=4\) +[−+]\d+\.\d%  (\[[−+]\d+\.\d%, [−+]\d+\.\d%\]|unbounded) +(yes: (regression|improvement)|no) +±\d+\.\d%$/
      );
  });
});
