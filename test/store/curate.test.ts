/**
 * Curating the store from the command line: retag (add, change, remove
 * tags), remove (an input and its runs), both with --dry-run and --json, and
 * a re-import with other tags that says what happened to them.
 */
import assert from "node:assert/strict";
import {existsSync, readdirSync, readFileSync} from "node:fs";
import {join} from "node:path";
import {describe, it} from "node:test";
import {Store} from "../../scripts/store/store.js";
import {cli, tempDir} from "../helpers/cli.js";
import {fixturePath} from "../helpers/fixtures.js";

const A = fixturePath("compare/llama-bench-de3ff81.json");
const B = fixturePath("compare/llama-bench-d063b52.json");

function files(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const dir of ["raw", "runs"]) {
    if (!existsSync(join(root, dir))) continue;
    for (const name of readdirSync(join(root, dir)))
      out[`${dir}/${name}`] = readFileSync(join(root, dir, name), "utf8");
  }
  return out;
}

async function storeWithTwo(): Promise<{root: string; a: string; b: string}> {
  const root = join(tempDir(), "data");
  const out = await cli(["import", A, B, "--tag", "rig=desk", "--tag", "os=linux", "--store", root, "--json"]);
  assert.equal(out.code, 0, out.stderr);
  const [a, b] = (JSON.parse(out.stdout) as {sha256: string}[]).map((o) => o.sha256);
  return {root, a, b};
}

describe("benchbook retag", () => {
  it("changes, adds and removes tags of an input and every run of it, named by a run id; --dry-run writes nothing; reparse keeps them", async () => {
    const {root, a, b} = await storeWithTwo();
    const store = new Store(root);
    const runId = store.read(a).runs[0].id;
    const before = files(root);
    const dry = await cli([
      "retag",
      runId,
      "--tag",
      "rig=lab",
      "--tag",
      "gpu=none",
      "--untag",
      "os",
      "--store",
      root,
      "--dry-run"
    ]);
    assert.equal(dry.code, 0, dry.stderr);
    assert.match(dry.stdout, /would retag .*named by run .*: rig=desk os=linux → rig=lab gpu=none/);
    assert.deepEqual(files(root), before);

    const done = await cli([
      "retag",
      runId,
      "--tag",
      "rig=lab",
      "--tag",
      "gpu=none",
      "--untag",
      "os",
      "--store",
      root,
      "--json"
    ]);
    assert.equal(done.code, 0, done.stderr);
    const [outcome] = JSON.parse(done.stdout) as {sha256: string; changed: boolean; after: Record<string, string>}[];
    assert.equal(outcome.sha256, a);
    assert.equal(outcome.changed, true);
    const expected = {rig: "lab", gpu: "none"};
    assert.deepEqual(store.read(a).source.tags, expected);
    assert.ok(store.read(a).runs.every((r) => JSON.stringify(r.tags) === JSON.stringify(store.read(a).source.tags)));
    // The other input is untouched, byte for byte.
    assert.equal(files(root)[`runs/${b}.json`], before[`runs/${b}.json`]);
    // Reparse reads the input again with its stored tags: the new ones stay.
    assert.equal((await cli(["reparse", "--store", root])).code, 0);
    assert.deepEqual(store.read(a).runs[0].tags, expected);
  });

  it("refuses names that match nothing and a call without a change (exit 2)", async () => {
    const {root} = await storeWithTwo();
    const before = files(root);
    const none = await cli(["retag", "ffff0000", "--tag", "a=b", "--store", root]);
    assert.equal(none.code, 2);
    assert.match(none.stderr, /no stored run or input matches "ffff0000"/);
    assert.equal((await cli(["retag", "llama-bench-de3ff81.json", "--store", root])).code, 2);
    assert.deepEqual(files(root), before);
  });
});

describe("benchbook remove", () => {
  it("removes an input named by its file's base name: its runs file and raw copy, nothing else; --dry-run removes nothing", async () => {
    const {root, a, b} = await storeWithTwo();
    const before = files(root);
    const dry = await cli(["remove", "llama-bench-d063b52.json", "--store", root, "--dry-run", "--json"]);
    assert.equal(dry.code, 0, dry.stderr);
    assert.deepEqual((JSON.parse(dry.stdout) as {files: string[]}[])[0].files, [`runs/${b}.json`, `raw/${b}.json`]);
    assert.deepEqual(files(root), before);
    const done = await cli(["remove", "llama-bench-d063b52.json", "--store", root]);
    assert.equal(done.code, 0, done.stderr);
    assert.match(done.stdout, /removed .*1 run \(\w+-L1\), 8 results, 2 files/);
    assert.deepEqual(Object.keys(files(root)).sort(), [`raw/${a}.json`, `runs/${a}.json`]);
    assert.deepEqual(new Store(root).inputs(), [a]);
    // Importing the same bytes again brings it back.
    const again = await cli(["import", B, "--store", root]);
    assert.match(again.stdout, /^imported /m);
  });
});

describe("import of an input already stored, with other tags", () => {
  it("says the tags were not applied and how to apply them, instead of ignoring them silently", async () => {
    const {root, a} = await storeWithTwo();
    const out = await cli(["import", A, "--tag", "rig=lab", "--store", root]);
    assert.equal(out.code, 0);
    assert.match(out.stdout, /^unchanged /m);
    assert.match(
      out.stderr,
      new RegExp(
        `stored with rig=desk os=linux; the tags given \\(rig=lab\\) were not applied\\. To change them: benchbook retag ${a.slice(0, 12)} --tag rig=lab`
      )
    );
    const json = await cli(["import", A, "--tag", "rig=lab", "--store", root, "--json"]);
    assert.deepEqual((JSON.parse(json.stdout) as {tags_not_applied: unknown}[])[0].tags_not_applied, {
      given: {rig: "lab"},
      stored: {rig: "desk", os: "linux"}
    });
    // The same tags again: nothing to say.
    const same = await cli(["import", A, "--tag", "rig=desk", "--store", root]);
    assert.doesNotMatch(same.stderr, /not applied/);
  });
});
