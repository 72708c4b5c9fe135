import assert from "node:assert/strict";
import {cpSync, readdirSync, readFileSync, statSync} from "node:fs";
import {join, relative} from "node:path";
import {describe, it} from "node:test";
import {cli, tempDir} from "../helpers/cli.js";
import {fixturePath} from "../helpers/fixtures.js";

/** Every file of a store, path → bytes; not the query index (.index/, derived and named by file times) or an import's lock. */
function tree(root: string): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  for (const path of readdirSync(root, {recursive: true, encoding: "utf8"})) {
    if (path.startsWith(".index") || path === ".lock") continue;
    const full = join(root, path);
    if (statSync(full).isFile()) files.set(relative(root, full), readFileSync(full));
  }
  return files;
}

async function importInto(store: string, files: string[], tags: string[] = []) {
  const result = await cli([
    "import",
    ...files.map(fixturePath),
    "--store",
    store,
    ...tags.flatMap((t) => ["--tag", t])
  ]);
  assert.equal(result.code, 0, result.stderr);
}

/** Two machines: some inputs only on one, one input imported on both at different times. */
async function twoStores() {
  const a = tempDir("benchbook-merge-a-");
  const b = tempDir("benchbook-merge-b-");
  await importInto(a, ["llama-bench/readme-b5163/out.jsonl", "vllm/benchmark-serving-old.txt"]);
  await importInto(b, ["mlx/seed-001-m4.txt", "llama-bench/readme-b5163/out.sql"]);
  await importInto(b, ["vllm/benchmark-serving-old.txt"]);
  return {a, b};
}

function copyStore(from: string): string {
  const to = tempDir("benchbook-merge-copy-");
  cpSync(from, to, {recursive: true});
  return to;
}

describe("benchbook merge", () => {
  it("gives the same store whichever way two stores are merged, and merging again changes nothing", async () => {
    const {a, b} = await twoStores();
    const a2 = copyStore(a);
    const b2 = copyStore(b);
    const ab = await cli(["merge", b, "--store", a]);
    assert.equal(ab.code, 0, ab.stdout + ab.stderr);
    assert.match(
      ab.stdout,
      /added 2 inputs, 0 kept with the other store's earlier import time, 1 already here, 0 conflicts/
    );
    const ba = await cli(["merge", a2, "--store", b2]);
    assert.equal(ba.code, 0, ba.stdout + ba.stderr);
    assert.match(
      ba.stdout,
      /added 1 input, 1 kept with the other store's earlier import time, 0 already here, 0 conflicts/
    );
    assert.deepEqual(tree(a), tree(b2));
    const again = await cli(["merge", b, "--store", a, "--json"]);
    assert.equal(again.code, 0);
    assert.deepEqual(JSON.parse(again.stdout), {from: b, added: [], earlier: [], unchanged: 3, conflicts: []});
    const listed = await cli(["list", "--json", "--store", a]);
    assert.equal(JSON.parse(listed.stdout).length > 0, true);
  });

  it("reports a true conflict (the same input with other tags), leaves it as it is and exits 1", async () => {
    const a = tempDir("benchbook-merge-a-");
    const b = tempDir("benchbook-merge-b-");
    await importInto(a, ["llama-bench/readme-b5163/out.csv"], ["rig=one"]);
    await importInto(b, ["llama-bench/readme-b5163/out.csv"], ["rig=two"]);
    const before = tree(a);
    const merged = await cli(["merge", b, "--store", a]);
    assert.equal(merged.code, 1);
    assert.match(
      merged.stdout,
      /1 conflict\n  conflict runs\/[0-9a-f]{64}\.json: tags differ \(here \{"rig":"one"\}, there \{"rig":"two"\}\)/
    );
    assert.deepEqual(tree(a), before);
  });

  it("copies nothing with --dry-run and refuses a folder that is not a store", async () => {
    const {a, b} = await twoStores();
    const before = tree(a);
    const dry = await cli(["merge", b, "--store", a, "--dry-run"]);
    assert.match(dry.stdout, /would add 2 inputs/);
    assert.deepEqual(tree(a), before);
    const bad = await cli(["merge", tempDir(), "--store", a]);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /not a benchbook store \(no runs\/ folder\)/);
  });
});
