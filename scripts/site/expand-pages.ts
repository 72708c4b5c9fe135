/**
 * One page per run and raw input without Framework rendering each (~80 ms of CPU a page: 99 s for 500 inputs).
 * Framework renders each route once; the others are written from it. test/integration/expand-pages.test.ts
 * checks every page is byte for byte what Framework writes.
 */
import {createHash} from "node:crypto";
import {copyFileSync, mkdirSync, readFileSync, statSync, writeFileSync} from "node:fs";
import {dirname, extname, join} from "node:path";

export interface ParameterizedRoute {
  /** Folder of the pages under the site root (`runs`). */
  dir: string;
  /** The parameter's values; the first is the page Framework rendered. */
  values: string[];
  /** The file each page attaches, relative to the source root (`data/runs/<id>.json`). */
  file(value: string): string;
}

/** Framework's content-hashed name: `name.<first 8 hex of sha256>.ext`. */
function hashedName(file: string, contents: Uint8Array): string {
  const hash = createHash("sha256").update(contents).digest("hex").slice(0, 8);
  const ext = extname(file);
  return `${file.slice(0, file.length - ext.length)}.${hash}${ext}`;
}

/**
 * Writes dist/<dir>/<value>.html for every value after the first, and the
 * files they attach into dist/_file/. `root` is the source root (src/).
 * Returns the pages written.
 */
export function expandPages(root: string, dist: string, route: ParameterizedRoute): number {
  const [template, ...rest] = route.values;
  if (template === undefined) return 0;
  const templatePath = join(dist, route.dir, `${template}.html`);
  const page = readFileSync(templatePath, "utf8");
  const name = (value: string) => `../${route.file(value)}`;
  const line = new RegExp(`^registerFile\\(${escapeRegExp(JSON.stringify(name(template)))}, (\\{.*\\})\\);$`, "m");
  const match = line.exec(page);
  if (!match)
    throw new Error(
      `${templatePath}: no registerFile line for ${name(template)}: Framework's page output is not what expand-pages.ts expects`
    );
  const registration = JSON.parse(match[1]) as {name: string; path: string; lastModified: number; size: number};
  const prefix = registration.path.slice(0, registration.path.indexOf("_file/"));
  // The page with its registerFile line taken out, split at every other place the parameter's value is written.
  const [before, after] = [page.slice(0, match.index), page.slice(match.index + match[0].length)];
  const pieces = [before.split(template), after.split(template)];
  for (const value of rest) {
    const source = join(root, route.file(value));
    const contents = readFileSync(source);
    const stat = statSync(source);
    const output = hashedName(route.file(value), contents);
    mkdirSync(dirname(join(dist, "_file", output)), {recursive: true});
    copyFileSync(source, join(dist, "_file", output));
    const registered = {
      ...registration,
      name: name(value),
      path: `${prefix}_file/${output}`,
      lastModified: Math.floor(stat.mtimeMs),
      size: stat.size
    };
    const text = `${pieces[0].join(value)}registerFile(${JSON.stringify(name(value))}, ${JSON.stringify(registered)});${pieces[1].join(value)}`;
    writeFileSync(join(dist, route.dir, `${value}.html`), text);
  }
  return rest.length;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
