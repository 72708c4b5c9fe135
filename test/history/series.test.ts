/**
 * Series from real llama-bench output: what a series is keyed on, how its
 * builds are ordered, and what one build's point holds — on the two real
 * builds of test/fixtures/compare/ (the same code, a comment apart).
 */
import assert from "node:assert/strict";
import {execFileSync} from "node:child_process";
import {writeFileSync} from "node:fs";
import {join} from "node:path";
import {describe, it} from "node:test";
import {gitCommits} from "../../scripts/history/build-order.js";
import {flaggedChanges, history} from "../../scripts/history/history.js";
import {readHistoryRows} from "../../scripts/history/read.js";
import {buildSeries} from "../../scripts/history/series.js";
import {importInputs} from "../../scripts/import/import.js";
import type {Row} from "../../scripts/schema/row.js";
import {Store} from "../../scripts/store/store.js";
import {cli, tempDir} from "../helpers/cli.js";
import {fixtureText} from "../helpers/fixtures.js";

type Record = {[field: string]: unknown};
const FIXTURES = ["compare/llama-bench-de3ff81.json", "compare/llama-bench-d063b52.json"];
const records = (file: string) => JSON.parse(fixtureText(file)) as Record[];

function storeOf(inputs: {name: string; text: string}[]): Store {
  const store = new Store(tempDir("benchbook-series-"));
  for (const input of inputs) {
    const [outcome] = importInputs([{name: input.name, bytes: Buffer.from(input.text)}], {store});
    assert.notEqual(outcome.status, "failed", input.name);
  }
  return store;
}

describe("two real builds (test/fixtures/compare)", () => {
  const store = storeOf(FIXTURES.map((f) => ({name: f, text: fixtureText(f)})));
  const histories = history(readHistoryRows(store), {metrics: ["all"]});

  it("makes one series per test and metric, each with both builds in build-number order, values as printed", () => {
    assert.equal(histories.length, 8);
    const [first, second] = FIXTURES.map(records);
    for (const h of histories) {
      assert.equal(h.order, "build_number");
      assert.deepEqual(
        h.points.map((p) => [p.build_commit, p.build_number]),
        [
          ["de3ff81", 1],
          ["d063b52", 2]
        ]
      );
      assert.equal(h.key.hardware, "AMD EPYC");
      assert.equal(h.key["setting.n_threads"], "2");
      const match = (r: Record) =>
        r.n_prompt === Number(h.key.n_prompt) && r.n_gen === Number(h.key.n_gen) && r.n_depth === Number(h.key.n_depth);
      const field = h.key.metric === "throughput" ? "avg_ts" : "avg_ns";
      assert.deepEqual(
        h.points.map((p) => p.mean),
        [first.find(match)![field], second.find(match)![field]]
      );
      assert.deepEqual(
        h.points.map((p) => p.n),
        [5, 5]
      );
    }
    assert.deepEqual([...new Set(histories.map((h) => h.key.test))].sort(), [
      "pp64",
      "pp64 @ d256",
      "tg16",
      "tg16 @ d256"
    ]);
  });

  it("flags nothing between the two builds of the same code, and calls their series unstable (a busy machine)", () => {
    assert.deepEqual(flaggedChanges(histories), []);
    assert.ok(histories.every((h) => h.status === "no change" && h.unstable));
  });

  it("prints so on the command line, and --fail-on does not trigger", async () => {
    const {code, stdout} = await cli(["history", "--fail-on", "regression>=3%", "--store", store.root]);
    assert.equal(code, 0);
    assert.match(
      stdout,
      /^No changes flagged\.\n4 series: 0 with changes, 4 without, 0 with insufficient data, 4 unstable \(CV > 5%\); builds ordered by build_number\.\n$/
    );
  });
});

describe("series keys", () => {
  it("does not split a series where a newer build prints a setting an older one did not", () => {
    const older = records(FIXTURES[0]).map(({fit_target, fit_min_ctx, ...rest}) => rest);
    const store = storeOf([
      {name: "old.json", text: JSON.stringify(older)},
      {name: "new.json", text: fixtureText(FIXTURES[1])}
    ]);
    const series = buildSeries(readHistoryRows(store).filter((r) => r.metric === "throughput"));
    assert.equal(series.length, 4);
    assert.ok(series.every((s) => s.points.length === 2 && !("setting.fit_target" in s.key)));
  });

  it("splits by a setting that takes several values (a sweep), and pools a build measured twice", () => {
    const twoThreads = fixtureText(FIXTURES[0]);
    const oneThread = JSON.stringify(
      records(FIXTURES[0]).map((r) => ({...r, n_threads: 1, test_time: "2026-11-22T04:00:00Z"}))
    );
    const again = JSON.stringify(records(FIXTURES[0]).map((r) => ({...r, test_time: "2026-11-22T05:00:00Z"})));
    const store = storeOf([
      {name: "t2.json", text: twoThreads},
      {name: "t1.json", text: oneThread},
      {name: "t2-again.json", text: again}
    ]);
    const series = buildSeries(readHistoryRows(store).filter((r) => r.metric === "throughput" && r.test === "tg16"));
    assert.deepEqual(series.map((s) => s.key["setting.n_threads"]).sort(), ["1", "2"]);
    const two = series.find((s) => s.key["setting.n_threads"] === "2")!;
    assert.equal(two.points.length, 1);
    const [p] = two.points;
    assert.equal(p.rows, 2);
    assert.equal(p.n, 10);
    const samples = [records(FIXTURES[0]), records(FIXTURES[0])].flatMap(
      (rs) => rs.find((r) => r.n_gen === 16 && r.n_depth === 0)!.samples_ts as number[]
    );
    const mean = samples.reduce((a, x) => a + x, 0) / samples.length;
    assert.ok(Math.abs(p.mean - mean) / mean < 1e-6, "the pooled mean of both runs' repetitions");
  });
});

describe("build order", () => {
  const row = (commit: string, time: string, value: number): Row => ({
    run_id: `run-${commit}`,
    tool: "llama-bench",
    build_commit: commit,
    build_number: null,
    started_at: time,
    test: "tg16",
    metric: "throughput",
    unit: "tok/s",
    stat: "mean",
    value,
    stddev: 0.5,
    stddev_kind: "sample",
    repetitions: 5,
    status: "ok",
    scope: "run",
    settings: {}
  });

  it("orders by time without build numbers, and by a repository's commits with --git", async () => {
    const repo = tempDir("benchbook-git-");
    const git = (...args: string[]) =>
      execFileSync("git", ["-C", repo, ...args], {
        encoding: "utf8",
        env: {
          ...process.env,
          GIT_AUTHOR_NAME: "t",
          GIT_AUTHOR_EMAIL: "t@localhost",
          GIT_COMMITTER_NAME: "t",
          GIT_COMMITTER_EMAIL: "t@localhost"
        }
      }).trim();
    git("init", "-q");
    const commits: string[] = [];
    for (let i = 0; i < 3; i++) {
      writeFileSync(join(repo, "f"), String(i));
      git("add", "f");
      git("commit", "-qm", `c${i}`);
      commits.push(git("rev-parse", "--short=9", "HEAD"));
    }
    // Measured out of commit order: the newest commit first.
    const rows = [
      row(commits[2], "2026-01-01T00:00:00Z", 10),
      row(commits[0], "2026-01-02T00:00:00Z", 11),
      row(commits[1], "2026-01-03T00:00:00Z", 12)
    ];
    assert.deepEqual(
      buildSeries(rows)[0].points.map((p) => p.build_commit),
      [commits[2], commits[0], commits[1]]
    );
    const [byGit] = buildSeries(rows, {git: gitCommits(repo)});
    assert.equal(byGit.order, "git");
    assert.deepEqual(
      byGit.points.map((p) => p.build_commit),
      commits
    );
  });

  it("does not order by build numbers that do not tell the builds apart (squashed releases all say build 1)", () => {
    const rows = [row("80fb11a", "2026-01-02T00:00:00Z", 10), row("de3ff81", "2026-01-01T00:00:00Z", 11)].map((r) => ({
      ...r,
      build_number: 1
    }));
    const [series] = buildSeries(rows);
    assert.equal(series.order, "time");
    assert.deepEqual(
      series.points.map((p) => p.build_commit),
      ["de3ff81", "80fb11a"]
    );
  });
});
