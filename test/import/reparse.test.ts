import assert from "node:assert/strict";
import {readFileSync, writeFileSync} from "node:fs";
import {describe, it} from "node:test";
import {importInputs} from "../../scripts/import/import.js";
import {reparseStore} from "../../scripts/import/reparse.js";
import {serializeInput, Store} from "../../scripts/store/store.js";
import {cli, tempDir} from "../helpers/cli.js";
import {fixtureText} from "../helpers/fixtures.js";

const importedAt = "2026-03-04T05:06:07.000Z";

/** A store holding seed 001, whose runs file looks as an older benchbook wrote it: without the MLX run. */
function storeWithOldRuns(): {store: Store; sha: string; fresh: string} {
  const store = new Store(tempDir());
  const [outcome] = importInputs(
    [{name: "posts/seed-001.txt", bytes: Buffer.from(fixtureText("seeds/001-rtx4090-m4.txt"))}],
    {store, tags: {writeup: "001"}, now: () => new Date(importedAt)}
  );
  assert.equal(outcome.status, "imported");
  const sha = (outcome as {sha256: string}).sha256;
  const fresh = readFileSync(store.runsPath(sha), "utf8");
  const old = store.read(sha);
  old.runs = old.runs.filter((r) => r.tool !== "mlx_lm.benchmark");
  old.source.blocks = old.source.blocks.filter((b) => b.format !== "mlx-lm-benchmark");
  writeFileSync(store.runsPath(sha), serializeInput(old));
  return {store, sha, fresh};
}

describe("reparse", () => {
  it("re-reads the raw input, keeping name, tags, import time and ids, and says what changed", () => {
    const {store, sha, fresh} = storeWithOldRuns();
    const before = store.read(sha);
    const [outcome] = reparseStore(store);
    if (outcome.status !== "changed") assert.fail(`expected a change, got ${outcome.status}`);
    assert.deepEqual([outcome.before.runs, outcome.after.runs], [before.runs.length, before.runs.length + 1]);
    assert.deepEqual(
      [outcome.before.results, outcome.after.results],
      [before.runs.reduce((n, r) => n + r.results.length, 0), before.runs.reduce((n, r) => n + r.results.length, 0) + 3]
    );
    assert.ok(
      outcome.after.formats.includes("mlx-lm-benchmark") && !outcome.before.formats.includes("mlx-lm-benchmark")
    );
    const after = store.read(sha);
    assert.equal(after.source.name, "posts/seed-001.txt");
    assert.deepEqual(after.source.tags, {writeup: "001"});
    assert.equal(after.source.imported_at, importedAt);
    assert.ok(after.runs.every((r) => r.imported_at === importedAt && r.tags.writeup === "001"));
    assert.deepEqual(
      after.runs.slice(0, before.runs.length).map((r) => r.id),
      before.runs.map((r) => r.id)
    );
    assert.equal(readFileSync(store.runsPath(sha), "utf8"), fresh, "the same file a fresh import writes");
  });

  it("leaves an up-to-date store untouched, and a dry run writes nothing", () => {
    const {store, sha} = storeWithOldRuns();
    const old = readFileSync(store.runsPath(sha), "utf8");
    assert.equal(reparseStore(store, {dryRun: true})[0].status, "changed");
    assert.equal(readFileSync(store.runsPath(sha), "utf8"), old);
    reparseStore(store);
    const [again] = reparseStore(store);
    assert.equal(again.status, "unchanged");
  });

  it("keeps the old runs of an input whose raw copy is damaged, and goes on with the others", () => {
    const {store, sha} = storeWithOldRuns();
    importInputs([{name: "mlx.txt", bytes: Buffer.from(fixtureText("mlx/seed-001-m4.txt"))}], {
      store,
      now: () => new Date(importedAt)
    });
    const old = readFileSync(store.runsPath(sha), "utf8");
    writeFileSync(store.rawPath(store.read(sha).source), "tampered");
    const outcomes = reparseStore(store);
    const damaged = outcomes.find((o) => o.sha256 === sha)!;
    assert.equal(damaged.status, "failed");
    assert.match((damaged as {error: Error}).error.message, /no longer has sha256/);
    assert.equal(readFileSync(store.runsPath(sha), "utf8"), old);
    assert.equal(outcomes.find((o) => o.sha256 !== sha)!.status, "unchanged");
  });
});

describe("benchbook reparse", () => {
  it("reports runs and results before → after, and --json gives the same", async () => {
    const {store, sha} = storeWithOldRuns();
    const old = store.read(sha);
    const [runs, results] = [old.runs.length, old.runs.reduce((n, r) => n + r.results.length, 0)];
    const dry = await cli(["reparse", "--dry-run", "--store", store.root]);
    assert.equal(dry.code, 0);
    assert.ok(
      dry.stdout.startsWith(
        `would change posts/seed-001.txt: runs ${runs} → ${runs + 1}, results ${results} → ${results + 3}; formats `
      ),
      dry.stdout
    );
    assert.match(dry.stdout, /→ [^\n]*mlx-lm-benchmark/);
    assert.match(dry.stdout, /1 input: 1 would change, 0 unchanged \(dry run, nothing written\)/);
    const json = await cli(["reparse", "--json", "--store", store.root]);
    const [outcome] = JSON.parse(json.stdout);
    assert.deepEqual([outcome.status, outcome.before.runs, outcome.after.runs], ["changed", runs, runs + 1]);
    const again = await cli(["reparse", "--store", store.root]);
    assert.ok(again.stdout.startsWith(`unchanged    posts/seed-001.txt: runs ${runs + 1} → ${runs + 1}`), again.stdout);
  });

  it("has --help and is listed", async () => {
    assert.match((await cli(["reparse", "--help"])).stdout, /Usage: benchbook reparse/);
    assert.match((await cli(["--help"])).stdout, /reparse\s+re-read every raw input/);
  });

  it("exits 1 when an input cannot be read", async () => {
    const {store, sha} = storeWithOldRuns();
    writeFileSync(store.rawPath(store.read(sha).source), "tampered");
    const result = await cli(["reparse", "--store", store.root]);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /failed\s+posts\/seed-001\.txt: .*runs are kept/);
  });
});
