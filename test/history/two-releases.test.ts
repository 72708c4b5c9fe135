/**
 * History over real outputs of two different llama.cpp releases
 * (test/fixtures/captured/builds: v0.4.0 80fb11a and v0.5.0 de3ff81, CPU
 * builds from node-llama-cpp's bundles, 5 interleaved invocations of -r 5
 * each on a shared 2-core VM). Both say build 1 (squashed bundles), so the
 * builds are ordered by time (their first invocations started in the same
 * second: the tie goes by commit, 80fb11a then de3ff81, the order they ran
 * in); the two releases print the same settings, so
 * each test is one series across them; the VM's noise (10–50% per
 * invocation) leaves both series unstable and unchanged — and the same
 * records with the newer release's throughput halved are flagged.
 */
import assert from "node:assert/strict";
import {readdirSync} from "node:fs";
import {describe, it} from "node:test";
import {testSides} from "../../scripts/bench/ab-compare.js";
import {flaggedChanges, history} from "../../scripts/history/history.js";
import {readHistoryRows} from "../../scripts/history/read.js";
import {importInputs} from "../../scripts/import/import.js";
import {Store} from "../../scripts/store/store.js";
import {cli, tempDir} from "../helpers/cli.js";
import {fixturePath, fixtureText} from "../helpers/fixtures.js";

interface Record {
  build_commit: string;
  build_number: number;
  n_prompt: number;
  n_gen: number;
  n_threads: number;
  avg_ts: number;
  samples_ts: number[];
}

const FILES = readdirSync(fixturePath("captured/builds"))
  .filter((f) => f.endsWith(".jsonl"))
  .sort();
const records = (file: string) =>
  fixtureText(`captured/builds/${file}`)
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l) as Record);
const round = (file: string) => Number(/-(\d+)\.jsonl$/.exec(file)![1]);

function storeOf(text: (file: string) => string): Store {
  const store = new Store(tempDir("benchbook-releases-"));
  for (const file of FILES) {
    const [outcome] = importInputs([{name: file, bytes: Buffer.from(text(file))}], {store});
    assert.equal(outcome.status, "imported", file);
  }
  return store;
}

describe("two llama.cpp releases (test/fixtures/captured/builds)", () => {
  const store = storeOf((file) => fixtureText(`captured/builds/${file}`));
  const histories = history(readHistoryRows(store));

  it("are two builds that both say build 1, with the same settings: one series per test across them, ordered by time", () => {
    assert.deepEqual([...new Set(FILES.flatMap(records).map((r) => `${r.build_commit} ${r.build_number}`))].sort(), [
      "80fb11a 1",
      "de3ff81 1"
    ]);
    assert.deepEqual(
      histories.map((h) => [h.key.test, h.key.metric, h.key["setting.n_threads"], h.order]),
      [
        ["pp512", "throughput", "1", "time"],
        ["tg128", "throughput", "1", "time"]
      ]
    );
    for (const h of histories)
      assert.deepEqual(
        h.points.map((p) => [p.build_commit, p.build_number]),
        [
          ["80fb11a", 1],
          ["de3ff81", 1]
        ]
      );
  });

  it("pools each build's 5 invocations × 5 repetitions into one point: the mean of the 25 printed samples", () => {
    for (const h of histories) {
      for (const p of h.points) {
        const samples = FILES.filter((f) => f.startsWith(p.build_commit!))
          .flatMap(records)
          .filter((r) => (h.key.test === "tg128" ? r.n_gen === 128 : r.n_prompt === 512))
          .flatMap((r) => r.samples_ts);
        assert.equal(samples.length, 25);
        assert.equal(p.n, 25);
        const mean = samples.reduce((a, x) => a + x, 0) / samples.length;
        assert.ok(Math.abs(p.mean - mean) / mean < 1e-6, `${h.key.test} ${p.build_commit}: ${p.mean} vs ${mean}`);
      }
    }
  });

  it("flags no change between them at this machine's noise, and calls both series unstable", async () => {
    assert.deepEqual(flaggedChanges(histories), []);
    assert.ok(histories.every((h) => h.status === "no change" && h.unstable && h.cv! > 0.05));
    const {code, stdout} = await cli(["history", "--fail-on", "regression>=3%", "--store", store.root]);
    assert.equal(code, 0);
    assert.equal(
      stdout,
      "No changes flagged.\n2 series: 0 with changes, 2 without, 0 with insufficient data, 2 unstable (CV > 5%); builds ordered by time.\n"
    );
  });

  it("as an A/B of the interleaved invocations: B/A +1.0% (pp512) and +4.3% (tg128), neither detected; only ±79% and ±43% could have been", () => {
    const side = (commit: string, gen: boolean) =>
      FILES.filter((f) => f.startsWith(commit))
        .sort((a, b) => round(a) - round(b))
        .flatMap(records)
        .filter((r) => r.n_gen > 0 === gen)
        .map((r) => r.avg_ts);
    const tg = testSides(side("80fb11a", true), side("de3ff81", true));
    // By hand from the files' avg_ts: (1834.319908 + 1751.621892 + 2437.446494 + 1554.199724 + 1932.934319) / 5
    // over (1614.015694 + 1810.489198 + 2204.757914 + 1593.92715 + 1892.811044) / 5 = 1902.1045 / 1823.2002.
    assert.ok(Math.abs(tg.comparison.ratio - 1902.1045 / 1823.2002) < 1e-6);
    assert.equal(tg.detected, false);
    assert.ok(tg.comparison.low! < 1 && tg.comparison.high! > 1);
    assert.equal(Math.round(tg.detectable! * 100), 43);
    const pp = testSides(side("80fb11a", false), side("de3ff81", false));
    assert.equal(Math.round((pp.comparison.ratio - 1) * 1000), 10);
    assert.equal(pp.detected, false);
    assert.equal(Math.round(pp.detectable! * 100), 79);
  });

  it("flags a regression at de3ff81 when the same records say half the throughput there", () => {
    const halved = (file: string) =>
      records(file)
        .map((r) =>
          r.build_commit === "de3ff81"
            ? {
                ...r,
                avg_ts: r.avg_ts / 2,
                stddev_ts: (r as unknown as {stddev_ts: number}).stddev_ts / 2,
                samples_ts: r.samples_ts.map((x) => x / 2)
              }
            : r
        )
        .map((r) => JSON.stringify(r))
        .join("\n") + "\n";
    const changes = flaggedChanges(history(readHistoryRows(storeOf(halved))));
    assert.deepEqual(
      changes.map((c) => [c.series.test, c.build_commit, c.previous_build_commit, c.direction]),
      [
        ["pp512", "de3ff81", "80fb11a", "regression"],
        ["tg128", "de3ff81", "80fb11a", "regression"]
      ]
    );
    for (const c of changes)
      assert.ok(c.low! < 0.5 && 0.5 < c.high! && c.high! < 1, `${c.series.test}: [${c.low}, ${c.high}]`);
  });
});
