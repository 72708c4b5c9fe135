/**
 * A report whose claims resolve to nothing fails the build: every built report is opened in
 * Chromium, and each cell that failed (a `pick` matching no row, a fact the run lacks) is named by
 * its report file and line. Cells are found by the ids Framework gives them: the first 8 hex digits
 * of the sha256 of their source, in document order (Framework's markdown.js, uniqueCodeId).
 */
import {createHash} from "node:crypto";
import {existsSync, readdirSync, readFileSync} from "node:fs";
import {join} from "node:path";

export interface CellFailure {
  /** The report, relative to the project root (`src/reports/x.md`). */
  file: string;
  line: number;
  message: string;
}

/** The end of an inline `${…}` expression starting at `start` (just after `${`), by brace depth outside strings. */
function expressionEnd(text: string, start: number): number {
  let depth = 1;
  let quote: string | null = null;
  for (let i = start; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === "\\") i++;
      else if (c === quote) quote = null;
      continue;
    }
    if (c === '"' || c === "'" || c === "`") quote = c;
    else if (c === "{") depth++;
    else if (c === "}" && --depth === 0) return i;
  }
  return -1;
}

/** Each JavaScript cell of a Framework page (fenced ```js blocks and inline `${…}`) → the line it starts on. */
function cellLines(markdown: string): Map<string, number> {
  const ids = new Map<string, number>();
  const add = (source: string, line: number) => {
    const hash = createHash("sha256").update(source).digest("hex").slice(0, 8);
    let id = hash;
    for (let n = 1; ids.has(id); n++) id = `${hash}-${n}`;
    ids.set(id, line);
  };
  const lines = markdown.split("\n");
  let i = 0;
  if (lines[0] === "---") for (i = 1; i < lines.length && lines[i] !== "---"; i++);
  for (i = i ? i + 1 : 0; i < lines.length; i++) {
    const fence = /^(`{3,}|~{3,})\s*(\S*)/.exec(lines[i]);
    if (fence) {
      const start = i;
      const body: string[] = [];
      for (i++; i < lines.length && !lines[i].startsWith(fence[1]); i++) body.push(lines[i]);
      if (fence[2] === "js") add(body.map((l) => `${l}\n`).join(""), start + 2);
      continue;
    }
    // Inline expressions may span lines: search the rest of the text from this line on.
    let from = 0;
    for (;;) {
      const at = lines[i].indexOf("${", from);
      if (at < 0) break;
      const rest = lines.slice(i).join("\n");
      const end = expressionEnd(rest, at + 2);
      if (end < 0) break;
      add(rest.slice(at + 2, end), i + 1);
      const consumed = rest.slice(0, end + 1).split("\n");
      if (consumed.length > 1) {
        i += consumed.length - 1;
        from = consumed[consumed.length - 1].length;
      } else from = end + 1;
    }
  }
  return ids;
}

/**
 * Opens every built report (dist/reports/*.html) and returns its failed cells with their lines in
 * src/reports/*.md; one failure per distinct message (cells that only depend on a failed one
 * repeat its message).
 */
export async function checkReports(root: string): Promise<CellFailure[]> {
  const reports = join(root, "src/reports");
  if (!existsSync(reports)) return [];
  const names = readdirSync(reports).filter(
    (f) => f.endsWith(".md") && existsSync(join(root, "dist/reports", f.replace(/\.md$/, ".html")))
  );
  if (!names.length) return [];
  const {launch, openPage, serve} = await import("./browser.js");
  const site = await serve(join(root, "dist"));
  const browser = await launch();
  const failures: CellFailure[] = [];
  try {
    for (const name of names.sort()) {
      const {page} = await openPage(browser, `${site.url}reports/${name.replace(/\.md$/, ".html")}`);
      const errors = (await page.evaluate(`[...document.querySelectorAll(".observablehq--error")].map((el) => {
        for (let node = el; node; node = node.parentNode) {
          for (let next = node.nextSibling; next; next = next.nextSibling) {
            const id = next.nodeType === 8 ? /^:(.+):$/.exec(next.data)?.[1] : null;
            if (id) return {id, message: el.textContent.trim()};
          }
        }
        return {id: null, message: el.textContent.trim()};
      })`)) as {id: string | null; message: string}[];
      await page.close();
      const lines = cellLines(readFileSync(join(reports, name), "utf8"));
      const seen = new Set<string>();
      for (const {id, message} of errors) {
        if (seen.has(message)) continue;
        seen.add(message);
        failures.push({file: `src/reports/${name}`, line: (id && lines.get(id)) || 0, message});
      }
    }
  } finally {
    await browser.close();
    await site.close();
  }
  return failures;
}
