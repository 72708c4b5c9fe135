/**
 * A report claim that resolves to nothing fails the build, naming the report file and line
 * (scripts/site/claims.ts); the shipped reports build without such a failure.
 */
import assert from "node:assert/strict";
import {writeFileSync} from "node:fs";
import {join} from "node:path";
import {describe, it} from "node:test";
import {ReportError} from "../../scripts/site/build.js";
import {siteProject} from "../helpers/site.js";
import {reportStore} from "./reports-store.js";

const BROKEN = `---
title: Broken claim
---

# Broken claim

\`\`\`js
import {loadResults} from "../components/shared/data.js";
import {pick, value} from "../components/shared/claims.js";
const rows = await loadResults();
\`\`\`

\`\`\`js
const missing = pick(rows, {model_label: "no-such-model"});
\`\`\`

It ran at \${value(missing)} on that day.
`;

describe("report claims at build time", () => {
  it("fails the build naming the report file and the line of a claim that matches no row", async () => {
    const project = siteProject();
    writeFileSync(join(project.root, "src/reports/broken.md"), BROKEN);
    const error = await project.build(reportStore(), {checkReports: true}).then(
      () => null,
      (e: unknown) => e
    );
    assert.ok(error instanceof ReportError, `expected a ReportError, got ${error}`);
    const broken = error.failures.filter((f) => f.file === "src/reports/broken.md");
    assert.equal(broken[0]?.line, BROKEN.split("\n").findIndex((l) => l.startsWith("const missing")) + 1);
    assert.match(broken[0].message, /0 rows match/);
    assert.match(error.message, /src\/reports\/broken\.md: line \d+: .*0 rows match/);
    // The shipped reports' claims all resolve against their store.
    assert.deepEqual(
      error.failures.filter((f) => f.file !== "src/reports/broken.md"),
      []
    );
  });
});
