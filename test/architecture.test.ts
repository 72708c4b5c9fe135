/**
 * docs/architecture.md as a contract: its folder table says what each folder
 * may import, and every relative import in scripts/, src/ and bin/ is checked
 * against it, with the rules the table cannot say (tool folders, page modules).
 * A row may import its own subfolders' rows; listing a folder allows its subfolders' rows too.
 */
import assert from "node:assert/strict";
import {existsSync, lstatSync, readdirSync, readFileSync, realpathSync} from "node:fs";
import {dirname, join, relative, resolve} from "node:path";
import {describe, it} from "node:test";
import {fileURLToPath} from "node:url";
import ts from "typescript";
import {RUNTIMES} from "../scripts/context/runtimes.js";
import {FORMATS} from "../scripts/formats/registry.js";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const FORMAT_HELPERS = new Set(["shared", "serving", "logs"]);

/** The table's rows: folder → folders it may import. */
function readTable(): Map<string, string[]> {
  const doc = readFileSync(join(ROOT, "docs/architecture.md"), "utf8");
  const rows = new Map<string, string[]>();
  for (const line of doc.split("\n")) {
    const cells = line.split("|").map((c) => c.trim());
    if (cells.length < 5 || !/^`[^`]+\/`$/.test(cells[1])) continue;
    rows.set(
      cells[1].slice(1, -1),
      [...cells[3].matchAll(/`([^`]+\/)`/g)].map((m) => m[1])
    );
  }
  return rows;
}

const rows = readTable();

/** The row a path belongs to: its longest folder prefix in the table. */
function rowOf(path: string): string | null {
  let best: string | null = null;
  for (const folder of rows.keys())
    if (path.startsWith(folder) && (!best || folder.length > best.length)) best = folder;
  return best;
}

/** Source files, not following links (src/components/shared/statistics is scripts/statistics). */
function sources(dir: string, out: string[] = []): string[] {
  for (const entry of readdirSync(join(ROOT, dir), {withFileTypes: true})) {
    const path = `${dir}/${entry.name}`;
    if (entry.isSymbolicLink() || entry.name.startsWith(".") || path === "src/data") continue;
    if (entry.isDirectory()) sources(path, out);
    else if (/\.(?:m?ts|m?js|md)$/.test(entry.name) && !entry.name.endsWith(".d.ts")) out.push(path);
  }
  return out;
}

interface Import {
  file: string;
  /** The imported file, relative to the repository, links resolved. */
  target: string;
}

function importsOf(file: string): Import[] {
  const text = readFileSync(join(ROOT, file), "utf8");
  // A page's imports are in its ```js blocks; a module's are what TypeScript's scanner finds (not text inside strings).
  const code = file.endsWith(".md")
    ? [...text.matchAll(/^```js\b[^\n]*\n([\s\S]*?)^```/gm)].map((m) => m[1]).join("\n")
    : text;
  const specs = ts
    .preProcessFile(code, true, true)
    .importedFiles.map((f) => f.fileName)
    .filter((spec) => /^\.{1,2}\//.test(spec));
  return specs.map((spec) => {
    let path = resolve(ROOT, dirname(file), spec);
    if (!existsSync(path) && existsSync(path.replace(/\.js$/, ".ts"))) path = path.replace(/\.js$/, ".ts");
    assert.ok(existsSync(path), `${file}: "${spec}" does not exist`);
    return {file, target: relative(ROOT, realpathSync(path))};
  });
}

/** The files a recipe in docs/architecture.md names, by its heading's start (`<name>` stands for the new file). */
function recipeFiles(heading: string): string[] {
  const doc = readFileSync(join(ROOT, "docs/architecture.md"), "utf8");
  const at = doc.indexOf(`### ${heading}`);
  assert.ok(at >= 0, `docs/architecture.md has no "### ${heading}"`);
  const section = doc.slice(at, doc.indexOf("\n##", at + 4));
  return [...new Set([...section.matchAll(/`((?:scripts|src)\/[^`]+\.ts)`/g)].map((m) => m[1]))];
}

/** Whether a file is one a recipe names: a path, or a pattern such as `scripts/bench/runners/<runner>.ts`. */
const named = (recipe: string[], file: string) =>
  recipe.some((f) => new RegExp(`^${f.replace(/[.]/g, "\\.").replace(/<[^>]+>/g, "[^/]+")}$`).test(file));

const files = [...sources("scripts"), ...sources("src"), ...sources("bin")];
const imports = files.flatMap(importsOf);
const describeImport = (i: Import) => `${i.file} imports ${i.target}`;

describe("architecture (docs/architecture.md)", () => {
  it("has a row for every folder under scripts/ and src/components/, and none for a folder that is gone", () => {
    const folders = ["scripts", "src/components"].flatMap((parent) =>
      readdirSync(join(ROOT, parent), {withFileTypes: true})
        .filter((e) => e.isDirectory() && !e.isSymbolicLink())
        .map((e) => `${parent}/${e.name}/`)
    );
    assert.deepEqual(
      folders.filter((f) => !rows.has(f)),
      []
    );
    assert.deepEqual(
      [...rows.keys()].filter((f) => !existsSync(join(ROOT, f)) || !lstatSync(join(ROOT, f)).isDirectory()),
      []
    );
  });

  it("every import crosses only into folders its row lists", () => {
    const broken = imports.filter((i) => {
      const from = rowOf(i.file);
      const to = rowOf(i.target);
      return !(from && to && (to.startsWith(from) || rows.get(from)!.some((allowed) => to.startsWith(allowed))));
    });
    assert.deepEqual(broken.map(describeImport), []);
  });

  it("scripts/ never imports src/ or test/", () => {
    assert.deepEqual(
      imports.filter((i) => i.file.startsWith("scripts/") && /^(?:src|test)\//.test(i.target)).map(describeImport),
      []
    );
  });

  it("a tool folder in scripts/formats/ never imports another, and the helper folders import none", () => {
    const toolOf = (path: string) => /^scripts\/formats\/([^/]+)\//.exec(path)?.[1] ?? null;
    const broken = imports.filter((i) => {
      const from = toolOf(i.file);
      const to = toolOf(i.target);
      return from !== null && to !== null && from !== to && !FORMAT_HELPERS.has(to);
    });
    assert.deepEqual(broken.map(describeImport), []);
  });

  it("a page module never imports another page's module", () => {
    const page = /^src\/components\/pages\//;
    assert.deepEqual(imports.filter((i) => page.test(i.file) && page.test(i.target)).map(describeImport), []);
  });

  it("a page imports its own module and the shared layer; a report may compose any page's module", () => {
    const own: Record<string, string> = {"src/runs/[run].md": "run", "src/sources/[source].md": "source"};
    const broken = imports.filter((i) => {
      if (!i.file.endsWith(".md") || i.file.startsWith("src/reports/") || !i.target.startsWith("src/components/pages/"))
        return false;
      const name = own[i.file] ?? /^src\/([^/]+)\.md$/.exec(i.file)?.[1];
      return i.target !== `src/components/pages/${name}.ts`;
    });
    assert.deepEqual(broken.map(describeImport), []);
  });

  it("reads the imports it checks (the rules above are not vacuous)", () => {
    assert.ok(rows.size >= 25, `${rows.size} rows`);
    assert.ok(
      imports.some((i) => i.file.startsWith("src/components/shared/") && i.target.startsWith("scripts/statistics/"))
    );
    assert.ok(imports.some((i) => i.file.endsWith(".md") && i.target.startsWith("src/components/pages/")));
    assert.ok(
      imports.some((i) => i.file.startsWith("scripts/formats/vllm/") && i.target.startsWith("scripts/formats/serving/"))
    );
  });

  it("adding a runtime touches at most 5 code files in 4 folders, and no other file names a runtime", () => {
    const recipe = recipeFiles("Add a runtime");
    const runner = recipeFiles("Add a runner");
    const fixed = recipe.filter((f) => !f.includes("<"));
    assert.ok(fixed.length + 1 <= 5, `${fixed.length} files and a format file`); // and the format's own module
    assert.ok(new Set(fixed.map((f) => dirname(f))).size + 1 <= 4, fixed.join(", "));
    // llama.cpp, the runtime of llama-bench, is also the site's default baseline: only the others are checked.
    const ids = RUNTIMES.map((r) => r.id).filter((id) => id !== "llama.cpp");
    const code = files.filter(
      (f) => /\.ts$/.test(f) && !f.startsWith("scripts/formats/") && !named(recipe, f) && !named(runner, f)
    );
    const naming = code.flatMap((file) => {
      const text = readFileSync(join(ROOT, file), "utf8").replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, "");
      return ids
        .filter((id) => new RegExp(`["'\`]${id.replace(".", "\\.")}["'\`]|\\b${id}:`).test(text))
        .map((id) => `${file} names ${id}`);
    });
    assert.deepEqual(naming, []);
  });

  it("adding a runner touches its own file, the list and at most one file elsewhere; every runner describes itself", async () => {
    const recipe = recipeFiles("Add a runner");
    assert.ok(recipe.length <= 3, recipe.join(", "));
    assert.ok(
      recipe.includes("scripts/bench/runners/<runner>.ts") && recipe.includes("scripts/bench/runners/index.ts")
    );
    const {RUNNERS} = await import("../scripts/bench/runners/index.js");
    const listed = Object.keys(RUNNERS).sort();
    const files = readdirSync(join(ROOT, "scripts/bench/runners"))
      .map((f) => f.replace(/\.ts$/, ""))
      .filter((f) => !["index", "process", "wrapper"].includes(f))
      .sort();
    assert.deepEqual(listed, files, "one file per runner, named by its id, and each listed");
    for (const runner of Object.values(RUNNERS)) {
      // Its schema takes its own id and refuses another runner's.
      assert.ok(!runner.plan.safeParse({name: "x", runner: `${runner.id}-not`}).success, runner.id);
      assert.equal(
        runner.plan.safeParse({name: "x", runner: runner.id}).error?.issues.some((i) => i.path[0] === "runner") ??
          false,
        false,
        runner.id
      );
      assert.ok(
        runner.runtime === null || RUNTIMES.some((r) => r.id === runner.runtime),
        `${runner.id}: ${runner.runtime}`
      );
      const formats = [runner.formats.result, runner.formats.stdout].filter((f) => f !== null);
      assert.ok(runner.tool.length > 0 && formats.length > 0, runner.id);
      for (const format of formats)
        assert.ok(
          FORMATS.some((f) => f.id === format),
          `${runner.id}: format ${format}`
        );
    }
  });
});
