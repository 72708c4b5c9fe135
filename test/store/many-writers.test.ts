/**
 * Many processes writing one store at once, as Slurm tasks on several nodes
 * do into a store on a shared filesystem: every import lands whole, none is
 * lost, no temporary file is left, and the same input imported twice at once
 * is stored once.
 */
import assert from "node:assert/strict";
import {spawn} from "node:child_process";
import {existsSync, readdirSync} from "node:fs";
import {join} from "node:path";
import {describe, it} from "node:test";
import {fileURLToPath} from "node:url";
import {Store} from "../../scripts/store/store.js";
import {tempDir} from "../helpers/cli.js";
import {fixturePath} from "../helpers/fixtures.js";

const BIN = fileURLToPath(new URL("../../bin/benchbook.js", import.meta.url));

function importProcess(file: string, store: string): Promise<{code: number | null; stderr: string}> {
  return new Promise((ok, fail) => {
    const child = spawn(process.execPath, [BIN, "import", fixturePath(file), "--store", store], {
      stdio: ["ignore", "ignore", "pipe"]
    });
    let stderr = "";
    child.stderr.on("data", (c) => (stderr += c));
    child.on("error", fail);
    child.on("close", (code) => ok({code, stderr}));
  });
}

describe("many writers, one store", () => {
  it("lands every import whole when six processes write at once", async () => {
    const root = tempDir("benchbook-writers-");
    const files = [
      "llama-bench/readme-b5163/out.jsonl",
      "llama-bench/readme-b5163/out.csv",
      "llama-bench/readme-b5163/out.sql",
      "mlx/seed-001-m4.txt",
      "vllm/benchmark-serving-old.txt",
      "vllm/benchmark-serving-old.txt"
    ];
    const results = await Promise.all(files.map((file) => importProcess(file, root)));
    for (const r of results) assert.equal(r.code, 0, r.stderr);
    const store = new Store(root);
    assert.equal(store.inputs().length, 5);
    for (const input of store.readAll()) {
      assert.ok(existsSync(store.rawPath(input.source)), input.source.raw);
      assert.ok(input.runs.length > 0, input.source.name);
    }
    const leftovers = readdirSync(root, {recursive: true, encoding: "utf8"}).filter((f) => /(^|\/)\.tmp-/.test(f));
    assert.deepEqual(leftovers, []);
  });
});
