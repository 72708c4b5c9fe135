/**
 * Secrets in a pasted post never reach the store: replaced before anything
 * is written, each line keeping its number, what was replaced recorded
 * (line and kind, never the value), and the input's id stable on re-import.
 */
import assert from "node:assert/strict";
import {readdirSync, readFileSync, statSync, writeFileSync} from "node:fs";
import {join} from "node:path";
import {describe, it} from "node:test";
import {redactSecrets} from "../../scripts/context/redact.js";
import {importInputs, readInput} from "../../scripts/import/import.js";
import {reparseStore} from "../../scripts/import/reparse.js";
import {fileInput, STREAM_THRESHOLD_BYTES} from "../../scripts/import/stream.js";
import {Store} from "../../scripts/store/store.js";
import {tempDir} from "../helpers/cli.js";
import {FIXTURES, fixtureText} from "../helpers/fixtures.js";

const now = () => new Date("2026-02-03T04:05:06.000Z");
// Built from pieces, so that no secret scanner takes this file for a leak.
const SECRETS = {
  hf: `hf_${"Ab3dEf6hIj9kLm".repeat(3)}`,
  openai: `sk-proj-${"Q1w2E3r4T5y6".repeat(3)}`,
  github: `ghp_${"Z9y8X7w6V5u4".repeat(3)}`,
  slack: `xoxb-${"1234567890"}-${"aBcDeFgHiJkL"}`,
  aws: `AKIA${"ABCDEFGHIJKLMNOP"}`,
  bearer: `eyJhbGciOi${"JIUzI1NiJ9x".repeat(3)}`,
  urlPassword: "s3cr3t-pass",
  dbPassword: "hunter2hunter2",
  pemLine: "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7",
  envToken: "tok-0123456789abcdef",
  option: "local-api-key-98765"
};

/** Seed 001's first llama-bench block with a secret of every kind around it, one per line. */
const SEED = fixtureText("seeds/001-rtx4090-m4.txt").split("\n").slice(0, 19).join("\n");
const POST = [
  `export HF_TOKEN=${SECRETS.hf}`,
  `OPENAI_API_KEY="${SECRETS.openai}" and a gh token ${SECRETS.github}`,
  `slack ${SECRETS.slack}, aws ${SECRETS.aws}`,
  `curl -H "Authorization: Bearer ${SECRETS.bearer}" http://localhost:8080/v1/models`,
  `db: postgres://bench:${SECRETS.urlPassword}@10.0.0.5:5432/results`,
  `DB_PASSWORD: ${SECRETS.dbPassword}`,
  "-----BEGIN PRIVATE KEY-----",
  SECRETS.pemLine,
  SECRETS.pemLine,
  "-----END PRIVATE KEY-----",
  `MY_SERVICE_TOKEN=${SECRETS.envToken} llama-server --api-key ${SECRETS.option} -m x.gguf`,
  "",
  SEED,
  ""
].join("\n");
const SECRET_LINES = 11;

function everyFile(root: string): string {
  return readdirSync(root, {recursive: true, encoding: "utf8"})
    .filter((f) => statSync(join(root, f)).isFile())
    .map((f) => readFileSync(join(root, f), "utf8"))
    .join("\n");
}

describe("secrets in an imported post", () => {
  const store = new Store(join(tempDir("benchbook-secrets-"), "data"));
  const [outcome] = importInputs([{name: "post.md", bytes: Buffer.from(POST)}], {store, now});

  it("are replaced in the raw copy and the runs file, and nowhere else stored", () => {
    assert.equal(outcome.status, "imported");
    const files = everyFile(store.root);
    for (const [kind, secret] of Object.entries(SECRETS)) assert.ok(!files.includes(secret), `${kind} is stored`);
    assert.ok(files.includes("[REDACTED]"));
  });

  it("keep every line where it was: the same values on the same lines as the post without secrets", () => {
    const input = store.read((outcome as {sha256: string}).sha256);
    const raw = readFileSync(store.rawPath(input.source), "utf8");
    assert.equal(raw.split("\n").length, POST.split("\n").length);
    const clean = readInput(
      {name: "post.md", bytes: Buffer.from(`${"\n".repeat(SECRET_LINES + 1)}${SEED}\n`)},
      {now}
    ).stored;
    const values = (s: typeof clean) => s.runs.flatMap((r) => r.results.map((x) => [x.line, x.test, x.value]));
    assert.equal(input.source.lines, clean.source.lines);
    assert.deepEqual(values(input), values(clean));
    assert.equal(input.runs[0].results.find((r) => r.test === "pp1024")?.value, 9512.79);
  });

  it("are recorded by line and kind, never by value", () => {
    const input = store.read((outcome as {sha256: string}).sha256);
    assert.deepEqual(input.source.redactions, [
      {line: 1, kind: "secret-assignment"},
      {line: 2, kind: "github-token"},
      {line: 2, kind: "secret-assignment"},
      {line: 3, kind: "aws-access-key"},
      {line: 3, kind: "slack-token"},
      {line: 4, kind: "bearer"},
      {line: 5, kind: "url-password"},
      {line: 6, kind: "secret-assignment"},
      {line: 8, kind: "private-key"},
      {line: 11, kind: "secret-assignment"},
      {line: 11, kind: "secret-option"}
    ]);
  });

  it("leave the input's id stable: importing it again adds nothing, and reparse changes nothing", () => {
    const [again] = importInputs([{name: "post.md", bytes: Buffer.from(POST)}], {store, now});
    assert.equal(again.status, "unchanged");
    assert.equal((again as {sha256: string}).sha256, (outcome as {sha256: string}).sha256);
    const before = everyFile(store.root);
    assert.deepEqual(
      reparseStore(store).map((o) => o.status),
      ["unchanged"]
    );
    assert.equal(everyFile(store.root), before);
  });

  it("in a writeup are replaced too", () => {
    const dir = tempDir("benchbook-writeup-");
    const post = fixtureText("hand/writeup/post.md").replace(/\n$/, ` token=${SECRETS.hf}\n`);
    writeFileSync(join(dir, "post.md"), post);
    writeFileSync(join(dir, "post.observations.yaml"), fixtureText("hand/writeup/post.observations.yaml"));
    const local = new Store(join(dir, "data"));
    const [hand] = importInputs([fileInput(join(dir, "post.observations.yaml"), join(dir, "post.observations.yaml"))], {
      store: local,
      now
    });
    assert.equal(hand.status, "imported", hand.status === "failed" ? hand.error.message : "");
    assert.ok(!everyFile(local.root).includes(SECRETS.hf));
  });

  it("in a streamed input refuse it at the secret's line, writing nothing", () => {
    const dir = tempDir("benchbook-stream-");
    const path = join(dir, "server.log");
    const line =
      "slot print_timing: id  0 | task 0 | prompt eval time =      12.34 ms /    10 tokens (    1.23 ms per token,   810.37 tokens per second)\n";
    const lines = Math.ceil(STREAM_THRESHOLD_BYTES / line.length) + 10;
    writeFileSync(path, `${line.repeat(lines - 7)}HF_TOKEN=${SECRETS.hf}\n${line.repeat(6)}`);
    const local = new Store(join(dir, "data"));
    const [streamed] = importInputs([fileInput("server.log", path)], {store: local, format: "llama-server-log", now});
    assert.equal(streamed.status, "failed");
    assert.match(
      (streamed as {error: Error}).error.message,
      new RegExp(`^server\\.log: line ${lines - 6}: .*secret-assignment`)
    );
    assert.deepEqual(local.inputs(), []);
  });
});

describe("redactSecrets", () => {
  it("finds nothing to replace in any fixture (real tool outputs: no value is ever touched)", () => {
    const files = readdirSync(FIXTURES, {recursive: true, encoding: "utf8"}).filter(
      (f) => statSync(join(FIXTURES, f)).isFile() && !f.includes("secret")
    );
    assert.ok(files.length > 100);
    for (const file of files)
      assert.deepEqual(redactSecrets(readFileSync(join(FIXTURES, file), "utf8")).redactions, [], file);
  });

  it("leaves numbers, placeholders, tokenizer tokens and dotted keys alone", () => {
    const text = [
      "MAX_TOKEN=512",
      "HF_TOKEN=$HF_TOKEN",
      'eos_token: "<|im_end|>"',
      "--override-kv tokenizer.ggml.add_bos_token=bool:false",
      "print_info: EOS token        = 151645 '<|im_end|>'",
      "hf_token: null",
      "http://localhost:8080/v1",
      // llama-bench --help (test/fixtures/captured/h100/ab/raw/llama-bench-b-version.txt)
      "  -hft, --hf-token <token>                          Hugging Face access token"
    ].join("\n");
    assert.deepEqual(redactSecrets(text), {text, redactions: []});
    assert.deepEqual(redactSecrets("--hf-token hf_secretvalue").text, "--hf-token [REDACTED]");
  });

  it("is idempotent and keeps the line breaks of every kind", () => {
    const once = redactSecrets(POST.replace(/\n/g, "\r\n")).text;
    assert.equal(once.split("\r\n").length, POST.split("\n").length);
    assert.deepEqual(redactSecrets(once), {text: once, redactions: []});
  });
});
