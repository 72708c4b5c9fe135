import {existsSync, readdirSync, readFileSync} from "node:fs";

// `benchbook export` (run by `npm run build`) writes the manifest; without it
// the site still builds, with no per-source pages.
const manifestPath = "src/data/manifest.json";
const manifest: {inputs: string[]; writeups?: string[]; run_ids?: string[]} = existsSync(manifestPath)
  ? JSON.parse(readFileSync(manifestPath, "utf8"))
  : {inputs: []};

/** Raw-input pages: every input, then every writeup a hand-entered file attached. */
const sourcePages = [...manifest.inputs, ...(manifest.writeups ?? [])];

// Reports: every src/reports/*.md, in the sidebar under "Reports", named by
// its front matter title (`benchbook new-report` writes one). No hand-editing.
const reportsDir = "src/reports";
const reports = existsSync(reportsDir)
  ? readdirSync(reportsDir)
      .filter((f) => f.endsWith(".md") && f !== "index.md")
      .sort()
      .map((f) => {
        const front = /^---\r?\n([\s\S]*?)\r?\n---/.exec(readFileSync(`${reportsDir}/${f}`, "utf8"))?.[1] ?? "";
        const title = /^title:\s*(.+?)\s*$/m.exec(front)?.[1]?.replace(/^(["'])(.*)\1$/, "$2");
        return {name: title ?? f.slice(0, -3), path: `/reports/${f.slice(0, -3)}`};
      })
  : [];

export default {
  root: "src",
  title: "benchbook",
  // Offline: no Google Fonts link, no CDN. Client libraries are bare imports from node_modules.
  globalStylesheets: [],
  // No favicon file: an empty icon keeps browsers from asking the server for /favicon.ico (a 404 in every new visitor's console).
  head: '<link rel="icon" href="data:,">',
  style: "style.css",
  // Links end in .html, so any static server (or `benchbook serve`) can host the site.
  preserveExtension: true,
  // A fixed footer keeps two builds of the same data byte-identical.
  footer: "Built with benchbook from the data in this repository.",
  pages: [
    {name: "Overview", path: "/"},
    {name: "Context decay", path: "/context-decay"},
    {name: "Runtimes", path: "/runtimes"},
    {name: "Quantizations", path: "/quantizations"},
    {name: "Multi-GPU", path: "/multi-gpu"},
    {name: "Tuning", path: "/tuning"},
    {name: "History", path: "/history"},
    {name: "Hardware", path: "/hardware"},
    {name: "Serving", path: "/serving"},
    {name: "Speculative decoding", path: "/speculative"},
    {name: "Explorer", path: "/explorer"},
    ...(reports.length ? [{name: "Reports", open: true, pages: reports}] : [])
  ],
  // Writeups that hand-entered files attached get a raw-input page too: their values link to its lines.
  // `benchbook build` has Framework render the first page of each route and writes the others from it (scripts/site/expand-pages.ts).
  dynamicPaths: [
    sourcePages.map((sha) => `/sources/${sha}`),
    (manifest.run_ids ?? []).map((id) => `/runs/${id}`)
  ].flatMap((paths) => (process.env.BENCHBOOK_EXPAND_PAGES ? paths.slice(0, 1) : paths)),
  // A Markdown table (a report's) wider than the column scrolls sideways in its own box (.bb-table-scroll)
  // instead of running under the table of contents.
  markdownIt: (md: any) => {
    const render = (tokens: any[], i: number, options: unknown, _env: unknown, self: any) =>
      self.renderToken(tokens, i, options);
    md.renderer.rules.table_open = (...args: [any[], number, unknown, unknown, any]) =>
      `<div class="bb-table-scroll">${render(...args)}`;
    md.renderer.rules.table_close = (...args: [any[], number, unknown, unknown, any]) => `${render(...args)}</div>`;
    return md;
  },
  toc: true,
  search: false
};
