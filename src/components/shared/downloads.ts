/** Every chart as SVG or PNG, every table as CSV or Markdown, made in the browser from what is on the page. */
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

export interface FigureText {
  title?: string;
  subtitle?: string;
  /** The line under the chart: where the numbers come from. */
  source?: string;
}

const XMLNS = "http://www.w3.org/2000/svg";
const escapeXml = (t: string) =>
  t.replace(/[&<>"]/g, (c) => ({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;"})[c]!);

/** The legend entries Plot drew as HTML swatches beside the chart: label and colour. */
function legendEntries(chart: Element): {label: string; color: string}[] {
  return [...chart.querySelectorAll("[class$='-swatch']")].map((swatch) => {
    const mark = swatch.querySelector("rect, circle, line, path");
    return {
      label: swatch.textContent?.trim() ?? "",
      color: mark?.getAttribute("fill") ?? mark?.getAttribute("stroke") ?? "currentColor"
    };
  });
}

/**
 * The chart as a standalone SVG document fit for a post: title, subtitle and legend above the
 * plot (whose axis labels carry the units), the source line below.
 */
export function svgText(chart: Element, text: FigureText = {}): string {
  const svg = mainSvg(chart);
  const box = svg.getBoundingClientRect();
  const width = Number(svg.getAttribute("width")) || box.width;
  const height = Number(svg.getAttribute("height")) || box.height;
  const copy = svg.cloneNode(true) as SVGSVGElement;
  copy.setAttribute("xmlns", XMLNS);
  copy.setAttribute("width", String(width));
  copy.setAttribute("height", String(height));
  // currentColor resolves against the page's text color; pin it so the file looks the same anywhere.
  const ink = getComputedStyle(svg).color || "black";
  copy.setAttribute("color", ink);
  const lines: string[] = [];
  let y = 8;
  const line = (content: string, size: number, weight = "normal", opacity = 1) => {
    y += size + 4;
    lines.push(
      `<text x="8" y="${y}" font-size="${size}" font-weight="${weight}" fill="${ink}" fill-opacity="${opacity}">${escapeXml(content)}</text>`
    );
  };
  if (text.title) line(text.title, 15, "bold");
  if (text.subtitle) line(text.subtitle, 11, "normal", 0.75);
  const legend = legendEntries(chart);
  if (legend.length) {
    y += 6;
    let x = 8;
    for (const {label, color} of legend) {
      const w = 16 + label.length * 6;
      if (x + w > width && x > 8) {
        x = 8;
        y += 14;
      }
      lines.push(
        `<rect x="${x}" y="${y}" width="10" height="10" fill="${escapeXml(color)}"/><text x="${x + 14}" y="${y + 9}" font-size="10" fill="${ink}">${escapeXml(label)}</text>`
      );
      x += w + 10;
    }
    y += 14;
  }
  const top = y + 6;
  const source = text.source ?? `Source: benchbook · ${location.href.split("#")[0]}`;
  const total = top + height + 22;
  copy.setAttribute("x", "0");
  copy.setAttribute("y", String(top));
  const body = new XMLSerializer().serializeToString(copy);
  return `<?xml version="1.0" encoding="UTF-8"?>
<svg xmlns="${XMLNS}" width="${width}" height="${total}" viewBox="0 0 ${width} ${total}" font-family="system-ui, sans-serif" color="${ink}">
<rect width="100%" height="100%" fill="${getComputedStyle(document.body).backgroundColor || "white"}"/>
${lines.join("\n")}
${body}
<text x="8" y="${total - 7}" font-size="9" fill="${ink}" fill-opacity="0.6">${escapeXml(source)}</text>
</svg>`;
}

/** The standalone SVG (svgText) drawn at `scale`× into a PNG. */
export async function pngBlob(chart: Element, scale = 2, text: FigureText = {}): Promise<Blob> {
  const doc = svgText(chart, text);
  const [, w, h] = /width="([\d.]+)" height="([\d.]+)"/.exec(doc.slice(doc.indexOf("<svg")))!.map(Number);
  const image = new Image();
  image.src = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(doc)}`;
  await image.decode();
  const canvas = document.createElement("canvas");
  canvas.width = Math.ceil(w * scale);
  canvas.height = Math.ceil(h * scale);
  const context = canvas.getContext("2d")!;
  context.drawImage(image, 0, 0, canvas.width, canvas.height);
  return new Promise((ok, fail) =>
    canvas.toBlob((blob) => (blob ? ok(blob) : fail(new Error("PNG encoding failed"))), "image/png")
  );
}

/**
 * A chart with its title and subtitle (the chart's `data-subtitle` unless given), and "SVG" /
 * "PNG" download buttons under it; the files carry title, subtitle, legend and source line.
 */
export function chartFigure(
  chart: Element,
  {
    title,
    subtitle,
    caption,
    source,
    filename
  }: {title?: string; subtitle?: string; caption?: string; source?: string; filename: string}
): HTMLElement {
  const svgButton = html`<button type="button" class="bb-download" data-format="svg">SVG</button>` as HTMLButtonElement;
  const pngButton = html`<button type="button" class="bb-download" data-format="png">PNG</button>` as HTMLButtonElement;
  const sub = subtitle ?? (chart as HTMLElement).dataset?.subtitle ?? mainSvgOrNull(chart)?.dataset.subtitle;
  const text = {title, subtitle: sub, source};
  svgButton.onclick = () => save(new Blob([svgText(chart, text)], {type: "image/svg+xml"}), `${filename}.svg`);
  pngButton.onclick = async () => save(await pngBlob(chart, 2, text), `${filename}.png`);
  return html`<figure class="bb-figure">
    ${title ? html`<h3>${title}</h3>` : ""}
    ${sub ? html`<p class="bb-subtitle">${sub}</p>` : ""}
    ${chart}
    <figcaption>${caption ?? ""}<span class="bb-downloads">Download ${svgButton} ${pngButton}</span></figcaption>
  </figure>` as HTMLElement;
}

function mainSvgOrNull(chart: Element): SVGSVGElement | null {
  return chart instanceof SVGSVGElement ? chart : chart.querySelector("svg:not([class$='-swatch'] svg)");
}

/** A GitHub/Reddit/Discourse-style pipe table; cell text has pipes escaped. */
export function markdownTable(
  rows: Record<string, Cell>[],
  columns: string[],
  header: Record<string, string> = {}
): string {
  const text = (v: Cell) =>
    (v === null || v === undefined ? "" : String(v)).replace(/\|/g, "\\|").replace(/\r?\n/g, " ");
  const numeric = columns.map(
    (c) => rows.length > 0 && rows.every((r) => r[c] === null || r[c] === undefined || typeof r[c] === "number")
  );
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
export function tableDownloads(
  rows: Record<string, Cell>[],
  {columns, header = {}, filename}: {columns: string[]; header?: Record<string, string>; filename: string}
): HTMLElement {
  const csv = html`<button type="button" class="bb-download" data-format="csv">CSV</button>` as HTMLButtonElement;
  const md = html`<button type="button" class="bb-download" data-format="md">Markdown</button>` as HTMLButtonElement;
  const copy =
    html`<button type="button" class="bb-download" data-format="copy">Copy Markdown</button>` as HTMLButtonElement;
  csv.onclick = () => save(new Blob([csvText(rows, columns)], {type: "text/csv"}), `${filename}.csv`);
  md.onclick = () => save(new Blob([markdownTable(rows, columns, header)], {type: "text/markdown"}), `${filename}.md`);
  copy.onclick = async () => {
    await navigator.clipboard?.writeText(markdownTable(rows, columns, header));
    copy.textContent = "Copied";
    setTimeout(() => (copy.textContent = "Copy Markdown"), 1500);
  };
  return html`<div class="bb-downloads">Table: ${csv} ${md} ${copy}</div>` as HTMLElement;
}
