/** benchbook new-report: file name, template, refusals (the rendered page is tested in test/browser/reports.test.ts). */
import assert from "node:assert/strict";
import {existsSync, readFileSync} from "node:fs";
import {join} from "node:path";
import {describe, it} from "node:test";
import {reportSlug, reportTemplate, selectionFacts} from "../../scripts/cli/commands/new-report.js";
import {importInputs} from "../../scripts/import/import.js";
import {Store} from "../../scripts/store/store.js";
import {cli, tempDir} from "../helpers/cli.js";
import {fixtureText, readFixture, rowsOf} from "../helpers/fixtures.js";

/** The charts a scaffold draws, by the components it calls. */
const charts = (md: string) =>
  ["decayPlot", "ladderPlot", "runtimePlot", "sweepPlot"].filter((f) => md.includes(`${f}(`));

describe("benchbook new-report", () => {
  it("names the file after the title", () => {
    assert.equal(reportSlug("4× RTX 3080: layer vs tensor"), "4-rtx-3080-layer-vs-tensor");
    assert.equal(reportSlug("Été — café!"), "ete-cafe");
  });

  it("writes front matter, a cell filtering by every tag, and a table of every result", () => {
    const md = reportTemplate(
      "My GPU",
      {writeup: "my-gpu", machine: "a"},
      selectionFacts(rowsOf(readFixture("seeds/001-rtx4090-m4.txt")))
    );
    assert.match(md, /^---\ntitle: "My GPU"\ntag: "writeup=my-gpu machine=a"\n---\n/);
    assert.match(md, /const TAGS = \{"writeup":"my-gpu","machine":"a"\};/);
    assert.match(md, /Object\.entries\(TAGS\)\.every/);
    assert.match(md, /relink\(decayTable\(\[\.\.\.tg, \.\.\.pp\]\)\)/);
    assert.match(md, /## Every result\n[^]*Inputs\.table\(rows/);
    assert.doesNotMatch(md, /FileAttachment|npm:/, "no CDN-fetching imports");
  });

  it("scaffolds the charts that fit the selection (real writeups)", () => {
    const scaffold = (fixture: string) =>
      reportTemplate("R", {writeup: "r"}, selectionFacts(rowsOf(readFixture(fixture))));
    // 4× RTX 3080: two models at depths 0 and 16384, layer against tensor split; one quantization each, one runtime.
    assert.deepEqual(charts(scaffold("seeds/000-4x3080-split.txt")), ["decayPlot", "sweepPlot"]);
    assert.match(scaffold("seeds/000-4x3080-split.txt"), /Swept here: split_mode\./);
    // RTX 4090 + M4: depth sweeps, Qwen3.5-35B-A3B in three quantizations, llama.cpp/vLLM/SGLang and llama.cpp/MLX.
    assert.deepEqual(charts(scaffold("seeds/001-rtx4090-m4.txt")), ["decayPlot", "ladderPlot", "runtimePlot"]);
    assert.match(scaffold("seeds/001-rtx4090-m4.txt"), /runtimeBars\(rows, \{minRuntimes: 2, stat: "mean"\}\)/);
    // Dual 3060 retune: one depth, one quantization, one runtime — no chart, only the table.
    const retune = scaffold("seeds/002-dual-3060-retune.yaml");
    assert.deepEqual(charts(retune), []);
    assert.match(retune, /no comparison chart was scaffolded/);
    // RTX PRO 6000: vLLM against SGLang, quoted as peaks (no means).
    assert.deepEqual(charts(scaffold("seeds/003-rtx-pro-6000-vllm-sglang.yaml")), ["runtimePlot"]);
    assert.match(scaffold("seeds/003-rtx-pro-6000-vllm-sglang.yaml"), /stat: "peak"/);
  });

  it("without results for its tags: no chart, and says to scaffold again after importing", () => {
    const md = reportTemplate("R", {writeup: "none"}, selectionFacts([]));
    assert.deepEqual(charts(md), []);
    assert.match(md, /No results in the store carried these tags/);
  });

  it("reads the store: a single-depth selection gets no context-decay chart", async () => {
    const store = new Store(tempDir());
    importInputs(
      [{name: "002-dual-3060-retune.yaml", bytes: Buffer.from(fixtureText("seeds/002-dual-3060-retune.yaml"))}],
      {store, tags: {writeup: "retune"}}
    );
    importInputs([{name: "001-rtx4090-m4.txt", bytes: Buffer.from(fixtureText("seeds/001-rtx4090-m4.txt"))}], {
      store,
      tags: {writeup: "decay"}
    });
    const dir = tempDir();
    const retune = await cli(["new-report", "Retune", "--tag", "writeup=retune", "--dir", dir, "--store", store.root]);
    assert.equal(retune.code, 0, retune.stderr);
    assert.match(retune.stdout, /charts: none/);
    assert.deepEqual(charts(readFileSync(join(dir, "retune.md"), "utf8")), []);
    const decay = await cli(["new-report", "Decay", "--tag", "writeup=decay", "--dir", dir, "--store", store.root]);
    assert.deepEqual(charts(readFileSync(join(dir, "decay.md"), "utf8")), ["decayPlot", "ladderPlot", "runtimePlot"]);
    assert.match(decay.stdout, /charts: context decay, quantizations, runtimes/);
    const none = await cli(["new-report", "Nothing", "--tag", "writeup=absent", "--dir", dir, "--store", store.root]);
    assert.equal(none.code, 0);
    assert.match(none.stderr, /no results in the store carry writeup=absent/);
  });

  it("escapes a title and tags: ${…} is never an expression, </script> never closes the script", () => {
    const md = reportTemplate("Title ${alert(1)} <b>", {writeup: "</script><script>alert(2)</script>${alert(3)}"});
    assert.ok(
      !md.split("---\n").slice(2).join("").includes("${alert(1)"),
      "the title's ${ never reaches the Markdown (front matter is data)"
    );
    assert.match(md, /<code>writeup=&#60;\/script&#62;.*&#36;&#123;alert\(3\)&#125;<\/code>/, "nor the tag's");
    assert.ok(!md.split("---\n").slice(2).join("").includes("</script>"));
    assert.match(md, /^# Title &#36;&#123;alert\(1\)&#125; &#60;b&#62;$/m);
    assert.match(
      md,
      /const TAGS = \{"writeup":"\\u003c\/script>\\u003cscript>alert\(2\)\\u003c\/script>\$\{alert\(3\)\}"\};/
    );
  });

  it("scaffolds into --dir, refuses to overwrite without --force and needs a tag", async () => {
    const dir = tempDir();
    const ok = await cli(["new-report", "Dual", "3060", "--tag", "writeup=x", "--dir", dir]);
    assert.equal(ok.code, 0, ok.stderr);
    assert.ok(existsSync(join(dir, "dual-3060.md")));
    assert.match(readFileSync(join(dir, "dual-3060.md"), "utf8"), /title: "Dual 3060"/);
    assert.equal((await cli(["new-report", "Dual 3060", "--tag", "writeup=x", "--dir", dir])).code, 2);
    assert.equal((await cli(["new-report", "Dual 3060", "--tag", "writeup=y", "--dir", dir, "--force"])).code, 0);
    assert.equal((await cli(["new-report", "No tag", "--dir", dir])).code, 2);
    assert.equal((await cli(["new-report", "--tag", "writeup=x", "--dir", dir])).code, 2);
  });
});
