/**
 * A/B plans: `ab:` (and `--ab`/`--rounds`) turn every cell into a pair whose
 * invocations alternate A B A B …, each side with its own setting or
 * program; mistakes are refused with the line and key, as every plan key is.
 */
import assert from "node:assert/strict";
import {writeFileSync} from "node:fs";
import {join} from "node:path";
import {describe, it} from "node:test";
import type {AbCellParams} from "../../scripts/bench/ab-plan.js";
import {expandPlan, PlanError, readPlan} from "../../scripts/bench/plan.js";
import {cli, tempDir} from "../helpers/cli.js";

const plan = (...lines: string[]) =>
  ["name: ab", "runner: llama-bench", "models: [tiny.gguf]", "tests: {p: 64, n: 16}", ...lines].join("\n");
const expand = (text: string) => expandPlan(readPlan(text, "plan.yaml"));

function problems(text: string): [number, string][] {
  try {
    expand(text);
  } catch (error) {
    if (error instanceof PlanError) return error.issues.map((i) => [i.line, `${i.path.join(".")}: ${i.message}`]);
    throw error;
  }
  assert.fail("expected the plan to be refused");
}

describe("A/B plans", () => {
  it("interleaves the two settings A B A B …, rounds times, one measured run after the warm-up each", () => {
    const cells = expand(plan("ab:", "  t: 1,2", "  rounds: 3"));
    assert.deepEqual(
      cells.map((c) => c.label),
      [
        "tiny · d0 · A -t 1 · 1/3",
        "tiny · d0 · B -t 2 · 1/3",
        "tiny · d0 · A -t 1 · 2/3",
        "tiny · d0 · B -t 2 · 2/3",
        "tiny · d0 · A -t 1 · 3/3",
        "tiny · d0 · B -t 2 · 3/3"
      ]
    );
    for (const cell of cells) {
      const ab = cell.params.ab as AbCellParams;
      assert.deepEqual(cell.argv, [
        "llama-bench",
        "-m",
        "tiny.gguf",
        "-p",
        "64",
        "-n",
        "16",
        "-d",
        "0",
        "-r",
        "1",
        "-t",
        ab.side === "A" ? "1" : "2",
        "-o",
        "jsonl"
      ]);
      assert.equal(cell.tags.ab_side, ab.side);
      assert.equal(cell.tags.ab_pair, ab.pair);
    }
    assert.equal(new Set(cells.map((c) => c.id)).size, 6);
    assert.equal(new Set(cells.map((c) => (c.params.ab as AbCellParams).pair)).size, 1);
  });

  it("keeps round ids when rounds grow (so --resume runs only the new rounds) and whatever the spelling", () => {
    const three = expand(plan("ab:", "  t: 1,2", "  rounds: 3")).map((c) => c.id);
    const five = expand(plan("ab:", "  --threads: [1, 2]", "  rounds: 5")).map((c) => c.id);
    assert.deepEqual(five.slice(0, 6), three);
    assert.equal(five.length, 10);
  });

  it("A/B of two builds: each side runs its own program; a matrix makes one pair per cell, each interleaved", () => {
    const cells = expand(
      plan(
        'matrix: {ub: "32,64"}',
        "repetitions: 2",
        "ab:",
        "  binary: [old/llama-bench, new/llama-bench]",
        "  labels: [v0.4.0, v0.5.0]",
        "  rounds: 2"
      )
    );
    assert.deepEqual(
      cells.map((c) => [c.argv[0], c.argv[c.argv.indexOf("-ub") + 1], c.argv[c.argv.indexOf("-r") + 1], c.label]),
      [
        ["old/llama-bench", "32", "2", "tiny · -ub 32 · d0 · A v0.4.0 · 1/2"],
        ["new/llama-bench", "32", "2", "tiny · -ub 32 · d0 · B v0.5.0 · 1/2"],
        ["old/llama-bench", "32", "2", "tiny · -ub 32 · d0 · A v0.4.0 · 2/2"],
        ["new/llama-bench", "32", "2", "tiny · -ub 32 · d0 · B v0.5.0 · 2/2"],
        ["old/llama-bench", "64", "2", "tiny · -ub 64 · d0 · A v0.4.0 · 1/2"],
        ["new/llama-bench", "64", "2", "tiny · -ub 64 · d0 · B v0.5.0 · 1/2"],
        ["old/llama-bench", "64", "2", "tiny · -ub 64 · d0 · A v0.4.0 · 2/2"],
        ["new/llama-bench", "64", "2", "tiny · -ub 64 · d0 · B v0.5.0 · 2/2"]
      ]
    );
    assert.equal(new Set(cells.map((c) => (c.params.ab as AbCellParams).pair)).size, 2);
  });

  it("refuses what would not be an A/B comparison, naming the line and the key", () => {
    assert.deepEqual(
      problems(
        plan(
          "matrix: {t: 4}",
          "warmup: false",
          "ab:",
          "  t: 1,2,3",
          "  -p: 1,2",
          "  ub: 64,64",
          "  fa: 0,1",
          "  nope: 1,2"
        )
      ),
      [
        [
          6,
          "warmup: an A/B run warms up before every invocation (the first run after switching builds or settings pays for loading); remove warmup: false"
        ],
        [
          8,
          "ab.t: n_threads is set twice (in matrix: or another key of ab:); an A/B setting takes its two values from ab: only"
        ],
        [9, "ab.-p: -p is a test: A/B runs compare builds or settings on the same tests"],
        [10, "ab.ub: A and B are the same value (64)"],
        [12, 'ab.nope: unknown llama-bench setting "nope" (an A/B side differs by binary: or by settings)']
      ]
    );
    assert.deepEqual(problems(plan("ab:", "  t: 1,2", "  rounds: 1")), [
      [7, "ab.rounds: expected at least 2 rounds (one run per side gives no spread to test with)"]
    ]);
    assert.deepEqual(problems(plan("ab:", "  t: 1-4")), [
      [6, 'ab.t: expected two values (A and B), found 4: "1,2,3,4"']
    ]);
    assert.deepEqual(problems(plan("ab:", "  rounds: 4")), [
      [5, "ab: expected what differs between A and B: binary: [A, B] and/or a setting with two values (t: 1,2)"]
    ]);
    assert.deepEqual(problems(plan("ab:", "  binary: only/one")), [
      [6, 'ab.binary: expected two programs (A and B), found 1: "only/one"']
    ]);
  });

  it("benchbook bench --ab KEY=A,B --rounds N makes any llama-bench plan an A/B run; mistakes are usage errors", async () => {
    const dir = tempDir("benchbook-ab-");
    writeFileSync(join(dir, "p.yaml"), plan("matrix: {ub: 32}"));
    const {code, stdout} = await cli(
      ["bench", "p.yaml", "--dry-run", "--ab", "t=1,2", "--ab", "binary=a/llama-bench,b/llama-bench", "--rounds", "2"],
      {cwd: dir}
    );
    assert.equal(code, 0);
    assert.deepEqual(
      stdout.split("\n").filter((l) => l.includes("llama-bench -m")),
      [
        "a/llama-bench -m tiny.gguf -p 64 -n 16 -d 0 -r 1 -ub 32 -t 1 -o jsonl",
        "b/llama-bench -m tiny.gguf -p 64 -n 16 -d 0 -r 1 -ub 32 -t 2 -o jsonl",
        "a/llama-bench -m tiny.gguf -p 64 -n 16 -d 0 -r 1 -ub 32 -t 1 -o jsonl",
        "b/llama-bench -m tiny.gguf -p 64 -n 16 -d 0 -r 1 -ub 32 -t 2 -o jsonl"
      ]
    );
    const three = await cli(["bench", "p.yaml", "--dry-run", "--ab", "t=1,2,4"], {cwd: dir});
    assert.equal(three.code, 2);
    assert.match(three.stderr, /--ab: t: expected two values \(A and B\), found 3: "1,2,4"/);
    const rounds = await cli(["bench", "p.yaml", "--dry-run", "--ab", "t=1,2", "--rounds", "x"], {cwd: dir});
    assert.equal(rounds.code, 2);
    assert.match(rounds.stderr, /--ab\/--rounds: rounds: /);
  });
});
