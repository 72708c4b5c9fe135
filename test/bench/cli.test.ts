import assert from "node:assert/strict";
import {readdirSync, readFileSync, statSync, writeFileSync} from "node:fs";
import {delimiter, join} from "node:path";
import {describe, it} from "node:test";
import {fileURLToPath} from "node:url";
import {cli, tempDir} from "../helpers/cli.js";
import {fixturePath} from "../helpers/fixtures.js";

const REPO = fileURLToPath(new URL("../../", import.meta.url));

describe("benchbook bench --dry-run", () => {
  it("prints every command of a docs plan, shell-quoted, and runs nothing", async () => {
    const {code, stdout} = await cli(["bench", "docs/plans/4x3080-split-modes.yaml", "--dry-run"], {cwd: REPO});
    assert.equal(code, 0);
    const commands = stdout.split("\n").filter((l) => l.startsWith("CUDA_VISIBLE_DEVICES="));
    assert.equal(commands.length, 8);
    assert.equal(
      commands[2],
      "CUDA_VISIBLE_DEVICES=0,1,2,3 ./build/bin/llama-bench -m /data/huggingface/Mistral-Medium-3.5-GGUF/Mistral-Medium-3.5-128B-IQ4_XS-00001-of-00003.gguf -p 512 -n 128 -d 0 -ngl 99 -sm tensor -fa 1 -o jsonl"
    );
    assert.match(stdout, /^# plan "4x3080-split-modes" \(sha256 [0-9a-f]{12}\): 8 cells$/m);
    assert.match(
      stdout,
      /^# \[3\/8\] Mistral-Medium-3.5-128B-IQ4_XS · -sm tensor · d0 {2}\(cell [0-9a-f]{16}; expects pp512, tg128\)$/m
    );
  });

  it("--only narrows by label text, key=value or id; repeated --only narrows further", async () => {
    const run = async (...only: string[]) => {
      const {stdout} = await cli(
        ["bench", "docs/plans/4x3080-split-modes.yaml", "--dry-run", "--json", ...only.flatMap((o) => ["--only", o])],
        {cwd: REPO}
      );
      return stdout
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l) as {id: string; label: string});
    };
    assert.deepEqual(
      (await run("sm=tensor", "d=16384")).map((c) => c.label),
      ["Mistral-Medium-3.5-128B-IQ4_XS · -sm tensor · d16384", "Qwen3.5-122B-A10B-UD-IQ4_XS · -sm tensor · d16384"]
    );
    assert.deepEqual(
      (await run("qwen3.5", "split_mode=layer", "depth=0")).map((c) => c.label),
      ["Qwen3.5-122B-A10B-UD-IQ4_XS · -sm layer · d0"]
    );
    assert.equal((await run("model=Mistral")).length, 4);
    const [one] = await run("d=0");
    assert.deepEqual(
      (await run(one.id.slice(0, 8))).map((c) => c.id),
      [one.id]
    );
    const none = await cli(["bench", "docs/plans/4x3080-split-modes.yaml", "--dry-run", "--only", "sm=row"], {
      cwd: REPO
    });
    assert.equal(none.code, 1);
    assert.match(none.stderr, /matches none of the 8 cells/);
  });

  it("shows the ulimit wrapper and never prints variables passed from the environment", async () => {
    const dir = tempDir("benchbook-cli-");
    writeFileSync(
      join(dir, "p.yaml"),
      "name: p\nrunner: llama-bench\nmodels: [m.gguf]\npass_env: [HF_TOKEN]\nlimits: {address_space_kib: 2097152}\n"
    );
    const {stdout} = await cli(["bench", "p.yaml", "--dry-run"], {
      cwd: dir,
      env: {HF_TOKEN: "hf_neverprintedneverprinted"}
    });
    assert.ok(!stdout.includes("hf_neverprinted"));
    assert.match(
      stdout,
      /^HF_TOKEN=\[REDACTED\] \/bin\/sh -c 'ulimit -v "\$1" \|\| exit 126; shift; exec "\$@"' benchbook-limits 2097152 llama-bench -m m.gguf -p 512 -n 128 -d 0 -o jsonl$/m
    );
  });
});

describe("benchbook bench: secrets in plans", () => {
  const PLAN = [
    "name: p",
    "runner: llama-bench",
    "models: [m.gguf]",
    "args: [-hft, hf_planplanplanplanplanplan, --rpc, 'http://bench:rpc-password-1@10.0.0.2:50052']",
    "env: {DATABASE_URL: 'postgres://bench:db-password-2@db:5432/x', CUDA_VISIBLE_DEVICES: '0'}",
    "pass_env: [MY_PLAIN_VAR]",
    ""
  ].join("\n");
  const SECRETS = ["hf_planplanplanplanplanplan", "rpc-password-1", "db-password-2", "value-of-my-plain-var"];

  it("--dry-run prints no secret option, password in a URL or value passed from the environment", async () => {
    const dir = tempDir("benchbook-cli-");
    writeFileSync(join(dir, "p.yaml"), PLAN);
    for (const json of [[], ["--json"]]) {
      const {code, stdout} = await cli(["bench", "p.yaml", "--dry-run", ...json], {
        cwd: dir,
        env: {MY_PLAIN_VAR: "value-of-my-plain-var"}
      });
      assert.equal(code, 0);
      for (const secret of SECRETS) assert.ok(!stdout.includes(secret), `${secret} printed: ${stdout}`);
      assert.match(stdout, /MY_PLAIN_VAR[=":]+\[REDACTED\]/);
      assert.match(stdout, /--rpc[ ",']+http:\/\/bench:\[REDACTED\]@10\.0\.0\.2:50052/);
    }
  });

  it("a run stores none of them, nor a password the tool printed", async () => {
    const dir = tempDir("benchbook-cli-");
    writeFileSync(join(dir, "p.yaml"), PLAN.replace("models: [m.gguf]", "models: [tiny.gguf]\ntests: {p: 64, n: 16}"));
    const bin = tempDir("benchbook-bin-");
    // A llama-bench that prints its connection string, as tools printing a DSN do.
    writeFileSync(
      join(bin, "llama-bench"),
      `#!/bin/sh\necho "connecting to $DATABASE_URL" >&2\necho "rpc $@" >&2\ncat ${JSON.stringify(fixturePath("captured/cpu/llama-bench-jsonl.stdout"))}\n`,
      {mode: 0o755}
    );
    const {code} = await cli(["bench", "p.yaml", "--store", join(dir, "data")], {
      cwd: dir,
      env: {MY_PLAIN_VAR: "value-of-my-plain-var", PATH: `${bin}${delimiter}${process.env.PATH}`}
    });
    assert.equal(code, 0);
    const stored = readdirSync(join(dir, "data"), {recursive: true, encoding: "utf8"})
      .map((f) => join(dir, "data", f))
      .filter((f) => statSync(f).isFile())
      .map((f) => readFileSync(f, "utf8"))
      .join("\n");
    assert.match(stored, /connecting to postgres:\/\/bench:\[REDACTED\]@db/);
    for (const secret of SECRETS) assert.ok(!stored.includes(secret), `${secret} stored`);
  });
});

describe("benchbook bench: errors", () => {
  it("an invalid plan: every problem with file and line, exit 1", async () => {
    const dir = tempDir("benchbook-cli-");
    writeFileSync(
      join(dir, "bad.yaml"),
      "name: bad\nrunner: llama-bench\nmodels: [m.gguf]\nmatrix:\n  -ub: 1-8*1\n  foo: 1\n"
    );
    const {code, stderr} = await cli(["bench", "bad.yaml"], {cwd: dir});
    assert.equal(code, 1);
    assert.equal(
      stderr,
      'benchbook bench: invalid plan\nbad.yaml:5: matrix.-ub: invalid range: "1-8*1" does not grow with each step\n' +
        `bad.yaml:6: matrix.foo: ${stderr.split("bad.yaml:6: matrix.foo: ")[1]}`
    );
    assert.match(stderr, /bad\.yaml:6: matrix\.foo: unknown llama-bench parameter "foo"/);
  });

  it("no plan, or two: a usage error (exit 2)", async () => {
    assert.equal((await cli(["bench"])).code, 2);
    assert.equal((await cli(["bench", "a.yaml", "b.yaml"])).code, 2);
    assert.equal((await cli(["bench", "--help"])).code, 0);
  });
});

describe("benchbook bench: a run with --json, then --resume", () => {
  it("prints one JSON object per event and exits 1 when a cell failed, 0 when all was skipped", async () => {
    const dir = tempDir("benchbook-cli-");
    writeFileSync(
      join(dir, "p.yaml"),
      "name: p\nrunner: llama-bench\nmodels: [tiny.gguf]\nmatrix: {-sm: 'layer,row'}\ntests: {p: 64, n: 16, d: 0}\n"
    );
    const env = {PATH: `${fixturePath("standins/bin")}${delimiter}${process.env.PATH}`};
    const first = await cli(["bench", "p.yaml", "--json", "--store", "data", "--tag", "who=test"], {cwd: dir, env});
    assert.equal(first.code, 1);
    const events = first.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as {event: string; status?: string; cell?: {label: string}});
    assert.deepEqual(
      events.map((e) => [e.event, e.status ?? null]),
      [
        ["start", null],
        ["cell-start", null],
        ["cell-end", "ok"],
        ["cell-start", null],
        ["cell-end", "error"],
        ["end", null]
      ]
    );
    const again = await cli(["bench", "p.yaml", "--resume", "--store", "data"], {cwd: dir, env});
    assert.equal(again.code, 0);
    assert.match(again.stdout, /^2 cells: 0 ok, 0 failed, 2 skipped \(already in the store\); store /m);
    const list = await cli(["list", "--json", "--store", "data"], {cwd: dir});
    assert.equal(list.code, 0);
  });
});
