/**
 * Local paths and secrets never reach the built site: a real site build of a
 * store whose inputs name /home/alice/…, C:\Users\carol\…, /mnt/…, /data/…
 * and D:\… (file names, model paths, commands, raw text), one holding secrets
 * too, shows base names on every page and in every data file and no secret;
 * `--keep-paths` keeps the paths.
 */
import assert from "node:assert/strict";
import {readdirSync, readFileSync, statSync} from "node:fs";
import {join} from "node:path";
import {describe, it} from "node:test";
import {exportStore} from "../../scripts/export/export.js";
import {importInputs} from "../../scripts/import/import.js";
import {Store} from "../../scripts/store/store.js";
import {tempDir} from "../helpers/cli.js";
import {fixtureText} from "../helpers/fixtures.js";
import {siteProject} from "../helpers/site.js";

const SEED = fixtureText("seeds/001-rtx4090-m4.txt")
  .split("\n")
  .slice(0, 19)
  .join("\n")
  .replace("--model unsloth/Qwen3.5-9B-GGUF/Qwen3.5-9B-Q8_0.gguf", "--model /home/alice/models/Qwen3.5-9B-Q8_0.gguf");
const JSONL = fixtureText("captured/cpu/llama-bench-jsonl.stdout").replace(
  /"model_filename": "tiny\.gguf"/g,
  '"model_filename": "C:\\\\Users\\\\carol\\\\llm\\\\tiny.gguf"'
);
/** Paths outside a home directory, and secrets (built from pieces, so that no secret scanner takes this file for a leak). */
const ELSEWHERE = ["/mnt/nas-dave/project-x", "/data/erin/posts", "D:\\frank-models"];
const SECRETS = [
  `hf_${"Bu1ltS1teTok".repeat(3)}`,
  "site-url-pass",
  "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQDsite"
];
const POST = [
  `export HF_TOKEN=${SECRETS[0]}`,
  `git clone https://me:${SECRETS[1]}@git.example.com/x`,
  "-----BEGIN PRIVATE KEY-----",
  SECRETS[2],
  "-----END PRIVATE KEY-----",
  SEED.replace("--model /home/alice/models/", `--model ${ELSEWHERE[0]}/`)
].join("\n");
const PRIVATE = [
  "/home/alice",
  "alice/models",
  "Users\\carol",
  "Users\\\\carol",
  "carol\\llm",
  "carol\\\\llm",
  ...ELSEWHERE,
  "frank-models",
  ...SECRETS
];

function store(): Store {
  const s = new Store(tempDir("benchbook-paths-"));
  const outcomes = importInputs(
    [
      {name: "/home/alice/posts/rtx4090.md", bytes: Buffer.from(`${SEED}\n`)},
      {name: "C:\\Users\\carol\\bench\\cpu.jsonl", bytes: Buffer.from(JSONL)},
      {name: `${ELSEWHERE[1]}/secrets.md`, bytes: Buffer.from(`${POST}\n`)},
      {name: "D:\\frank-models\\cpu.jsonl", bytes: Buffer.from(JSONL.replace(/tiny\.gguf/g, "tinier.gguf"))}
    ],
    {store: s, now: () => new Date("2026-01-01T00:00:00Z")}
  );
  assert.deepEqual(
    outcomes.map((o) => o.status),
    ["imported", "imported", "imported", "imported"]
  );
  return s;
}

/** Every text file under a folder, joined. */
function allText(dir: string): string {
  return readdirSync(dir, {recursive: true, encoding: "utf8"})
    .map((f) => join(dir, f))
    .filter((f) => statSync(f).isFile() && /\.(html|js|json|txt|csv|md|parquet|duckdb)$/.test(f))
    .map((f) => readFileSync(f).toString("latin1"))
    .join("\n");
}

describe("local paths and secrets on the built site", () => {
  it("appear nowhere in dist; their base names do, on the same lines", {timeout: 600_000}, async () => {
    const project = siteProject();
    const s = store();
    await project.build(s);
    const dist = allText(project.dist);
    for (const text of PRIVATE) assert.ok(!dist.includes(text), `${text} is published`);
    assert.ok(dist.includes("Qwen3.5-9B-Q8_0.gguf") && dist.includes("rtx4090.md") && dist.includes("cpu.jsonl"));
    const [sha] = s.inputs().filter((h) => s.read(h).source.name.endsWith("rtx4090.md"));
    const raw = readFileSync(join(project.root, "src/data/raw", `${sha}.txt`), "utf8").split("\n");
    assert.equal(raw.length, `${SEED}\n`.split("\n").length, "line numbers kept");
    assert.match(raw[3], /^\$ llama-bench .*--model Qwen3\.5-9B-Q8_0\.gguf$/);
  });

  it("are kept with keepPaths (build --keep-paths, export --keep-paths)", async () => {
    const out = tempDir();
    await exportStore(store(), out, {keepPaths: true});
    const text = allText(out);
    assert.ok(text.includes("/home/alice/models/Qwen3.5-9B-Q8_0.gguf"));
  });
});
