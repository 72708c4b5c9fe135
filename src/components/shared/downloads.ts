/**
 * Publishing helpers: every chart can be saved as SVG or PNG, every table as
 * CSV or as a Markdown table ready to paste into a forum post. Everything is
 * made in the browser from what is on the page: no server, no network.
 *
 * @example
 *   display(chartFigure(decayPlot(points), {title: "Generation vs depth", filename: "tg-decay"}));
 *   display(tableDownloads(rows, {columns: ["model", "test", "value"], filename: "tg-decay"}));
 */
import {html} from "htl";
import {csvFormat} from "d3-dsv";

type Cell = string | number | boolean | null | undefined;

function save(blob: Blob, filename: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement("a");
  a.href = url;
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** The plot itself: Plot wraps a chart with a legend in a <figure> whose swatches are small <svg>s too. */
function mainSvg(chart: Element): SVGSVGElement {
  if (chart instanceof SVGSVGElement) return chart;
  const area = (svg: SVGSVGElement) => svg.getBoundingClientRect().width * svg.getBoundingClientRect().height;
  const svg = [...chart.querySelectorAll("svg")].sort((a, b) => area(b) - area(a))[0];
  if (!svg) throw new Error("no <svg> in this chart");
  return svg;
}

/** The chart's <svg> as a standalone document. */
export function svgText(chart: Element): string {
  const svg = mainSvg(chart);
  const copy = svg.cloneNode(true) as SVGSVGElement;
  copy.setAttribute("xmlns", "http://www.w3.org/2000/svg");
  // currentColor resolves against the page's text color; pin it so the file looks the same anywhere.
  copy.setAttribute("color", getComputedStyle(svg).color || "black");
  if (!copy.getAttribute("width")) copy.setAttribute("width", String(svg.getBoundingClientRect().width));
  if (!copy.getAttribute("height")) copy.setAttribute("height", String(svg.getBoundingClientRect().height));
  return `<?xml version="1.0" encoding="UTF-8"?>\n${new XMLSerializer().serializeToString(copy)}`;
}

export async function pngBlob(chart: Element, scale = 2): Promise<Blob> {
  const text = svgText(chart);
  const {width, height} = mainSvg(chart).getBoundingClientRect();
  const image = new Image();
  image.src = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(text)}`;
  await image.decode();
  const canvas = document.createElement("canvas");
  canvas.width = Math.ceil(width * scale);
  canvas.height = Math.ceil(height * scale);
  const context = canvas.getContext("2d")!;
  context.fillStyle = getComputedStyle(document.body).backgroundColor || "white";
  context.fillRect(0, 0, canvas.width, canvas.height);
  context.drawImage(image, 0, 0, canvas.width, canvas.height);
  return new Promise((ok, fail) => canvas.toBlob((blob) => (blob ? ok(blob) : fail(new Error("PNG encoding failed"))), "image/png"));
}

/** A chart with a title and "SVG" / "PNG" download buttons under it. */
export function chartFigure(chart: Element, {title, caption, filename}: {title?: string; caption?: string; filename: string}): HTMLElement {
  const svgButton = html`<button type="button" class="bb-download" data-format="svg">SVG</button>` as HTMLButtonElement;
  const pngButton = html`<button type="button" class="bb-download" data-format="png">PNG</button>` as HTMLButtonElement;
  svgButton.onclick = () => save(new Blob([svgText(chart)], {type: "image/svg+xml"}), `${filename}.svg`);
  pngButton.onclick = async () => save(await pngBlob(chart), `${filename}.png`);
  return html`<figure class="bb-figure">
    ${title ? html`<h3>${title}</h3>` : ""}
    ${chart}
    <figcaption>${caption ?? ""}<span class="bb-downloads">Download ${svgButton} ${pngButton}</span></figcaption>
  </figure>` as HTMLElement;
}

/** A GitHub/Reddit/Discourse-style pipe table; cell text has pipes escaped. */
export function markdownTable(rows: Record<string, Cell>[], columns: string[], header: Record<string, string> = {}): string {
  const text = (v: Cell) => (v === null || v === undefined ? "" : String(v)).replace(/\|/g, "\\|").replace(/\r?\n/g, " ");
  const numeric = columns.map((c) => rows.length > 0 && rows.every((r) => r[c] === null || r[c] === undefined || typeof r[c] === "number"));
  const lines = [
    `| ${columns.map((c) => text(header[c] ?? c)).join(" | ")} |`,
    `| ${numeric.map((n) => (n ? "---:" : "---")).join(" | ")} |`,
    ...rows.map((r) => `| ${columns.map((c) => text(r[c])).join(" | ")} |`)
  ];
  return lines.join("\n") + "\n";
}

export function csvText(rows: Record<string, Cell>[], columns: string[]): string {
  return csvFormat(rows as Record<string, string>[], columns) + "\n";
}

/** "CSV" and "Markdown" download buttons, and a "Copy Markdown" button, for the rows behind a table. */
export function tableDownloads(rows: Record<string, Cell>[], {columns, header = {}, filename}: {columns: string[]; header?: Record<string, string>; filename: string}): HTMLElement {
  const csv = html`<button type="button" class="bb-download" data-format="csv">CSV</button>` as HTMLButtonElement;
  const md = html`<button type="button" class="bb-download" data-format="md">Markdown</button>` as HTMLButtonElement;
  const copy = html`<button type="button" class="bb-download" data-format="copy">Copy Markdown</button>` as HTMLButtonElement;
  csv.onclick = () => save(new Blob([csvText(rows, columns)], {type: "text/csv"}), `${filename}.csv`);
  md.onclick = () => save(new Blob([markdownTable(rows, columns, header)], {type: "text/markdown"}), `${filename}.md`);
  copy.onclick = async () => {
    await navigator.clipboard?.writeText(markdownTable(rows, columns, header));
    copy.textContent = "Copied";
    setTimeout(() => (copy.textContent = "Copy Markdown"), 1500);
  };
  return html`<div class="bb-downloads">Table: ${csv} ${md} ${copy}</div>` as HTMLElement;
}
