import {existsSync, readFileSync} from "node:fs";

// `benchbook export` (run by `npm run build`) writes the manifest; without it
// the site still builds, with no per-source pages.
const manifestPath = "src/data/manifest.json";
const manifest: {inputs: string[]; run_ids?: string[]} = existsSync(manifestPath) ? JSON.parse(readFileSync(manifestPath, "utf8")) : {inputs: []};

export default {
  root: "src",
  title: "benchbook",
  // Offline: no Google Fonts link, no CDN. Client libraries are bare imports from node_modules.
  globalStylesheets: [],
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
    {name: "Hardware", path: "/hardware"},
    {name: "Serving", path: "/serving"},
    {name: "Speculative decoding", path: "/speculative"},
    {name: "Explorer", path: "/explorer"}
  ],
  dynamicPaths: [...manifest.inputs.map((sha) => `/sources/${sha}`), ...(manifest.run_ids ?? []).map((id) => `/runs/${id}`)],
  toc: true,
  search: false
};
