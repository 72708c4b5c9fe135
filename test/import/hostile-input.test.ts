/**
 * Hostile or broken input ends in a message naming the file (and line) and a
 * non-zero exit, never a crash, a hang, unbounded memory or a silently wrong
 * value; the store is left as it was.
 */
import assert from "node:assert/strict";
import {execFileSync} from "node:child_process";
import {existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, utimesSync, writeFileSync} from "node:fs";
import {join} from "node:path";
import {describe, it} from "node:test";
import {readInput} from "../../scripts/import/import.js";
import {MAX_LINE_CHARS, MAX_NESTING} from "../../scripts/import/limits.js";
import {HOST_TAG} from "../../scripts/store/atomic.js";
import {Store} from "../../scripts/store/store.js";
import {cli, tempDir} from "../helpers/cli.js";
import {fixturePath, fixtureText} from "../helpers/fixtures.js";

const JSONL = fixtureText("captured/cpu/llama-bench-jsonl.stdout");
const now = () => new Date("2026-01-01T00:00:00Z");
const read =
  (text: string, name = "in.jsonl") =>
  () =>
    readInput({name, bytes: Buffer.from(text)}, {now});

describe("plans that would expand without bound", () => {
  it("-ub: 1-1000000000 is refused with its line, even with --dry-run", async () => {
    const dir = tempDir();
    writeFileSync(
      join(dir, "p.yaml"),
      'name: p\nrunner: llama-bench\nmodels: [m.gguf]\nmatrix:\n  -ub: "1-1000000000"\n'
    );
    const {code, stderr} = await cli(["bench", "p.yaml", "--dry-run"], {cwd: dir});
    assert.equal(code, 1);
    assert.match(stderr, /p\.yaml:5: matrix\.-ub: "1-1000000000" expands to more than 100000 values/);
  });

  it("three 1-1000 ranges are counted before any cell is built; max_cells raises the bound", async () => {
    const dir = tempDir();
    const plan =
      'name: p\nrunner: llama-bench\nmodels: [m.gguf]\nmatrix:\n  -ub: "1-1000"\n  -b: "1-1000"\n  -t: "1-1000"\n';
    writeFileSync(join(dir, "p.yaml"), plan);
    const {code, stderr} = await cli(["bench", "p.yaml", "--dry-run"], {cwd: dir});
    assert.equal(code, 1);
    assert.match(stderr, /p\.yaml:4: matrix: the plan expands to 1,000,000,000 cells, more than max_cells \(10000\)/);
    writeFileSync(
      join(dir, "q.yaml"),
      'name: q\nrunner: llama-bench\nmodels: [m.gguf]\nmax_cells: 20000\nmatrix:\n  -ub: "1-120"\n  -t: "1-100"\n'
    );
    const raised = await cli(["bench", "q.yaml", "--dry-run", "--json"], {cwd: dir});
    assert.equal(raised.code, 0, raised.stderr);
    assert.equal(raised.stdout.trim().split("\n").length, 12000);
  });

  it("a YAML alias bomb in a plan or a hand-entered file is refused by name", async () => {
    const bomb = [
      'a: &a ["x","x","x","x","x","x","x","x","x"]',
      ...["b", "c", "d", "e", "f", "g"].map((k, i) => `${k}: &${k} [${Array(9).fill(`*${"abcdefg"[i]}`).join(",")}]`)
    ].join("\n");
    const dir = tempDir();
    writeFileSync(join(dir, "p.yaml"), `name: p\nrunner: llama-bench\nmodels: [m.gguf]\n${bomb}\n`);
    const plan = await cli(["bench", "p.yaml", "--dry-run"], {cwd: dir});
    assert.equal(plan.code, 1);
    assert.match(plan.stderr, /p\.yaml:1: YAML: Excessive alias count/);
    assert.throws(
      read(`benchbook: observations/1\n${bomb}\n`, "obs.yaml"),
      /^InputError: obs\.yaml: line 1: hand-observations-yaml: expected YAML whose aliases/
    );
  });
});

describe("values that would be stored wrong", () => {
  it("1e309 and a 400-digit number are refused at their line, not stored as null with status ok", () => {
    assert.throws(
      read(JSONL.replace('"avg_ts": 103292.158869', '"avg_ts": 1e309')),
      /in\.jsonl: line 1: a finite number for pp64 throughput value/
    );
    const lines = JSONL.split("\n");
    lines[1] = lines[1].replace(/"avg_ts": [0-9.]+/, `"avg_ts": ${"9".repeat(400)}`);
    assert.throws(read(lines.join("\n")), /in\.jsonl: line 2: a finite number for tg16 throughput value/);
  });

  it("NUL bytes are refused with their line", () => {
    assert.throws(
      read(`${JSONL}\nabc\0def\n`),
      new RegExp(`in\\.jsonl: line ${JSONL.split("\n").length + 1}: expected text without NUL bytes`)
    );
  });

  it("negative throughput is kept as printed and said in the run's notes", () => {
    const {stored} = read(JSONL.replace('"avg_ts": 103292.158869', '"avg_ts": -103292.158869'))();
    assert.equal(stored.runs[0].results[0].value, -103292.158869);
    assert.ok(
      stored.runs[0].notes.includes("line 1: pp64 throughput is negative (-103292.158869 tok/s), as printed"),
      stored.runs[0].notes.join("\n")
    );
  });

  it(`JSON nested ${MAX_NESTING + 1} deep or 100,000 deep names the file instead of overflowing the stack`, () => {
    for (const depth of [MAX_NESTING + 1, 100_000]) {
      assert.throws(
        read(`${"[".repeat(depth)}${"]".repeat(depth)}`, "deep.json"),
        /^InputError: deep\.json: line 1: brackets nested at most 1000 deep/
      );
    }
  });

  it(`a line longer than ${MAX_LINE_CHARS / 2 ** 20} Mi characters is refused with its line`, () => {
    assert.throws(
      read(`${JSONL}${"x".repeat(MAX_LINE_CHARS + 2)}\n`),
      new RegExp(`in\\.jsonl: line ${JSONL.split("\n").length}: lines of at most 16 MiB`)
    );
  });
});

describe("files that are not files", () => {
  it("/dev/zero and a FIFO are refused by name at once (no read that never ends)", async () => {
    const dir = tempDir();
    const store = join(dir, "data");
    const zero = await cli(["import", "/dev/zero", "--store", store]);
    assert.equal(zero.code, 2);
    assert.match(zero.stderr, /\/dev\/zero: a character device; benchbook imports regular files/);
    execFileSync("mkfifo", [join(dir, "pipe")]);
    const fifo = await cli(["import", "pipe", "--store", store], {cwd: dir});
    assert.equal(fifo.code, 2);
    assert.match(fifo.stderr, /pipe: a FIFO/);
    assert.ok(!existsSync(store));
  });

  it("symbolic links in a directory are followed (never '0 of 0'), loops end, a broken one is named", async () => {
    const dir = tempDir();
    mkdirSync(join(dir, "in"));
    symlinkSync(fixturePath("captured/cpu/llama-bench-jsonl.stdout"), join(dir, "in", "a.jsonl"));
    symlinkSync(join(dir, "in"), join(dir, "in", "loop"));
    const ok = await cli(["import", "in", "--store", join(dir, "data")], {cwd: dir});
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, /^imported {2}in\/a\.jsonl: 1 run/m);
    assert.match(ok.stdout, /1 of 1 input in the store/);
    symlinkSync(join(dir, "nowhere"), join(dir, "in", "broken.jsonl"));
    const broken = await cli(["import", "in", "--store", join(dir, "data")], {cwd: dir});
    assert.equal(broken.code, 2);
    assert.match(broken.stderr, /in\/broken\.jsonl: a symbolic link to a file that does not exist/);
  });

  it("a writeup outside the observations file's folder is refused (no ../../etc/passwd or ~/.ssh on the site)", () => {
    const dir = tempDir();
    mkdirSync(join(dir, "obs"));
    writeFileSync(join(dir, "secret.md"), "outside\n");
    symlinkSync(join(dir, "secret.md"), join(dir, "obs", "link.md"));
    const observations = fixtureText("hand/writeup/post.observations.yaml");
    for (const path of ["../secret.md", "/etc/passwd", "./link.md"]) {
      writeFileSync(join(dir, "obs", "o.yaml"), observations.replace("writeup: ./post.md", `writeup: ${path}`));
      const input = {name: "o.yaml", path: join(dir, "obs", "o.yaml"), bytes: readFileSync(join(dir, "obs", "o.yaml"))};
      assert.throws(
        () => readInput(input, {now}),
        /o\.yaml: line \d+: writeup: expected a file inside the observations file's folder/,
        path
      );
    }
  });
});

describe("a damaged store", () => {
  it("a runs file with git conflict markers is named, with the marker's line, by list and export", async () => {
    const dir = tempDir();
    const store = join(dir, "data");
    assert.equal(
      (await cli(["import", fixturePath("captured/cpu/llama-bench-jsonl.stdout"), "--store", store])).code,
      0
    );
    const [sha] = new Store(store).inputs();
    const path = new Store(store).runsPath(sha);
    const lines = readFileSync(path, "utf8").split("\n");
    lines.splice(3, 0, "<<<<<<< HEAD");
    lines.splice(6, 0, "=======", '  "x": 1,', ">>>>>>> other");
    writeFileSync(path, lines.join("\n"));
    for (const command of ["list", "export"]) {
      const result = await cli([
        command,
        "--store",
        store,
        ...(command === "export" ? ["--out", join(dir, "out")] : [])
      ]);
      assert.notEqual(result.code, 0, command);
      assert.ok(
        result.stderr.includes(`${path}: line 4: a git merge conflict marker (<<<<<<<)`),
        `${command}: ${result.stderr}`
      );
    }
  });

  it("temporary files of a killed import are removed by the next import; live ones and another host's are kept", async () => {
    const dir = tempDir();
    const store = join(dir, "data");
    mkdirSync(join(store, "runs"), {recursive: true});
    mkdirSync(join(store, "raw"), {recursive: true});
    const dead = 2 ** 22 + 12345; // above Linux's pid_max default: no such process
    const kept = [
      `.tmp-${process.pid}@${HOST_TAG}-live`,
      `.tmp-${dead}@00000000-other-host`,
      `.tmp-${dead}-no-host-recent`
    ];
    for (const name of [...kept, `.tmp-${dead}@${HOST_TAG}-abcd`, `.tmp-${dead}-no-host-old`])
      writeFileSync(join(store, "runs", name), "half");
    const hourAgo = new Date(Date.now() - 2 * 3_600_000);
    utimesSync(join(store, "runs", `.tmp-${dead}-no-host-old`), hourAgo, hourAgo);
    writeFileSync(join(store, "raw", `.tmp-${dead}@${HOST_TAG}-ef01-raw`), "half");
    assert.equal(
      (await cli(["import", fixturePath("captured/cpu/llama-bench-jsonl.stdout"), "--store", store])).code,
      0
    );
    assert.deepEqual(
      readdirSync(join(store, "runs"))
        .filter((f) => f.startsWith(".tmp-"))
        .sort(),
      kept.sort()
    );
    assert.deepEqual(
      readdirSync(join(store, "raw")).filter((f) => f.startsWith(".tmp-")),
      []
    );
    assert.ok(!existsSync(join(store, ".lock")), "the lock is released");
  });

  it("a lock of a dead process of this host is taken over; another host's is waited for, then named", () => {
    const store = new Store(join(tempDir(), "data"));
    mkdirSync(store.root, {recursive: true});
    const dead = 2 ** 22 + 12345;
    writeFileSync(join(store.root, ".lock"), `${dead}@${HOST_TAG} here\n`);
    store.lock()();
    writeFileSync(join(store.root, ".lock"), `${dead}@00000000 node-7\n`);
    assert.throws(
      () => store.lock(300),
      /another benchbook \(pid \d+ on node-7\) has been writing the store for 0 s; if it is gone, remove .*\.lock/
    );
  });
});
