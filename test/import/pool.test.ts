import assert from "node:assert/strict";
import {spawnSync} from "node:child_process";
import {mkdirSync, readdirSync, readFileSync, statSync, writeFileSync} from "node:fs";
import {join, relative} from "node:path";
import {describe, it} from "node:test";
import type {ImportOutcome, RawInput} from "../../scripts/import/import.js";
import {importInputs} from "../../scripts/import/import.js";
import {importInputsPooled, movable} from "../../scripts/import/pool.js";
import {Store} from "../../scripts/store/store.js";
import {cli, tempDir} from "../helpers/cli.js";
import {fixturePath} from "../helpers/fixtures.js";
import {REPO} from "../helpers/site.js";

const now = () => new Date("2026-01-01T00:00:00Z");

/** Every file under a directory with its bytes, by path relative to it. */
function tree(dir: string): Record<string, string> {
  const walk = (d: string): string[] =>
    readdirSync(d).flatMap((f) => (statSync(join(d, f)).isDirectory() ? walk(join(d, f)) : [join(d, f)]));
  return Object.fromEntries(walk(dir).map((p) => [relative(dir, p), readFileSync(p, "utf8")]));
}

/** What an outcome says, comparable across threads: runs by id, format and result count; errors by message. */
function summary(o: ImportOutcome) {
  if (o.status === "imported")
    return {
      name: o.name,
      status: o.status,
      sha256: o.sha256,
      runs: o.runs.map((r) => [r.id, r.format, r.results.length])
    };
  if (o.status === "unchanged") return {name: o.name, status: o.status, sha256: o.sha256, runs: o.runs};
  return {name: o.name, status: o.status, error: o.error.message, type: o.error.name};
}

const file = (name: string): RawInput => ({name, bytes: readFileSync(fixturePath(name))});

/** A batch with everything whose order matters: duplicates of good and bad inputs, an input already stored. */
function batch(): RawInput[] {
  const bad: RawInput = {name: "bad.md", bytes: Buffer.from("no benchmark here\njust prose\n")};
  return [
    file("llama-bench/readme-b5163/out.jsonl"),
    file("llama-bench/readme-b5163/out.csv"),
    bad,
    file("llama-bench/readme-b5163/out.json"),
    {name: "copy-of-out.jsonl", bytes: readFileSync(fixturePath("llama-bench/readme-b5163/out.jsonl"))},
    file("llama-bench/readme-b5163/out.sql"),
    {name: "bad-again.md", bytes: bad.bytes},
    file("llama-bench/readme-b5163/README.md"), // prose only: fails
    file("captured/cpu/llama-bench-md.stdout"),
    // Read from disk: the writeup it names is found beside it, in a worker too.
    {
      name: "post.observations.yaml",
      bytes: readFileSync(fixturePath("hand/writeup/post.observations.yaml")),
      path: fixturePath("hand/writeup/post.observations.yaml")
    }
  ];
}

describe("import worker pool", () => {
  it("gives the outcomes, their order and the store a one-by-one import gives", async () => {
    const one = new Store(join(tempDir(), "data"));
    const many = new Store(join(tempDir(), "data"));
    // One input is in both stores before the batch.
    for (const store of [one, many]) importInputs([file("llama-bench/readme-b5163/out.sql")], {store, now});
    const reported: ImportOutcome[][] = [[], []];
    const sequential = importInputs(batch(), {
      store: one,
      now,
      tags: {writeup: "pool"},
      onOutcome: (o) => reported[0].push(o)
    });
    const pooled = await importInputsPooled(batch(), {
      store: many,
      now,
      tags: {writeup: "pool"},
      jobs: 3,
      onOutcome: (o) => reported[1].push(o)
    });
    assert.deepEqual(pooled.map(summary), sequential.map(summary));
    // Every input's final outcome is reported once, as it is known: in input order one by one, in any order from the pool.
    assert.deepEqual(reported[0], sequential);
    assert.equal(reported[1].length, pooled.length);
    assert.deepEqual(new Set(reported[1]), new Set(pooled));
    assert.deepEqual(
      sequential.map((o) => o.status),
      [
        "imported",
        "imported",
        "failed",
        "imported",
        "unchanged",
        "unchanged",
        "failed",
        "failed",
        "imported",
        "imported"
      ]
    );
    assert.deepEqual(tree(many.root), tree(one.root));
    const observations = pooled[9];
    assert.ok(observations.status === "imported");
    assert.deepEqual(
      many.read(observations.sha256).source.attachments?.map((a) => a.role),
      ["writeup"],
      "the writeup beside the file is stored"
    );
    // A failed input names its file and line as the sequential error does, and keeps its type.
    const failed = pooled[2];
    assert.ok(
      failed.status === "failed" &&
        failed.error.name === "InputError" &&
        /^bad\.md: line 1: /.test(failed.error.message)
    );
  });

  it("writes nothing on a dry run and reports what would be imported", async () => {
    const store = new Store(join(tempDir(), "data"));
    const sequential = importInputs(batch(), {store, now, dryRun: true});
    const pooled = await importInputsPooled(batch(), {store, now, dryRun: true, jobs: 2});
    assert.deepEqual(pooled.map(summary), sequential.map(summary));
    assert.deepEqual(store.inputs(), []);
  });

  it("fails an input whose files cannot be written, as a one-by-one import does, and commits none of it", async () => {
    const results: ImportOutcome[][] = [];
    for (const pooled of [false, true]) {
      const store = new Store(join(tempDir(), "data"));
      // raw/ is a file: every raw copy fails to be written (on the pool's main thread, which writes what workers read).
      mkdirSync(store.root);
      writeFileSync(join(store.root, "raw"), "not a folder");
      const inputs = batch().slice(0, 4);
      results.push(
        pooled ? await importInputsPooled(inputs, {store, now, jobs: 2}) : importInputs(inputs, {store, now})
      );
      assert.deepEqual(store.inputs(), [], "no runs file without its raw copy");
      assert.deepEqual(readdirSync(store.root), ["raw"], "nothing half-written");
    }
    const [sequential, pooled] = results.map((outcomes) =>
      outcomes.map((o) => [
        o.name,
        o.status,
        o.status === "failed" ? ((o.error as NodeJS.ErrnoException).code ?? o.error.message) : ""
      ])
    );
    assert.deepEqual(pooled, sequential);
    assert.deepEqual(
      sequential.map(([, status]) => status),
      ["failed", "failed", "failed", "failed"]
    );
    assert.match(String(sequential[0][2]), /^(ENOTDIR|EEXIST)$/);
  });

  it("benchbook import --jobs 2 from the command line (workers register tsx themselves under bin/benchbook.js)", () => {
    const cwd = tempDir();
    const dir = join(cwd, "outputs");
    mkdirSync(dir);
    for (const input of batch().filter((i) => !i.path))
      writeFileSync(join(dir, input.name.replace(/\//g, "_")), input.bytes);
    // Run the real executable: no --import tsx flag for the workers to inherit.
    const run = spawnSync(
      process.execPath,
      [join(REPO, "bin/benchbook.js"), "import", "--jobs", "2", "--store", join(cwd, "data"), "outputs"],
      {cwd, encoding: "utf8", env: {...process.env, NODE_OPTIONS: ""}}
    );
    assert.equal(run.status, 1, run.stderr);
    assert.match(run.stdout, /6 of 9 inputs in the store; 3 failed/);
    // out.jsonl (its copy unchanged), out.csv, out.json, out.sql, llama-bench-md.stdout
    assert.equal(new Store(join(cwd, "data")).inputs().length, 5);
  });

  it("moves only buffers a view covers whole, never Node's shared pool, each once", () => {
    const whole = Buffer.from("x".repeat(64 * 1024));
    const pooled = Buffer.from("small"); // a slice of the pool other Buffers share
    const slice = whole.subarray(10);
    assert.ok(pooled.byteLength < pooled.buffer.byteLength);
    assert.deepEqual(movable([whole, pooled, slice, whole]), [whole.buffer]);
    // Moving it detaches it here: a pooled buffer would take other Buffers' bytes with it.
    structuredClone(null, {transfer: movable([whole, pooled])});
    assert.equal(whole.buffer.byteLength, 0);
    assert.equal(pooled.toString(), "small");
  });

  it("refuses a --jobs that is not a whole number of threads", async () => {
    const {code, stderr} = await cli(["import", "--jobs", "0", fixturePath("llama-bench/readme-b5163/out.jsonl")], {
      cwd: tempDir()
    });
    assert.equal(code, 2);
    assert.match(stderr, /--jobs takes a whole number/);
  });
});
