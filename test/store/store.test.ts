import assert from "node:assert/strict";
import {existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync} from "node:fs";
import {join} from "node:path";
import {describe, it} from "node:test";
import {importInputs} from "../../scripts/import/import.js";
import {Store} from "../../scripts/store/store.js";
import {tempDir} from "../helpers/cli.js";
import {fixtureText} from "../helpers/fixtures.js";

const input = (name: string, text: string) => ({name, bytes: Buffer.from(text)});
const now = () => new Date("2026-01-01T00:00:00Z");

function listFiles(root: string): string[] {
  if (!existsSync(root)) return [];
  return readdirSync(root, {recursive: true, withFileTypes: true})
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name).slice(root.length + 1))
    .sort();
}

describe("store", () => {
  it("keeps the raw input byte for byte, named by its sha256, and the runs beside it", () => {
    const store = new Store(tempDir());
    const text = fixtureText("seeds/000-4x3080-split.txt");
    const [outcome] = importInputs([input("seed-000.txt", text)], {store, now});
    assert.equal(outcome.status, "imported");
    const sha = (outcome as {sha256: string}).sha256;
    assert.equal(readFileSync(join(store.root, `raw/${sha}.txt`), "utf8"), text);
    const stored = store.read(sha);
    assert.equal(stored.source.name, "seed-000.txt");
    assert.equal(stored.source.bytes, Buffer.byteLength(text));
    assert.ok(stored.runs.every((r) => r.source.sha256 === sha && r.id.startsWith(sha.slice(0, 12))));
  });

  it("importing the same bytes twice adds nothing and says so", () => {
    const store = new Store(tempDir());
    const text = fixtureText("seeds/001-rtx4090-m4.txt");
    importInputs([input("a.txt", text)], {store, now});
    const before = listFiles(store.root).map((f) => [f, readFileSync(join(store.root, f), "utf8")]);
    const [again, copy] = importInputs([input("a.txt", text), input("renamed.txt", text)], {
      store,
      now: () => new Date("2027-01-01T00:00:00Z")
    });
    assert.equal(again.status, "unchanged");
    assert.equal(copy.status, "unchanged");
    assert.deepEqual(
      listFiles(store.root).map((f) => [f, readFileSync(join(store.root, f), "utf8")]),
      before
    );
  });

  it("a bad input leaves the store untouched; good inputs of the same batch still land", () => {
    const store = new Store(tempDir());
    const outcomes = importInputs(
      [
        input("good.md", fixtureText("captured/cpu/llama-bench-md.stdout")),
        input(
          "bad.md",
          "| model | size | params | backend | test | t/s |\n|-|-|-|-|-|-|\n| m | 1 GiB | 1 B | CPU | pp512 | oops |\n"
        ),
        input("prose.txt", "nothing here\n")
      ],
      {store, now}
    );
    assert.deepEqual(
      outcomes.map((o) => o.status),
      ["imported", "failed", "failed"]
    );
    assert.equal(store.inputs().length, 1);
    assert.equal(listFiles(store.root).length, 2, "one raw file and one runs file");
    const bad = outcomes[1] as {error: Error};
    assert.match(bad.error.message, /^bad\.md: line 3: .*expected a t\/s cell/);
  });

  it("writes atomically: a crash before the runs file is renamed leaves no visible input", () => {
    const store = new Store(tempDir());
    // Simulate a crash after the raw copy: the raw file exists, the runs file does not.
    const text = fixtureText("captured/cpu/llama-bench-md.stdout");
    const [dry] = importInputs([input("x.md", text)], {store, now, dryRun: true});
    assert.equal(dry.status, "imported");
    assert.deepEqual(listFiles(store.root), [], "a dry run writes nothing");
    const sha = (dry as {sha256: string}).sha256;
    writeFileSync(join(tempDirOf(store, "raw"), `${sha}.md`), text);
    assert.deepEqual(store.inputs(), [], "readers only see inputs whose runs file exists");
    const [real] = importInputs([input("x.md", text)], {store, now});
    assert.equal(real.status, "imported");
    assert.deepEqual(store.inputs(), [sha]);
    assert.ok(!listFiles(store.root).some((f) => f.includes(".tmp-")), "no temporary files left behind");
  });

  it("runs files are valid JSON with one result per line", () => {
    const store = new Store(tempDir());
    const [o] = importInputs([input("s.txt", fixtureText("seeds/000-4x3080-split.txt"))], {store, now});
    const text = readFileSync(store.runsPath((o as {sha256: string}).sha256), "utf8");
    const parsed = JSON.parse(text);
    const resultLines = text.split("\n").filter((l) => /^\s+\{"line":/.test(l));
    assert.equal(
      resultLines.length,
      parsed.runs.reduce((n: number, r: {results: unknown[]}) => n + r.results.length, 0)
    );
  });
});

function tempDirOf(store: Store, sub: string): string {
  const dir = join(store.root, sub);
  mkdirSync(dir, {recursive: true});
  return dir;
}
