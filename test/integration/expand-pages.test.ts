/**
 * Run and raw-input pages written from their route's first page
 * (scripts/site/expand-pages.ts) against Framework rendering every one of
 * them: on the bundled store (inputs, writeups, many runs), the two builds
 * of the same exported data are the same files, byte for byte.
 */
import assert from "node:assert/strict";
import {cpSync, readdirSync, readFileSync, rmSync} from "node:fs";
import {join, relative} from "node:path";
import {before, describe, it} from "node:test";
import {exportStore} from "../../scripts/export/export.js";
import {importInputs} from "../../scripts/import/import.js";
import {buildPages} from "../../scripts/site/build.js";
import {Store} from "../../scripts/store/store.js";
import {tempDir} from "../helpers/cli.js";
import {fixturePath} from "../helpers/fixtures.js";
import {REPO, siteProject} from "../helpers/site.js";

function files(dir: string): string[] {
  return readdirSync(dir, {recursive: true, withFileTypes: true})
    .filter((entry) => entry.isFile())
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)))
    .sort();
}

describe("run and raw-input pages written from the first of their route", () => {
  let rendered: string;
  let expanded: string;
  let written: number;
  let manifest: {inputs: string[]; writeups: string[]; run_ids: string[]};
  before(async () => {
    const project = siteProject();
    // The bundled store, plus a hand-entered file whose writeup gets a raw-input page too.
    const store = new Store(join(tempDir(), "data"));
    cpSync(join(REPO, "data"), store.root, {recursive: true});
    const observations = fixturePath("hand/writeup/post.observations.yaml");
    importInputs([{name: "post.observations.yaml", bytes: readFileSync(observations), path: observations}], {store});
    await exportStore(store, join(project.root, "src/data"));
    manifest = JSON.parse(readFileSync(join(project.root, "src/data/manifest.json"), "utf8"));
    await buildPages(project.root, {expand: false});
    rendered = join(tempDir(), "dist");
    cpSync(project.dist, rendered, {recursive: true});
    rmSync(project.dist, {recursive: true});
    written = await buildPages(project.root);
    expanded = project.dist;
  });

  it("writes every page but the first of each route", () => {
    assert.ok(
      manifest.run_ids.length > 20 && manifest.inputs.length > 3 && manifest.writeups.length === 1,
      "runs, inputs and a writeup"
    );
    assert.equal(written, manifest.run_ids.length - 1 + manifest.inputs.length + manifest.writeups.length - 1);
  });

  it("gives the same files as Framework rendering them all", () => {
    const names = files(rendered);
    assert.deepEqual(files(expanded), names);
    assert.ok(names.filter((n) => n.startsWith("runs/")).length === manifest.run_ids.length);
    for (const name of names)
      assert.ok(readFileSync(join(expanded, name)).equals(readFileSync(join(rendered, name))), name);
  });
});
