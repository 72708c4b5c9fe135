import assert from "node:assert/strict";
import {existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync} from "node:fs";
import {tmpdir} from "node:os";
import {join} from "node:path";
import {after, describe, it} from "node:test";
import {importInputs, readInput} from "../../scripts/import/import.js";
import type {RawInput} from "../../scripts/import/import.js";
import {fileInput, importStreamed, shouldStream, STREAM_THRESHOLD_BYTES} from "../../scripts/import/stream.js";
import {serializeInput, Store} from "../../scripts/store/store.js";
import {fixtureText} from "../helpers/fixtures.js";

const now = () => new Date("2026-01-01T00:00:00Z");
const dirs: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), "benchbook-stream-"));
  dirs.push(dir);
  return dir;
};
after(() => dirs.forEach((d) => rmSync(d, {recursive: true, force: true})));

/** A file input as a huge file would be (not read up front); the threshold is faked, not the content. */
const large = (name: string, path: string) =>
  fileInput(name, path, STREAM_THRESHOLD_BYTES) as RawInput & {path: string};

/** Lines of a server log from real vLLM lines: stats, spec decode, access lines, a stray non-log line. */
function vllmLog(repeat: number, eol = "\n"): string {
  const stats = fixtureText("logs/vllm-v1-cml-benchmarking.md")
    .split("\n")
    .filter((l) => l.includes("Engine 000"));
  const spec = fixtureText("logs/vllm-v1-spec-club3090-986.log").split("\n").filter(Boolean);
  const lines = [
    "$ vllm serve Qwen/Qwen2.5-32B-Instruct --port 8081 --tensor-parallel-size 2 --max-model-len 8192",
    ...fixtureText("logs/vllm-kv-size-pr13596.log").split("\n").filter(Boolean)
  ];
  for (let i = 0; i < repeat; i++) {
    lines.push(stats[i % stats.length], spec[i % spec.length], spec[(i + 1) % spec.length]);
    if (i % 7 === 3) lines.push("NCCL version 2.21.5+cuda12.4");
    if (i % 11 === 5) lines.push("");
  }
  return lines.join(eol) + eol;
}

function streamAndRead(text: string | Buffer, chunkBytes?: number) {
  const dir = tempDir();
  const path = join(dir, "server.log");
  writeFileSync(path, text);
  const store = new Store(join(dir, "data"));
  const input = large("server.log", path);
  const outcome = importStreamed(input, {store, now}, new Set(), chunkBytes);
  const whole = readInput({name: "server.log", bytes: readFileSync(path)}, {now});
  return {dir, path, store, outcome, whole};
}

describe("streamed import of a large server log", () => {
  it("stores exactly what reading the whole file stores: runs file byte for byte, and the raw copy", () => {
    const {store, outcome, whole} = streamAndRead(vllmLog(400));
    assert.ok(outcome && outcome.status === "imported");
    assert.equal(outcome.sha256, whole.stored.source.sha256);
    const written = readFileSync(store.runsPath(outcome.sha256), "utf8");
    assert.equal(written, serializeInput(whole.stored));
    assert.deepEqual(store.read(outcome.sha256), JSON.parse(serializeInput(whole.stored)));
    assert.ok(whole.stored.runs[0].results.length > 1000);
    assert.deepEqual(
      readFileSync(store.rawPath(whole.stored.source)),
      readFileSync(join(store.root, "..", "server.log"))
    );
  });

  it("gives the same runs whatever the chunk size (lines, CRLF and UTF-8 split across chunks)", () => {
    const text = vllmLog(60, "\r\n").replace("Engine 000", "Engine 000") + "é — 終わり\r\n";
    for (const chunk of [7, 64, 1000]) {
      const {store, outcome, whole} = streamAndRead(text, chunk);
      assert.ok(outcome && outcome.status === "imported", `chunk ${chunk}`);
      assert.equal(
        readFileSync(store.runsPath(outcome.sha256), "utf8"),
        serializeInput(whole.stored),
        `chunk ${chunk}`
      );
      assert.equal(whole.stored.source.lines, text.split("\r\n").length - 1);
    }
  });

  it("keeps results out of memory: the outcome's runs hold their count, not their values", () => {
    const {outcome, whole} = streamAndRead(vllmLog(100));
    assert.ok(outcome && outcome.status === "imported");
    assert.equal(outcome.runs[0].results.length, whole.stored.runs[0].results.length);
    assert.equal(0 in outcome.runs[0].results, false);
  });

  it("reads the command before the log as context, and blocks split by a command line", () => {
    const log = vllmLog(20);
    const second =
      "$ vllm serve other/model --max-model-len 4096\n" + fixtureText("logs/vllm-v1-spec-club3090-986.log");
    const {store, outcome, whole} = streamAndRead(log + second);
    assert.ok(outcome && outcome.status === "imported");
    const stored = store.read(outcome.sha256);
    assert.equal(stored.runs.length, 2);
    assert.deepEqual(
      stored.runs.map((r) => r.model.file),
      ["Qwen/Qwen2.5-32B-Instruct", "other/model"]
    );
    assert.deepEqual(stored.source.ignored, whole.stored.source.ignored);
    assert.deepEqual(stored.source.blocks, whole.stored.source.blocks);
  });

  it("re-importing the same bytes adds nothing", () => {
    const {path, store, outcome} = streamAndRead(vllmLog(10));
    assert.ok(outcome && outcome.status === "imported");
    const again = importStreamed(large("server.log", path), {store, now}, new Set());
    assert.equal(again?.status, "unchanged");
    assert.equal(
      readdirSync(join(store.root, "runs")).filter((f) => f.startsWith(".tmp")).length,
      0,
      "no temporary files left"
    );
    assert.equal(readdirSync(join(store.root, "raw")).filter((f) => f.startsWith(".tmp")).length, 0);
  });

  it("writes nothing in a dry run", () => {
    const dir = tempDir();
    const path = join(dir, "server.log");
    writeFileSync(path, vllmLog(10));
    const store = new Store(join(dir, "data"));
    const outcome = importStreamed(large("server.log", path), {store, now, dryRun: true}, new Set());
    assert.equal(outcome?.status, "imported");
    assert.deepEqual(store.inputs(), []);
    assert.deepEqual(readdirSync(join(store.root, "raw")), []);
  });

  it("refuses bytes that are not UTF-8 deep in the file, naming the line, and leaves nothing behind", () => {
    const good = Buffer.from(vllmLog(2500)); // past the first MB that chooses the format
    assert.ok(good.length > 1024 * 1024);
    const bad = Buffer.concat([good, Buffer.from([0xff, 0xfe, 0x41, 0x0a])]);
    const dir = tempDir();
    const path = join(dir, "bad.log");
    writeFileSync(path, bad);
    const store = new Store(join(dir, "data"));
    const [outcome] = importInputs([large("bad.log", path)], {store, now});
    // Small chunks, so the bad byte is met after lines were read and temporary files exist.
    const streamed = (() => {
      try {
        return importStreamed(large("bad.log", path), {store, now}, new Set(), 4096);
      } catch (error) {
        return error as Error;
      }
    })();
    assert.ok(streamed instanceof Error);
    assert.match(
      streamed.message,
      new RegExp(`^bad\\.log: line ${good.toString().split("\n").length}: expected UTF-8`)
    );
    assert.equal(outcome.status, "failed");
    if (outcome.status === "failed")
      assert.match(
        outcome.error.message,
        new RegExp(`^bad\\.log: line ${good.toString().split("\n").length}: expected UTF-8`)
      );
    assert.deepEqual(store.inputs(), []);
    const entries = (dir: string) => (existsSync(dir) ? readdirSync(dir) : []);
    assert.deepEqual(entries(join(store.root, "raw")), [], "the temporary raw copy is removed");
    assert.deepEqual(entries(join(store.root, "runs")), []);
  });

  it("takes large inputs through importInputs, and reads a large non-log file whole as before", () => {
    const dir = tempDir();
    const logPath = join(dir, "server.log");
    writeFileSync(logPath, vllmLog(30));
    const mdPath = join(dir, "bench.md");
    writeFileSync(mdPath, fixtureText("captured/cpu/llama-bench-md.stdout"));
    const store = new Store(join(dir, "data"));
    const outcomes = importInputs([large("server.log", logPath), large("bench.md", mdPath)], {store, now});
    assert.deepEqual(
      outcomes.map((o) => o.status),
      ["imported", "imported"]
    );
    const formats = store
      .inputs()
      .flatMap((sha) => store.read(sha).runs.map((r) => r.format))
      .sort();
    assert.deepEqual(formats, ["llama-bench-md", "vllm-log"]);
  });

  it("reads small files eagerly and large ones lazily", () => {
    const dir = tempDir();
    const path = join(dir, "a.log");
    writeFileSync(path, "x\n");
    const small = fileInput("a.log", path);
    assert.equal(small.path, path, "its folder is where a writeup is looked for");
    assert.ok(!shouldStream(small));
    assert.equal(Object.getOwnPropertyDescriptor(small, "bytes")?.get, undefined, "read already");
    assert.equal(Buffer.from(small.bytes).toString(), "x\n");
    const large = fileInput("a.log", path, STREAM_THRESHOLD_BYTES);
    assert.equal(large.path, path);
    assert.equal(Buffer.from(large.bytes).toString(), "x\n");
  });
});
