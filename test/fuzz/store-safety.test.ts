/**
 * The fuzz tier: real fixtures mutated at random (fast-check) never crash,
 * hang or half-write the store; an import killed with SIGKILL at any moment
 * leaves a store that reads whole; two imports at once lose nothing.
 * Runs in about a minute; set FUZZ_RUNS for a longer search.
 */
import assert from "node:assert/strict";
import {spawn} from "node:child_process";
import {createHash} from "node:crypto";
import {existsSync, readdirSync, readFileSync, statSync, writeFileSync} from "node:fs";
import {join} from "node:path";
import {describe, it} from "node:test";
import {fileURLToPath} from "node:url";
import fc from "fast-check";
import {InputError} from "../../scripts/document/read.js";
import {importInputs, readInput} from "../../scripts/import/import.js";
import {Store} from "../../scripts/store/store.js";
import {tempDir} from "../helpers/cli.js";
import {FIXTURES} from "../helpers/fixtures.js";

const BIN = fileURLToPath(new URL("../../bin/benchbook.js", import.meta.url));
const RUNS = Number(process.env.FUZZ_RUNS ?? 150);
const now = () => new Date("2026-01-01T00:00:00Z");

/** Real tool outputs of every format (small enough to mutate quickly). */
const FILES = readdirSync(FIXTURES, {recursive: true, encoding: "utf8"})
  .filter(
    (f) =>
      !f.endsWith("README.md") && statSync(join(FIXTURES, f)).isFile() && statSync(join(FIXTURES, f)).size < 64 * 1024
  )
  .sort();

/** One mutation of a byte string: what a paste, a truncated download or a bad editor does. */
const mutation = fc.oneof(
  fc.record({kind: fc.constant("truncate" as const), at: fc.double({min: 0, max: 1, noNaN: true})}),
  fc.record({
    kind: fc.constant("delete" as const),
    at: fc.double({min: 0, max: 1, noNaN: true}),
    length: fc.integer({min: 1, max: 200})
  }),
  fc.record({
    kind: fc.constant("insert" as const),
    at: fc.double({min: 0, max: 1, noNaN: true}),
    bytes: fc.uint8Array({minLength: 1, maxLength: 40})
  }),
  fc.record({
    kind: fc.constant("text" as const),
    at: fc.double({min: 0, max: 1, noNaN: true}),
    text: fc.constantFrom(
      "\n",
      "|",
      ",",
      '"',
      "{",
      "]",
      "-",
      "1e309",
      "NaN",
      "\u00a0",
      "±",
      "\r\n",
      "99999999999999999999999",
      "-1",
      "\t",
      "${x}",
      "</script>"
    )
  }),
  fc.record({kind: fc.constant("duplicate-line" as const), at: fc.double({min: 0, max: 1, noNaN: true})})
);
type Mutation = typeof mutation extends fc.Arbitrary<infer T> ? T : never;

function mutate(bytes: Buffer, mutations: Mutation[]): Buffer {
  let out = bytes;
  for (const m of mutations) {
    const at = Math.floor(m.at * out.length);
    if (m.kind === "truncate") out = out.subarray(0, at);
    else if (m.kind === "delete") out = Buffer.concat([out.subarray(0, at), out.subarray(at + m.length)]);
    else if (m.kind === "insert") out = Buffer.concat([out.subarray(0, at), Buffer.from(m.bytes), out.subarray(at)]);
    else if (m.kind === "text") out = Buffer.concat([out.subarray(0, at), Buffer.from(m.text), out.subarray(at)]);
    else {
      const start = out.lastIndexOf(10, at) + 1;
      const end = out.indexOf(10, at);
      const line = out.subarray(start, end < 0 ? out.length : end + 1);
      out = Buffer.concat([out.subarray(0, start), line, line, out.subarray(start)]);
    }
  }
  return out;
}

/** Every committed input reads whole: its runs file is JSON, its raw copy and attachments exist with their hashes, no temporary file is left. */
function assertWhole(root: string, allowTemps = false): number {
  const store = new Store(root);
  for (const sha of store.inputs()) {
    const input = store.read(sha);
    assert.equal(input.source.sha256, sha);
    const raw = readFileSync(store.rawPath(input.source));
    assert.equal(createHash("sha256").update(raw).digest("hex"), sha, `raw of ${sha}`);
    for (const a of input.source.attachments ?? [])
      assert.equal(
        createHash("sha256")
          .update(readFileSync(join(root, a.raw)))
          .digest("hex"),
        a.sha256
      );
  }
  if (!allowTemps) {
    for (const dir of ["raw", "runs"])
      if (existsSync(join(root, dir)))
        assert.deepEqual(
          readdirSync(join(root, dir)).filter((f) => f.startsWith(".tmp-")),
          [],
          dir
        );
  }
  return store.inputs().length;
}

describe("fuzz: mutated real fixtures", () => {
  it(
    `read: never an error but InputError, never a hang (${RUNS} runs over ${FILES.length} fixtures)`,
    {timeout: 120_000},
    () => {
      fc.assert(
        fc.property(fc.constantFrom(...FILES), fc.array(mutation, {minLength: 1, maxLength: 4}), (file, mutations) => {
          const bytes = mutate(readFileSync(join(FIXTURES, file)), mutations);
          const started = Date.now();
          try {
            const {stored} = readInput({name: file, bytes}, {now});
            // What was read is storable: every value finite or null, every line inside the input.
            const lines = stored.source.lines;
            for (const run of stored.runs)
              for (const r of run.results) {
                assert.ok(r.value === null || Number.isFinite(r.value), `${file}: value ${r.value}`);
                assert.ok(r.line >= 1 && r.line <= lines, `${file}: line ${r.line} of ${lines}`);
              }
          } catch (error) {
            if (!(error instanceof InputError)) throw error;
            assert.ok(error.message.startsWith(`${file}: line `), error.message);
          }
          assert.ok(Date.now() - started < 10_000, `${file} took ${Date.now() - started} ms`);
        }),
        {numRuns: RUNS, seed: process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : undefined}
      );
    }
  );

  it("import: a store fed mutated inputs only ever holds whole inputs", {timeout: 120_000}, () => {
    const root = join(tempDir("benchbook-fuzz-"), "data");
    const store = new Store(root);
    fc.assert(
      fc.property(fc.constantFrom(...FILES), fc.array(mutation, {minLength: 1, maxLength: 3}), (file, mutations) => {
        const before = store.inputs().length;
        const [outcome] = importInputs([{name: file, bytes: mutate(readFileSync(join(FIXTURES, file)), mutations)}], {
          store,
          now
        });
        assert.equal(store.inputs().length, before + (outcome.status === "imported" ? 1 : 0));
        if (outcome.status === "failed") assert.ok(outcome.error instanceof InputError, outcome.error.stack);
      }),
      {numRuns: Math.ceil(RUNS / 3)}
    );
    assertWhole(root);
  });
});

/** `benchbook import` in a child process; resolves with its exit code and stdout. */
function importProcess(args: string[]): {
  child: ReturnType<typeof spawn>;
  done: Promise<{code: number | null; signal: string | null; stdout: string}>;
} {
  const child = spawn(process.execPath, [BIN, "import", ...args], {stdio: ["ignore", "pipe", "pipe"]});
  let stdout = "";
  child.stdout!.on("data", (c: Buffer) => (stdout += c.toString()));
  child.stderr!.resume();
  return {child, done: new Promise((ok) => child.on("exit", (code, signal) => ok({code, signal, stdout})))};
}

describe("fuzz: processes", () => {
  it(
    "kill -9 at random moments of an import never leaves a half-written input; the next import finishes and cleans up",
    {timeout: 180_000},
    async () => {
      const dir = tempDir("benchbook-kill-");
      // Inputs of a few MB each, so that a kill lands while files are written.
      const seeds = FILES.filter((f) => f.startsWith("seeds/") && f.endsWith(".txt"));
      const inputs = seeds.flatMap((f, i) => {
        const path = join(dir, `in-${i}.txt`);
        const text = `${readFileSync(join(FIXTURES, f), "utf8")}\n`.repeat(60);
        try {
          readInput({name: path, bytes: Buffer.from(text)}, {now});
        } catch {
          return []; // only inputs that import: every one must be in the store at the end
        }
        writeFileSync(path, text);
        return [path];
      });
      assert.ok(inputs.length >= 2);
      const root = join(dir, "data");
      const delays = fc.sample(fc.integer({min: 300, max: 2500}), {numRuns: 5, seed: 42});
      let killed = 0;
      for (const delay of delays) {
        const {child, done} = importProcess([...inputs, "--store", root, "--jobs", "1"]);
        const timer = setTimeout(() => child.kill("SIGKILL"), delay);
        const result = await done;
        clearTimeout(timer);
        if (result.signal === "SIGKILL") killed++;
        assertWhole(root, true);
      }
      assert.ok(killed >= 1, "at least one import was killed mid-way");
      const last = await importProcess([...inputs, "--store", root]).done;
      assert.equal(last.code, 0, last.stdout);
      assert.equal(assertWhole(root), inputs.length);
      assert.ok(!existsSync(join(root, ".lock")));
    }
  );

  it(
    "two imports at once: the one that reports 'imported' is the one stored, the other waits and reports 'unchanged'",
    {timeout: 120_000},
    async () => {
      const dir = tempDir("benchbook-concurrent-");
      const input = join(dir, "post.txt");
      writeFileSync(input, readFileSync(join(FIXTURES, "seeds/001-rtx4090-m4.txt")));
      const root = join(dir, "data");
      for (let trial = 0; trial < 3; trial++) {
        const trialRoot = `${root}-${trial}`;
        const [a, b] = await Promise.all([
          importProcess([input, "--store", trialRoot, "--tag", "who=a", "--json"]).done,
          importProcess([input, "--store", trialRoot, "--tag", "who=b", "--json"]).done
        ]);
        assert.deepEqual([a.code, b.code], [0, 0]);
        const statuses = [a, b].map((r) => (JSON.parse(r.stdout) as {status: string}[])[0].status);
        assert.deepEqual([...statuses].sort(), ["imported", "unchanged"], "exactly one wrote it");
        const winner = statuses[0] === "imported" ? "a" : "b";
        const [sha] = new Store(trialRoot).inputs();
        assert.deepEqual(
          new Store(trialRoot).read(sha).source.tags,
          {who: winner},
          "the tags stored are the ones of the import that said it stored them"
        );
        assertWhole(trialRoot);
      }
    }
  );
});
