/**
 * `benchbook export --zip`: dist/ as one zip that works offline under any static server. Sorted entries with a
 * fixed timestamp, so the same dist/ gives the same bytes.
 */
import {existsSync, readdirSync, readFileSync, statSync, writeFileSync} from "node:fs";
import {join, relative, sep} from "node:path";
import {zipSync, type Zippable} from "fflate";

/** Every file under dir, as forward-slash paths relative to it, sorted. */
export function listFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const entry of readdirSync(d, {withFileTypes: true})) {
      const path = join(d, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.isFile()) out.push(relative(dir, path).split(sep).join("/"));
    }
  };
  walk(dir);
  return out.sort();
}

const README = `This folder is a benchbook site: benchmark reports with every number linked
to the raw output it was read from. It works offline, but browsers do not run
a site's scripts from file://, so serve the folder over HTTP on your machine:

  npx benchbook serve --dir .          (in a benchbook checkout: --dir path/to/this/folder)
  python3 -m http.server 3000          (then open http://127.0.0.1:3000/)

Nothing is fetched from the internet.
`;

export interface ZipSummary {
  file: string;
  files: number;
  bytes: number;
  /** Total size of the packed files before compression. */
  inputBytes: number;
}

/** Fixed entry time (2000-01-01T00:00:00Z, within the zip format's 1980–2099 range): reproducible archives. */
const MTIME = new Date(Date.UTC(2000, 0, 1));

export function zipSite(dist: string, file: string, {folder = "benchbook-site"}: {folder?: string} = {}): ZipSummary {
  if (!existsSync(join(dist, "index.html")))
    throw new Error(`${dist} has no index.html: build the site first (npm run build)`);
  const files = listFiles(dist);
  const tree: Zippable = {};
  let inputBytes = 0;
  for (const path of files) {
    const bytes = readFileSync(join(dist, path));
    inputBytes += statSync(join(dist, path)).size;
    // Already-compressed formats are stored; everything else deflated.
    const level = /\.(png|jpe?g|gif|webp|woff2?|zip|gz)$/i.test(path) ? 0 : 6;
    tree[`${folder}/${path}`] = [bytes, {level, mtime: MTIME}];
  }
  if (!files.includes("README.txt"))
    tree[`${folder}/README.txt`] = [new TextEncoder().encode(README), {level: 6, mtime: MTIME}];
  const zipped = zipSync(tree);
  writeFileSync(file, zipped);
  return {file, files: Object.keys(tree).length, bytes: zipped.length, inputBytes};
}
