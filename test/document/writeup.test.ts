/**
 * Hand-entered numbers traced into the writeup itself: an observations file
 * names its writeup (`writeup: ./post.md`), the import stores the post
 * verbatim beside it, checks each cited line, and marks every value with the
 * post's sha256 so pages can link the value to its line.
 */
import assert from "node:assert/strict";
import {createHash} from "node:crypto";
import {copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync} from "node:fs";
import {join} from "node:path";
import {describe, it} from "node:test";
import {citedLines} from "../../scripts/document/writeup.js";
import {importInputs, readInput} from "../../scripts/import/import.js";
import {reparseStore} from "../../scripts/import/reparse.js";
import {Store} from "../../scripts/store/store.js";
import {tempDir} from "../helpers/cli.js";
import {fixturePath, fixtureText} from "../helpers/fixtures.js";

const OBSERVATIONS = "hand/writeup/post.observations.yaml";
const POST = "hand/writeup/post.md";
const now = () => new Date("2026-01-01T00:00:00Z");
const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");

/** The observations file and its post copied into a fresh folder, the YAML edited by `edit`. */
function folder(edit: (yaml: string) => string = (y) => y): string {
  const dir = tempDir();
  copyFileSync(fixturePath(POST), join(dir, "post.md"));
  writeFileSync(join(dir, "obs.yaml"), edit(fixtureText(OBSERVATIONS)));
  return dir;
}
const fileInput = (dir: string, name = "obs.yaml") => ({
  name,
  bytes: readFileSync(join(dir, name)),
  path: join(dir, name)
});

describe("hand-entered values traced into their writeup", () => {
  it("stores the writeup verbatim beside the observations, as an attachment with role writeup", () => {
    const store = new Store(tempDir());
    const [outcome] = importInputs(
      [
        {
          name: fixturePath(OBSERVATIONS),
          bytes: readFileSync(fixturePath(OBSERVATIONS)),
          path: fixturePath(OBSERVATIONS)
        }
      ],
      {store, now}
    );
    assert.equal(outcome.status, "imported", outcome.status === "failed" ? outcome.error.message : "");
    const post = readFileSync(fixturePath(POST));
    const stored = store.read((outcome as {sha256: string}).sha256);
    assert.deepEqual(stored.source.attachments, [
      {role: "writeup", sha256: sha256(post), raw: `raw/${sha256(post)}.md`}
    ]);
    assert.deepEqual(readFileSync(join(store.root, stored.source.attachments![0].raw)), post, "byte for byte");
    assert.deepEqual(stored.runs[0].extra.writeup, {path: "./post.md", line: 5, sha256: sha256(post)});
  });

  it("marks every value that cites a line with the writeup's sha256, and each cited line holds the value's text (oracle: the post's own lines)", () => {
    const {stored} = readInput(fileInput(folder()), {now});
    const lines = fixtureText(POST).split("\n");
    const results = stored.runs.flatMap((r) => r.results);
    assert.equal(results.length, 8);
    for (const result of results) {
      assert.equal(result.extra?.writeup_sha256, sha256(readFileSync(fixturePath(POST))));
      const line = lines[(result.extra!.source_line as number) - 1];
      if (result.text)
        assert.ok(line.includes(result.text), `post line ${result.extra!.source_line} holds ${result.text}`);
      if (result.status === "ok" && result.text)
        assert.ok(
          line.replace(/(\d),(\d{3})/g, "$1$2").includes(String(result.value)),
          `post line holds ${result.value}`
        );
    }
    // Spot checks of figures as the post prints them.
    assert.deepEqual(
      results.filter((r) => r.extra?.source_line === 13).map((r) => [r.metric, r.value, r.text]),
      [
        ["throughput", 1157, "**1,157**"],
        ["duration", 2.68, "2.68s"]
      ]
    );
    assert.equal(results.find((r) => r.status === "oom")?.extra?.source_line, 21);
  });

  it("refuses a cited line that does not hold the cited text, naming the observations file and the value's line; nothing lands", () => {
    const dir = folder((y) => y.replace('text: "649", line: 12', 'text: "649", line: 13'));
    const store = new Store(tempDir());
    const [outcome] = importInputs([fileInput(dir)], {store, now});
    if (outcome.status !== "failed") assert.fail("expected a failure");
    const yamlLine =
      readFileSync(join(dir, "obs.yaml"), "utf8")
        .split("\n")
        .findIndex((l) => l.includes('text: "649"')) + 1;
    assert.match(
      outcome.error.message,
      new RegExp(
        `^obs\\.yaml: line ${yamlLine}: text: expected "649" as written on line 13 of the writeup \\./post\\.md, which reads "\\| ub 256 \\| \\*\\*1,157\\*\\*`
      )
    );
    assert.deepEqual(store.inputs(), []);
  });

  it("refuses a missing writeup at its writeup: line, and a line past its end", () => {
    const missing = readInput.bind(
      null,
      fileInput(folder((y) => y.replace("writeup: ./post.md", "writeup: ./no-such-post.md"))),
      {now}
    );
    assert.throws(
      missing,
      /obs\.yaml: line 5: writeup: expected the file "\.\/no-such-post\.md" \(a path relative to the observations file\); it was not found/
    );
    const beyond = readInput.bind(null, fileInput(folder((y) => y.replace("line: 23}", "line: 230}"))), {now});
    assert.throws(beyond, /line: expected a line of the writeup \.\/post\.md \(1-\d+\), found 230/);
    assert.throws(
      () =>
        readInput(fileInput(folder((y) => y.replace("writeup: ./post.md", "writeup: https://example.com/post"))), {
          now
        }),
      /writeup: a path to the writeup file relative to this file \(a URL goes in source\.url\)/
    );
  });

  it("reads the writeup relative to the observations file, also from a subfolder and in the CSV form", () => {
    const dir = tempDir();
    mkdirSync(join(dir, "posts"));
    copyFileSync(fixturePath(POST), join(dir, "posts", "post.md"));
    writeFileSync(
      join(dir, "obs.yaml"),
      fixtureText(OBSERVATIONS).replace("writeup: ./post.md", "writeup: posts/post.md")
    );
    assert.equal(readInput(fileInput(dir), {now}).attachments.length, 1);
    const csv = [
      "# benchbook: observations/1",
      "# source: {title: test}",
      "# writeup: posts/post.md",
      "# runtime: llama.cpp",
      "metric,unit,value,text,line,settings.n_ubatch",
      'throughput,tok/s,1275,"1,275",14,384'
    ].join("\n");
    writeFileSync(join(dir, "obs.csv"), csv);
    const {stored} = readInput(fileInput(dir, "obs.csv"), {now});
    assert.equal(stored.runs[0].results[0].extra?.writeup_sha256, sha256(readFileSync(fixturePath(POST))));
  });

  it("reparse reads the stored copy (the original may be gone), keeps the run file as it was and other attachments", () => {
    const dir = folder();
    const store = new Store(tempDir());
    const [outcome] = importInputs([fileInput(dir)], {store, now});
    const sha = (outcome as {sha256: string}).sha256;
    const fresh = readFileSync(store.runsPath(sha), "utf8");
    rmSync(join(dir, "post.md"));
    const [again] = reparseStore(store);
    assert.equal(again.status, "unchanged", again.status === "failed" ? again.error.message : "");
    assert.equal(readFileSync(store.runsPath(sha), "utf8"), fresh);
    // Without the stored copy the values cannot be checked again: that input fails, its runs file stays.
    rmSync(join(store.root, store.read(sha).source.attachments![0].raw));
    const [failed] = reparseStore(store);
    assert.equal(failed.status, "failed");
    assert.equal(readFileSync(store.runsPath(sha), "utf8"), fresh);
  });

  it("reads cited lines as the format writes them", () => {
    assert.deepEqual(citedLines(178), [178]);
    assert.deepEqual(citedLines("17-19"), [17, 18, 19]);
    assert.deepEqual(citedLines("18, 46-48"), [18, 46, 47, 48]);
    assert.deepEqual(citedLines(undefined), []);
  });
});
