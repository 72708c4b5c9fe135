/**
 * Issue 15's probe, re-run: every failure it found, re-created against the
 * real CLI (in-process, or as a child process where a crash, a descriptor
 * limit or a concurrent writer is the point), one test each, named after the
 * finding. The finer tests of each promise are listed in docs/security.md.
 */
import assert from "node:assert/strict";
import {spawn, execFileSync} from "node:child_process";
import {existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync} from "node:fs";
import {request} from "node:http";
import {createServer} from "node:net";
import type {AddressInfo} from "node:net";
import {delimiter, join} from "node:path";
import {describe, it} from "node:test";
import {fileURLToPath} from "node:url";
import {HOST_TAG} from "../../scripts/store/atomic.js";
import {Store} from "../../scripts/store/store.js";
import {cli, tempDir} from "../helpers/cli.js";
import {duckdbRows} from "../helpers/duckdb.js";
import {fixturePath, fixtureText} from "../helpers/fixtures.js";

const BIN = fileURLToPath(new URL("../../bin/benchbook.js", import.meta.url));
const STANDINS = {PATH: `${fixturePath("standins/bin")}${delimiter}${process.env.PATH}`};
const JSONL = fixtureText("captured/cpu/llama-bench-jsonl.stdout");
const CSV = fixtureText("captured/cpu/llama-bench-csv.stdout");
const SEED = fixtureText("seeds/001-rtx4090-m4.txt").split("\n").slice(0, 19).join("\n");

/** Every file under a folder, as text (Latin-1, so binary files compare byte for byte). */
function allText(dir: string): string {
  if (!existsSync(dir)) return "";
  return readdirSync(dir, {recursive: true, encoding: "utf8"})
    .map((f) => join(dir, f))
    .filter((f) => statSync(f).isFile())
    .map((f) => readFileSync(f).toString("latin1"))
    .join("\n");
}

/** Every file of a store, path → bytes (base64). */
function snapshot(root: string): Map<string, string> {
  if (!existsSync(root)) return new Map();
  const files = readdirSync(root, {recursive: true, encoding: "utf8"}).filter(
    (f) => !f.startsWith(".index") && statSync(join(root, f)).isFile()
  );
  return new Map(files.sort().map((f) => [f, readFileSync(join(root, f)).toString("base64")]));
}

/** What an export publishes: its files, and every row of results.parquet read back by DuckDB. */
async function published(store: string, keepPaths = false): Promise<string> {
  const out = tempDir("benchbook-probe-out-");
  const exported = await cli(["export", "--store", store, "--out", out, ...(keepPaths ? ["--keep-paths"] : [])]);
  assert.equal(exported.code, 0, exported.stderr);
  const rows = await duckdbRows(`SELECT * FROM read_parquet('${join(out, "results.parquet")}')`);
  return `${allText(out)}\n${JSON.stringify(rows, (_, v) => (typeof v === "bigint" ? String(v) : v))}`;
}

/** benchbook in a child process (under `sh -c` for a ulimit); resolves with its exit, stdout, stderr. */
function child(args: string[], options: {ulimit?: number} = {}) {
  const command = options.ulimit
    ? ["sh", ["-c", `ulimit -n ${options.ulimit}; exec "$0" "$@"`, process.execPath, BIN, ...args]]
    : [process.execPath, [BIN, ...args]];
  const proc = spawn(command[0] as string, command[1] as string[], {stdio: ["ignore", "pipe", "pipe"]});
  let stdout = "";
  let stderr = "";
  proc.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
  proc.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
  const done = new Promise<{code: number | null; stdout: string; stderr: string}>((ok) =>
    proc.on("close", (code) => ok({code, stdout, stderr}))
  );
  return {proc, done, out: () => stdout, err: () => stderr};
}

/** A bench plan whose two `-sm tensor` cells fail with the stand-in llama-bench (test/fixtures/standins). */
const PLAN =
  'name: split-modes\nrunner: llama-bench\nmodels: [tiny.gguf]\nmatrix:\n  -ngl: 99\n  -sm: layer,tensor\n  -fa: 1\ntests: {p: 64, n: 16, d: "0,16384"}\nrepetitions: 3\n';

describe("probe: data loss", async () => {
  const dir = tempDir("benchbook-probe-");
  const store = join(dir, "data");
  writeFileSync(join(dir, "plan.yaml"), PLAN);
  const bench = await cli(["bench", "plan.yaml", "--store", store], {cwd: dir, env: STANDINS});
  const imported = await cli([
    "import",
    fixturePath("llama-benchy/console-c4.txt"),
    "--runtime",
    "sglang",
    "--store",
    store
  ]);
  const before = snapshot(store);
  const reparse = await cli(["reparse", "--store", store, "--json"]);

  it("reparse keeps extra.capture, extra.environment and the GPU list of bench runs, and says 'unchanged'", () => {
    assert.equal(bench.code, 1, "two of four cells fail (exit 1), as planned");
    assert.equal(imported.code, 0, imported.stderr);
    assert.equal(reparse.code, 0, reparse.stderr);
    assert.deepEqual(
      new Set((JSON.parse(reparse.stdout) as {status: string}[]).map((o) => o.status)),
      new Set(["unchanged"])
    );
    assert.deepEqual(snapshot(store), before, "reparse changed no byte of the store");
    const runs = [...new Store(store).readAll()].flatMap((i) => i.runs).filter((r) => r.extra.capture);
    assert.equal(runs.length, 4);
    assert.ok(runs.every((r) => r.extra.environment && r.hardware.gpus.length > 0));
  });

  it("bench --resume after reparse re-runs no finished cell", async () => {
    const resumed = await cli(["bench", "plan.yaml", "--store", store, "--resume", "--json"], {
      cwd: dir,
      env: STANDINS
    });
    const end = resumed.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as {event: string; ran?: number; skipped?: number})
      .find((e) => e.event === "end");
    assert.deepEqual([end?.skipped, end?.ran], [4, 0], resumed.stdout);
  });

  it("capture records of failed cells reparse", () => {
    const failed = [...new Store(store).readAll()].filter((i) =>
      i.runs.some((r) => (r.extra.capture as {status?: string} | undefined)?.status === "error")
    );
    assert.equal(failed.length, 2);
    const outcomes = JSON.parse(reparse.stdout) as {sha256: string; status: string}[];
    for (const input of failed)
      assert.equal(outcomes.find((o) => o.sha256 === input.source.sha256)?.status, "unchanged");
  });

  it("a --runtime given at import survives reparse", () => {
    const benchy = [...new Store(store).readAll()].find((i) => i.source.name.endsWith("console-c4.txt"))!;
    assert.deepEqual(benchy.source.read_with, {runtime: "sglang"});
    assert.ok(benchy.runs.every((r) => r.runtime === "sglang"));
  });
});

// Built from pieces, so that no secret scanner takes this file for a leak.
const SECRETS = {
  hf: `hf_${"Pr0beT0kenXy".repeat(3)}`,
  openai: `sk-proj-${"Pr0beK3yQw".repeat(3)}`,
  urlPassword: "pr0be-url-pass",
  pem: "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQDprobe"
};

describe("probe: secrets", () => {
  it("a pasted post with an HF token, an API key, a URL password and a private key: in neither data/raw, the runs files nor the export", async () => {
    const post = [
      `export HF_TOKEN=${SECRETS.hf}`,
      `OPENAI_API_KEY=${SECRETS.openai}`,
      `git clone https://me:${SECRETS.urlPassword}@git.example.com/x`,
      "-----BEGIN OPENSSH PRIVATE KEY-----",
      SECRETS.pem,
      "-----END OPENSSH PRIVATE KEY-----",
      SEED
    ].join("\n");
    const store = join(tempDir("benchbook-probe-"), "data");
    const {code, stderr} = await cli(["import", "-", "--name", "post.md", "--store", store], {stdin: post});
    assert.equal(code, 0, stderr);
    const text = `${allText(store)}\n${await published(store)}`;
    for (const [kind, secret] of Object.entries(SECRETS))
      assert.ok(!text.includes(secret), `${kind} stored or published`);
    assert.match(text, /\[REDACTED\]/);
  });

  it("bench: a password in --rpc, a plan env value and a DSN the tool prints reach neither the store nor the export", async () => {
    const dir = tempDir("benchbook-probe-");
    const bin = tempDir("benchbook-probe-bin-");
    writeFileSync(
      join(bin, "llama-bench"),
      `#!/bin/sh\necho "connecting to $DATABASE_URL" >&2\ncat ${JSON.stringify(fixturePath("captured/cpu/llama-bench-jsonl.stdout"))}\n`,
      {mode: 0o755}
    );
    writeFileSync(
      join(dir, "p.yaml"),
      `name: p\nrunner: llama-bench\nmodels: [tiny.gguf]\ntests: {p: 64, n: 16}\nargs: [--rpc, 'http://bench:${SECRETS.urlPassword}@10.0.0.2:50052']\nenv: {DATABASE_URL: 'postgres://bench:${SECRETS.urlPassword}-db@db:5432/x'}\n`
    );
    const {code, stderr} = await cli(["bench", "p.yaml", "--store", "data"], {
      cwd: dir,
      env: {PATH: `${bin}${delimiter}${process.env.PATH}`}
    });
    assert.equal(code, 0, stderr);
    const text = `${allText(join(dir, "data"))}\n${await published(join(dir, "data"))}`;
    assert.ok(!text.includes(SECRETS.urlPassword));
    assert.match(text, /connecting to postgres:\/\/bench:\[REDACTED\]@db/);
  });

  it("bench --dry-run prints no --api-key, -hft, --token or pass_env value", async () => {
    const dir = tempDir("benchbook-probe-");
    writeFileSync(
      join(dir, "p.yaml"),
      `name: p\nrunner: llama-bench\nmodels: [m.gguf]\nargs: [-hft, ${SECRETS.hf}, --api-key, ${SECRETS.openai}, --token, tok-${SECRETS.urlPassword}]\npass_env: [PROBE_VAR]\n`
    );
    for (const json of [[], ["--json"]]) {
      const {code, stdout} = await cli(["bench", "p.yaml", "--dry-run", ...json], {
        cwd: dir,
        env: {PROBE_VAR: "probe-var-value"}
      });
      assert.equal(code, 0);
      for (const secret of [SECRETS.hf, SECRETS.openai, SECRETS.urlPassword, "probe-var-value"])
        assert.ok(!stdout.includes(secret), `${secret} printed`);
    }
  });
});

/** `benchbook import` of one file (written to a fresh folder): exit, output, and whether the store was left untouched. */
async function importText(
  name: string,
  text: string | Buffer
): Promise<{code: number; stdout: string; stderr: string; untouched: boolean}> {
  const dir = tempDir("benchbook-probe-");
  const store = join(dir, "data");
  const seeded = await cli(["import", fixturePath("llama-bench/readme-b5163/out.jsonl"), "--store", store]);
  assert.equal(seeded.code, 0);
  const before = snapshot(store);
  writeFileSync(join(dir, name), text);
  const result = await cli(["import", name, "--store", store], {cwd: dir});
  return {...result, untouched: JSON.stringify([...snapshot(store)]) === JSON.stringify([...before])};
}

describe("probe: hostile or broken input", () => {
  it("plans with three 1-1000 ranges or -ub 1-1000000000 are refused with their line, --dry-run too (no heap exhaustion)", async () => {
    const dir = tempDir("benchbook-probe-");
    writeFileSync(
      join(dir, "a.yaml"),
      'name: a\nrunner: llama-bench\nmodels: [m.gguf]\nmatrix:\n  -ub: "1-1000"\n  -b: "1-1000"\n  -t: "1-1000"\n'
    );
    writeFileSync(
      join(dir, "b.yaml"),
      'name: b\nrunner: llama-bench\nmodels: [m.gguf]\nmatrix:\n  -ub: "1-1000000000"\n'
    );
    for (const [plan, message] of [
      ["a.yaml", /a\.yaml:4: matrix: the plan expands to 1,000,000,000 cells/],
      ["b.yaml", /b\.yaml:5: matrix\.-ub: "1-1000000000" expands to more than/]
    ] as const) {
      for (const dry of [["--dry-run"], []]) {
        const result = await child(["bench", join(dir, plan), "--store", join(dir, "data"), ...dry]).done;
        assert.equal(result.code, 1, result.stderr);
        assert.match(result.stderr, message);
        assert.doesNotMatch(result.stderr, /heap|    at /);
      }
    }
  });

  it("YAML alias bombs in a plan and in a hand-entered file end in a message naming the file, no stack trace", async () => {
    const bomb = [
      'a: &a ["x","x","x","x","x","x","x","x","x"]',
      ...["b", "c", "d", "e", "f", "g"].map((k, i) => `${k}: &${k} [${Array(9).fill(`*${"abcdefg"[i]}`).join(",")}]`)
    ].join("\n");
    const dir = tempDir("benchbook-probe-");
    writeFileSync(join(dir, "p.yaml"), `name: p\nrunner: llama-bench\nmodels: [m.gguf]\n${bomb}\n`);
    const plan = await child(["bench", join(dir, "p.yaml"), "--dry-run"]).done;
    assert.equal(plan.code, 1);
    assert.match(plan.stderr, /p\.yaml:1: YAML: Excessive alias count/);
    const hand = await importText("obs.yaml", `benchbook: observations/1\n${bomb}\n`);
    assert.equal(hand.code, 1);
    assert.match(hand.stderr, /obs\.yaml: line 1: hand-observations-yaml: expected YAML whose aliases/);
    assert.doesNotMatch(plan.stderr + hand.stderr, /    at /);
  });

  it("writeup: ../../etc/passwd or an SSH key never reaches the store", async () => {
    const dir = tempDir("benchbook-probe-");
    mkdirSync(join(dir, "a", "b"), {recursive: true});
    mkdirSync(join(dir, ".ssh"));
    writeFileSync(join(dir, ".ssh", "id_ed25519"), "-----BEGIN OPENSSH PRIVATE KEY-----\nprobe-key-body\n");
    const observations = fixtureText("hand/writeup/post.observations.yaml");
    for (const path of ["../../../../../../etc/passwd", "../../.ssh/id_ed25519", join(dir, ".ssh", "id_ed25519")]) {
      writeFileSync(join(dir, "a", "b", "o.yaml"), observations.replace("writeup: ./post.md", `writeup: ${path}`));
      const {code, stderr} = await cli(["import", "a/b/o.yaml", "--store", "data"], {cwd: dir});
      assert.equal(code, 1, path);
      assert.match(stderr, /o\.yaml: line \d+: writeup: expected a file inside the observations file's folder/);
    }
    assert.ok(
      !allText(join(dir, "data")).includes("probe-key-body") && !allText(join(dir, "data")).includes("root:x:0")
    );
  });

  it("new-report 'Title ${alert(1)}' and a tag holding </script> are written as text, never as code", async () => {
    const dir = tempDir("benchbook-probe-");
    const {code, stderr} = await cli([
      "new-report",
      "Title ${alert(1)}",
      "--tag",
      "w=</script><script>alert(2)</script>",
      "--dir",
      dir
    ]);
    assert.equal(code, 0, stderr);
    const [file] = readdirSync(dir);
    const body = readFileSync(join(dir, file), "utf8").split("---\n").slice(2).join("---\n");
    assert.ok(!body.includes("${alert(1)") && !body.includes("</script><script>"), body);
  });

  it("results.csv: cells starting with =, +, -, @ are prefixed with '", async () => {
    const jsonl = JSONL.replace(/"model_filename": "tiny\.gguf"/g, '"model_filename": "=1+1"')
      .replace(/"cpu_info": "AMD EPYC"/g, '"cpu_info": "@SUM(A1)"')
      .replace(/"build_commit": "de3ff81"/g, '"build_commit": "-2+3"');
    const dir = tempDir("benchbook-probe-");
    const store = join(dir, "data");
    assert.equal((await cli(["import", "-", "--name", "x.jsonl", "--store", store], {stdin: jsonl})).code, 0);
    assert.equal((await cli(["export", "--store", store, "--out", join(dir, "out")])).code, 0);
    const csv = readFileSync(join(dir, "out", "results.csv"), "utf8");
    for (const formula of ["=1+1", "@SUM(A1)", "-2+3"]) {
      assert.ok(csv.includes(`'${formula}`), formula);
      assert.ok(!new RegExp(`(^|,)"?${formula.replace(/[+()]/g, "\\$&")}`, "m").test(csv), `${formula} unescaped`);
    }
  });

  it("1e309 and a 400-digit number are refused at their line, not stored as null with status ok", async () => {
    const lines = JSONL.split("\n");
    lines[1] = lines[1].replace(/"avg_ts": [0-9.]+/, `"avg_ts": ${"9".repeat(400)}`);
    for (const [text, line] of [
      [JSONL.replace('"avg_ts": 103292.158869', '"avg_ts": 1e309'), 1],
      [lines.join("\n"), 2]
    ] as const) {
      const result = await importText("big.jsonl", text);
      assert.equal(result.code, 1);
      assert.match(result.stderr, new RegExp(`big\\.jsonl: line ${line}: a finite number`));
      assert.ok(result.untouched);
    }
  });

  it("duplicate JSON keys are refused at the second key's line, naming the key", async () => {
    const lines = JSONL.split("\n");
    lines[1] = lines[1].replace('"avg_ts": ', '"avg_ts": 1.5, "avg_ts": ');
    const result = await importText("dup.jsonl", lines.join("\n"));
    assert.equal(result.code, 1);
    assert.match(
      result.stderr,
      /dup\.jsonl: line 2: .*each key once in a JSON object; "avg_ts" was given on line 2 already/
    );
    assert.ok(result.untouched);
    const pretty = await importText(
      "dup.json",
      fixtureText("llama-bench/readme-b5163/out.json").replace(
        '"n_prompt": 512,',
        '"n_prompt": 512,\n    "n_prompt": 0,'
      )
    );
    assert.equal(pretty.code, 1);
    assert.match(
      pretty.stderr,
      /dup\.json: line \d+: each key once in a JSON object; "n_prompt" was given on line \d+ already/
    );
  });

  it("a broken CSV quote in llama-bench CSV is refused at its line, not read as a shifted or empty field", async () => {
    const lines = CSV.split("\n");
    lines[1] = lines[1].replace('"de3ff81",', '"de3ff81,');
    const result = await importText("bench.csv", lines.join("\n"));
    assert.equal(result.code, 1);
    assert.match(
      result.stderr,
      /bench\.csv: line 2: llama-bench-csv: expected CSV values each either bare or wholly in double quotes/
    );
    assert.ok(result.untouched);
  });

  it("NUL bytes are refused at their line, not kept in strings", async () => {
    const result = await importText("nul.jsonl", JSONL.replace('"AMD EPYC"', '"AMD\u0000EPYC"'));
    assert.equal(result.code, 1);
    assert.match(result.stderr, /nul\.jsonl: line 1: expected text without NUL bytes/);
  });

  it("negative throughput is kept as printed and said in the run's notes", async () => {
    const dir = tempDir("benchbook-probe-");
    const {code} = await cli(["import", "-", "--name", "neg.jsonl", "--store", join(dir, "data")], {
      stdin: JSONL.replace('"avg_ts": 103292.158869', '"avg_ts": -103292.158869')
    });
    assert.equal(code, 0);
    const [input] = new Store(join(dir, "data")).readAll();
    assert.ok(input.runs[0].notes.some((n) => /pp64 throughput is negative \(-103292\.158869/.test(n)));
  });

  it("import of /dev/zero is refused at once by name (no memory growth)", async () => {
    const result = await child(["import", "/dev/zero", "--store", join(tempDir("benchbook-probe-"), "data")]).done;
    assert.equal(result.code, 2);
    assert.match(result.stderr, /\/dev\/zero: a character device; benchbook imports regular files/);
  });

  it(
    "one 200 MB line is refused at its line, the process peaking under 1 GiB (it peaked at 4 GB)",
    {timeout: 300_000},
    async () => {
      const dir = tempDir("benchbook-probe-");
      const path = join(dir, "long.txt");
      writeFileSync(path, Buffer.alloc(200 * 1024 * 1024, "x"));
      // The child reports its peak resident memory (KiB) as it exits.
      const peak =
        'data:text/javascript,process.on("exit",()=>process.stderr.write("maxrss "+process.resourceUsage().maxRSS+"\\n"))';
      const proc = spawn(process.execPath, ["--import", peak, BIN, "import", path, "--store", join(dir, "data")], {
        stdio: ["ignore", "ignore", "pipe"]
      });
      let stderr = "";
      proc.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
      const code = await new Promise((ok) => proc.on("close", ok));
      rmSync(path);
      assert.equal(code, 1, stderr);
      assert.match(stderr, /long\.txt: line 1: .*lines of at most 16 MiB/);
      const kib = Number(/maxrss (\d+)/.exec(stderr)?.[1]);
      assert.ok(kib > 0 && kib < 1024 * 1024, `peak ${kib} KiB`);
      assert.ok(!existsSync(join(dir, "data", "runs")) || readdirSync(join(dir, "data", "runs")).length === 0);
    }
  );

  it("a FIFO is refused at once by name (it blocked forever)", async () => {
    const dir = tempDir("benchbook-probe-");
    execFileSync("mkfifo", [join(dir, "pipe")]);
    const result = await child(["import", join(dir, "pipe"), "--store", join(dir, "data")]).done;
    assert.equal(result.code, 2);
    assert.match(result.stderr, /pipe: a FIFO/);
  });

  it("a directory of symbolic links to files imports them (it said '0 of 0', exit 0); a link to a FIFO or device is named", async () => {
    const dir = tempDir("benchbook-probe-");
    mkdirSync(join(dir, "in"));
    symlinkSync(fixturePath("captured/cpu/llama-bench-jsonl.stdout"), join(dir, "in", "a.jsonl"));
    symlinkSync(fixturePath("llama-bench/readme-b5163/out.csv"), join(dir, "in", "b.csv"));
    const ok = await cli(["import", "in", "--store", "data"], {cwd: dir});
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, /2 of 2 inputs in the store/);
    execFileSync("mkfifo", [join(dir, "pipe")]);
    for (const [target, what] of [
      [join(dir, "pipe"), "a FIFO"],
      ["/dev/zero", "a character device"]
    ]) {
      symlinkSync(target, join(dir, "in", "special.txt"));
      const special = await cli(["import", "in", "--store", "data"], {cwd: dir});
      assert.equal(special.code, 2);
      assert.ok(special.stderr.includes(`in/special.txt: ${what}`), special.stderr);
      rmSync(join(dir, "in", "special.txt"));
    }
  });

  it("100,000-deep JSON names the file and line (it ended in 'Maximum call stack size exceeded')", async () => {
    const result = await importText("deep.json", `${"[".repeat(100_000)}${"]".repeat(100_000)}\n`);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /deep\.json: line 1: brackets nested at most 1000 deep/);
    assert.ok(result.untouched);
  });

  it("a runs file with git conflict markers is named with its line by list, export, build and the writers", async () => {
    const dir = tempDir("benchbook-probe-");
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
    const project = tempDir("benchbook-probe-site-");
    for (const args of [
      ["list"],
      ["export", "--out", join(dir, "out")],
      ["build"],
      ["compare", "a", "b"],
      ["history"],
      ["retag", sha.slice(0, 8), "--tag", "x=1"],
      ["remove", sha.slice(0, 8)],
      ["reparse"],
      ["reindex"]
    ]) {
      const result = await cli([...args, "--store", store], {cwd: project});
      assert.notEqual(result.code, 0, args[0]);
      assert.ok(
        result.stderr.includes(`${path}: line 4: a git merge conflict marker (<<<<<<<)`),
        `${args[0]}: ${result.stderr}`
      );
      assert.doesNotMatch(result.stderr, /    at /, args[0]);
    }
  });

  it(".tmp-* files left by a killed writer are removed by the next writer of any kind", async () => {
    const dead = 2 ** 22 + 12345; // above Linux's pid_max default: no such process
    const dir = tempDir("benchbook-probe-");
    const store = join(dir, "data");
    assert.equal(
      (await cli(["import", fixturePath("captured/cpu/llama-bench-jsonl.stdout"), "--store", store])).code,
      0
    );
    const [sha] = new Store(store).inputs();
    writeFileSync(join(dir, "plan.yaml"), "name: p\nrunner: llama-bench\nmodels: [tiny.gguf]\ntests: {p: 64, n: 16}\n");
    const other = join(dir, "other");
    assert.equal((await cli(["import", fixturePath("llama-bench/readme-b5163/out.csv"), "--store", other])).code, 0);
    const writers: [string, string[]][] = [
      ["import", ["import", fixturePath("llama-bench/readme-b5163/out.jsonl")]],
      ["bench", ["bench", join(dir, "plan.yaml")]],
      ["retag", ["retag", sha.slice(0, 8), "--tag", "x=1"]],
      ["reparse", ["reparse"]],
      ["merge", ["merge", other]],
      ["reindex", ["reindex"]],
      ["remove", ["remove", sha.slice(0, 8)]]
    ];
    for (const [name, args] of writers) {
      const temps = [
        join(store, "runs", `.tmp-${dead}@${HOST_TAG}-abcd`),
        join(store, "raw", `.tmp-${dead}@${HOST_TAG}-ef01-raw`),
        join(store, `.tmp-${dead}@${HOST_TAG}-0000`)
      ];
      for (const t of temps) writeFileSync(t, "half");
      const result = await cli([...args, "--store", store], {cwd: dir, env: STANDINS});
      assert.equal(result.code, 0, `${name}: ${result.stderr}`);
      for (const t of temps) assert.ok(!existsSync(t), `${name} left ${t}`);
      assert.ok(!existsSync(join(store, ".lock")), `${name} released the lock`);
    }
  });

  it(
    "two concurrent writers with different tags: both keep their tags, or the second says its tags were not applied",
    {timeout: 120_000},
    async () => {
      const dir = tempDir("benchbook-probe-");
      const store = join(dir, "data");
      const input = fixturePath("seeds/001-rtx4090-m4.txt");
      // The same input twice at once: one stores it; the other waits and says which tags it did not apply.
      const [a, b] = await Promise.all([
        child(["import", input, "--store", store, "--tag", "who=a"]).done,
        child(["import", input, "--store", store, "--tag", "who=b"]).done
      ]);
      assert.deepEqual([a.code, b.code], [0, 0]);
      const [sha] = new Store(store).inputs();
      const winner = new Store(store).read(sha).source.tags.who;
      const loser = winner === "a" ? b : a;
      assert.match(loser.stderr, /the tags given \(who=[ab]\) were not applied/);
      // Retags of one input and bench, import and reparse at once: every tag given lands.
      writeFileSync(
        join(dir, "plan.yaml"),
        "name: p\nrunner: llama-bench\nmodels: [tiny.gguf]\ntests: {p: 64, n: 16}\n"
      );
      const writers = [
        ...["x", "y", "z"].map((k) => child(["retag", sha.slice(0, 12), "--tag", `${k}=1`, "--store", store]).done),
        child(["reparse", "--store", store]).done,
        child(["import", fixturePath("captured/cpu/llama-bench-jsonl.stdout"), "--store", store, "--tag", "w=1"]).done
      ];
      const results = await Promise.all(writers);
      for (const r of results) assert.equal(r.code, 0, r.stderr);
      const tags = new Store(store).read(sha).source.tags;
      assert.deepEqual(tags, {who: winner, x: "1", y: "1", z: "1"});
      assert.ok([...new Store(store).readAll()].some((i) => i.source.tags.w === "1"));
    }
  );
});

describe("probe: local paths", () => {
  it("absolute paths outside $HOME (/mnt/…, /data/…, D:\\…) are published as base names unless --keep-paths", async () => {
    const dir = tempDir("benchbook-probe-");
    const store = join(dir, "data");
    const text = SEED.replace(
      "--model unsloth/Qwen3.5-9B-GGUF/Qwen3.5-9B-Q8_0.gguf",
      "--model /mnt/nas-alice/secret-project/Qwen3.5-9B-Q8_0.gguf"
    );
    assert.ok(text.includes("/mnt/nas-alice"));
    await cli(["import", "-", "--name", "/data/bob/posts/rtx4090.md", "--store", store], {stdin: text});
    const jsonl = JSONL.replace(
      /"model_filename": "tiny\.gguf"/g,
      '"model_filename": "D:\\\\carol-models\\\\tiny.gguf"'
    );
    await cli(["import", "-", "--name", "cpu.jsonl", "--store", store], {stdin: jsonl});
    const hidden = await published(store);
    for (const path of ["/mnt/nas-alice", "secret-project", "/data/bob", "carol-models"])
      assert.ok(!hidden.includes(path), `${path} published`);
    assert.ok(hidden.includes("Qwen3.5-9B-Q8_0.gguf") && hidden.includes("rtx4090.md"));
    const kept = await published(store, true);
    assert.ok(kept.includes("/mnt/nas-alice/secret-project/Qwen3.5-9B-Q8_0.gguf"));
  });
});

/** A built site's stand-in: the folder serve refuses without an index.html, a large file, a file to delete and a link out. */
function siteDir(): {site: string; outside: string} {
  const site = tempDir("benchbook-probe-site-");
  const outside = tempDir("benchbook-probe-outside-");
  writeFileSync(join(site, "index.html"), "<h1>home</h1>");
  writeFileSync(join(site, "big.bin"), Buffer.alloc(8 * 1024 * 1024, 7));
  writeFileSync(join(outside, "secret.txt"), "outside the site");
  symlinkSync(join(outside, "secret.txt"), join(site, "escape.txt"));
  return {site, outside};
}

/** `benchbook serve` as a child process; resolves once it prints its address. */
async function serve(site: string, options: {ulimit?: number} = {}) {
  const server = child(["serve", "--dir", site, "--port", "0"], options);
  for (let i = 0; i < 200 && !/:(\d+)\//.test(server.out()); i++) await new Promise((ok) => setTimeout(ok, 50));
  const port = Number(/127\.0\.0\.1:(\d+)\//.exec(server.out())?.[1]);
  assert.ok(port > 0, server.err());
  return {...server, base: `http://127.0.0.1:${port}`};
}

function get(url: string, abort = false): Promise<number> {
  return new Promise((ok, fail) => {
    const req = request(url, (res) => {
      if (abort) {
        res.once("data", () => {
          req.destroy();
          ok(res.statusCode!);
        });
      } else {
        res.resume();
        res.on("end", () => ok(res.statusCode!));
      }
    });
    req.on("error", fail);
    req.end();
  });
}

describe("probe: benchbook serve", () => {
  it(
    "300 aborted downloads under a 200-descriptor limit: no EMFILE, the server still answers",
    {timeout: 120_000},
    async () => {
      const {site} = siteDir();
      const server = await serve(site, {ulimit: 200});
      try {
        for (let i = 0; i < 300; i++) await get(`${server.base}/big.bin`, true);
        assert.equal(await get(`${server.base}/index.html`), 200);
        assert.equal(server.proc.exitCode, null, server.err());
        assert.doesNotMatch(server.err(), /EMFILE/);
      } finally {
        server.proc.kill();
      }
    }
  );

  it("a file removed between its check and its open: 404, no crash", async () => {
    const {site} = siteDir();
    const server = await serve(site);
    try {
      for (let i = 0; i < 100; i++) {
        writeFileSync(join(site, `f${i}.txt`), "x".repeat(1000));
        const pending = get(`${server.base}/f${i}.txt`).catch(() => 0);
        rmSync(join(site, `f${i}.txt`));
        assert.ok([200, 404, 0].includes(await pending));
      }
      assert.equal(await get(`${server.base}/index.html`), 200);
      assert.equal(server.proc.exitCode, null, server.err());
    } finally {
      server.proc.kill();
    }
  });

  it("a symbolic link out of the served folder is not followed (404)", async () => {
    const {site} = siteDir();
    const server = await serve(site);
    try {
      assert.equal(await get(`${server.base}/escape.txt`), 404);
    } finally {
      server.proc.kill();
    }
  });

  it("a port in use: a message naming the port and a hint, no stack trace", async () => {
    const {site} = siteDir();
    const busy = createServer();
    await new Promise<void>((ok) => busy.listen(0, "127.0.0.1", ok));
    const port = (busy.address() as AddressInfo).port;
    try {
      const {code, stderr} = await cli(["serve", "--dir", site, "--port", String(port)]);
      assert.equal(code, 2);
      assert.match(stderr, new RegExp(`port ${port} on 127\\.0\\.0\\.1 is in use.*--port 0`));
      assert.doesNotMatch(stderr, /    at /);
    } finally {
      busy.close();
    }
  });

  it("--host 0.0.0.0 warns that the site, raw inputs included, is open to the network", async () => {
    const {site} = siteDir();
    // A port already listened on (on loopback) makes the bind fail: the warning comes first, and nothing listens beyond loopback.
    const busy = createServer();
    await new Promise<void>((ok) => busy.listen(0, "127.0.0.1", ok));
    try {
      const {stderr} = await cli([
        "serve",
        "--dir",
        site,
        "--host",
        "0.0.0.0",
        "--port",
        String((busy.address() as AddressInfo).port)
      ]);
      assert.match(
        stderr,
        /warning: --host 0\.0\.0\.0 serves the site, its raw inputs included, to every machine that can reach this one/
      );
    } finally {
      busy.close();
    }
  });
});
