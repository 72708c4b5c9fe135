/** benchbook new-report: file name, template, refusals (the rendered page is tested in test/browser/reports.test.ts). */
import assert from "node:assert/strict";
import {existsSync, readFileSync} from "node:fs";
import {join} from "node:path";
import {describe, it} from "node:test";
import {reportSlug, reportTemplate} from "../../scripts/cli/commands/new-report.js";
import {cli, tempDir} from "../helpers/cli.js";

describe("benchbook new-report", () => {
  it("names the file after the title", () => {
    assert.equal(reportSlug("4× RTX 3080: layer vs tensor"), "4-rtx-3080-layer-vs-tensor");
    assert.equal(reportSlug("Été — café!"), "ete-cafe");
  });

  it("writes front matter, a cell filtering by every tag, a chart and a table", () => {
    const md = reportTemplate("My GPU", {writeup: "my-gpu", machine: "a"});
    assert.match(md, /^---\ntitle: "My GPU"\ntag: "writeup=my-gpu machine=a"\n---\n/);
    assert.match(md, /const TAGS = \{"writeup":"my-gpu","machine":"a"\};/);
    assert.match(md, /Object\.entries\(TAGS\)\.every/);
    assert.match(md, /chartFigure\(decayPlot\(/);
    assert.match(md, /relink\(decayTable\(tg\)\)/);
    assert.doesNotMatch(md, /FileAttachment|npm:/, "no CDN-fetching imports");
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
