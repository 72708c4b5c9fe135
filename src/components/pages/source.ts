/** A raw input as imported, one anchored row per physical line: where every number on the site links to. */
import {html} from "htl";
import type {RunSummary} from "../shared/data.js";

export function sourceView(text: string, runs: Pick<RunSummary, "line_start" | "line_end">[]): HTMLTableElement {
  const lines = text.replace(/^\uFEFF/, "").split(/\r\n|\n|\r/);
  if (lines.length > 1 && lines[lines.length - 1] === "") lines.pop();
  const inBlock = (n: number) => runs.some((r) => n >= r.line_start && n <= r.line_end);
  const table = document.createElement("table");
  table.className = "raw-source";
  const body = document.createElement("tbody");
  lines.forEach((line, i) => {
    const n = i + 1;
    const tr = document.createElement("tr");
    tr.id = `L${n}`;
    if (inBlock(n)) tr.className = "in-block";
    const ln = document.createElement("td");
    ln.className = "ln";
    const a = document.createElement("a");
    a.href = `#L${n}`;
    a.textContent = String(n);
    ln.append(a);
    const code = document.createElement("td");
    code.className = "code";
    code.textContent = line; // text, never HTML: raw inputs are untrusted
    tr.append(ln, code);
    body.append(tr);
  });
  table.append(body);
  return table;
}

/** The runs read from one input, each linked to its line range. */
export function sourceRuns(runs: RunSummary[]): HTMLElement {
  return html`<ul>${runs.map(
    (r) =>
      html`<li><a href=${`#L${r.line_start}`}>lines ${r.line_start}–${r.line_end}</a>: ${r.tool} (${r.format}), ${r.models.join(", ") || "model not stated"}, ${r.hardware ?? "hardware not stated"}, ${r.results} values</li>`
  )}</ul>` as HTMLElement;
}

/**
 * Highlight the line named in the URL hash and scroll it into view once the table exists (it is
 * drawn after the page loads, too late for CSS :target), and again whenever the hash changes.
 */
export function revealHashLine(): void {
  const reveal = (tries = 120) => {
    const id = decodeURIComponent(location.hash.slice(1));
    if (!id) return;
    const row = document.getElementById(id);
    if (!row) {
      if (tries > 0) requestAnimationFrame(() => reveal(tries - 1));
      return;
    }
    for (const old of document.querySelectorAll(".raw-source tr.bb-target")) old.classList.remove("bb-target");
    row.classList.add("bb-target");
    row.scrollIntoView({block: "center"});
  };
  reveal();
  addEventListener("hashchange", () => reveal());
}
