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

  it("escapes a title and tags: ${…} is never an expression, </script> never closes the script", () => {
    const md = reportTemplate("Title ${alert(1)} <b>", {writeup: "</script><script>alert(2)</script>${alert(3)}"});
    assert.ok(!md.split("---\n").slice(2).join("").includes("${alert(1)"), "the title's ${ never reaches the Markdown (front matter is data)");
    assert.match(md, /<code>writeup=&#60;\/script&#62;.*&#36;&#123;alert\(3\)&#125;<\/code>/, "nor the tag's");
    assert.ok(!md.split("---\n").slice(2).join("").includes("</script>"));
    assert.match(md, /^# Title &#36;&#123;alert\(1\)&#125; &#60;b&#62;$/m);
    assert.match(md, /const TAGS = \{"writeup":"\\u003c\/script>\\u003cscript>alert\(2\)\\u003c\/script>\$\{alert\(3\)\}"\};/);
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
