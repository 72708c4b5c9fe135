/**
 * The store the report pages are tested on: the bundled data/, plus seed
 * fixtures for any writeup tag the bundled data do not hold yet (writeups
 * 002 and 003 are entered by hand and reached data/ after the reports).
 */
import {cpSync} from "node:fs";
import {join} from "node:path";
import {importInputs} from "../../scripts/import/import.js";
import {Store} from "../../scripts/store/store.js";
import {tempDir} from "../helpers/cli.js";
import {fixtureText} from "../helpers/fixtures.js";
import {REPO} from "../helpers/site.js";

/** Fixtures standing in for a writeup the bundled data do not hold yet. */
export const FALLBACK: Record<string, string[]> = {
  "dual-3060-retune": ["seeds/002-dual-3060-retune.yaml"],
  "rtx-pro-6000-vllm-sglang": [
    "seeds/003-rtx-pro-6000-vllm-sglang.yaml",
    "logs/seed-003-vllm-digest.txt",
    "site/sglang-kv-dtype.txt"
  ]
};

export function reportStore(): Store {
  const root = tempDir("benchbook-reports-store-");
  cpSync(join(REPO, "data"), root, {recursive: true});
  const store = new Store(root);
  const tags = new Set([...store.readAll()].flatMap((i) => i.runs.map((r) => r.tags.writeup)));
  for (const [tag, files] of Object.entries(FALLBACK)) {
    if (tags.has(tag)) continue;
    for (const file of files) {
      const [outcome] = importInputs([{name: file, bytes: Buffer.from(fixtureText(file))}], {
        store,
        tags: {writeup: tag}
      });
      if (outcome.status === "failed") throw new Error(`${file}: ${JSON.stringify(outcome)}`);
    }
  }
  return store;
}
