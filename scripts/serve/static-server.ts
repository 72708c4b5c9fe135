/**
 * A static file server for a built site, on loopback by default: a built
 * Framework site needs HTTP (browsers block module scripts from file://).
 * Supports clean URLs (/page → page.html), index pages, HEAD and byte
 * ranges (DuckDB-wasm reads Parquet with range requests).
 */
import {createReadStream, existsSync, statSync} from "node:fs";
import {createServer, type Server} from "node:http";
import {extname, join, normalize, resolve, sep} from "node:path";

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".txt": "text/plain; charset=utf-8",
  ".csv": "text/csv; charset=utf-8",
  ".parquet": "application/vnd.apache.parquet",
  ".wasm": "application/wasm",
  ".woff2": "font/woff2",
  ".zip": "application/zip"
};

/** The file a URL path names inside root, or null (outside root, or missing). */
export function resolveFile(root: string, urlPath: string): string | null {
  let path: string;
  try {
    path = decodeURIComponent(urlPath.split("?")[0].split("#")[0]);
  } catch {
    return null;
  }
  const full = normalize(join(root, path));
  if (full !== root && !full.startsWith(root.endsWith(sep) ? root : root + sep)) return null;
  const candidates = path.endsWith("/") ? [join(full, "index.html")] : [full, `${full}.html`, join(full, "index.html")];
  return candidates.find((c) => existsSync(c) && statSync(c).isFile()) ?? null;
}

export function createStaticServer(dir: string): Server {
  const root = resolve(dir);
  return createServer((req, res) => {
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.writeHead(405, {allow: "GET, HEAD"}).end();
      return;
    }
    const file = resolveFile(root, req.url ?? "/");
    if (!file) {
      const notFound = join(root, "404.html");
      res.writeHead(404, {"content-type": TYPES[".html"]});
      if (existsSync(notFound) && req.method === "GET") createReadStream(notFound).pipe(res);
      else res.end("not found\n");
      return;
    }
    const size = statSync(file).size;
    const headers: Record<string, string | number> = {"content-type": TYPES[extname(file)] ?? "application/octet-stream", "accept-ranges": "bytes", "cache-control": "no-cache"};
    const range = /^bytes=(\d*)-(\d*)$/.exec(req.headers.range ?? "");
    if (range && (range[1] || range[2])) {
      const start = range[1] ? Number(range[1]) : Math.max(0, size - Number(range[2]));
      const end = range[1] && range[2] ? Math.min(Number(range[2]), size - 1) : size - 1;
      if (start > end || start >= size) {
        res.writeHead(416, {"content-range": `bytes */${size}`}).end();
        return;
      }
      res.writeHead(206, {...headers, "content-range": `bytes ${start}-${end}/${size}`, "content-length": end - start + 1});
      if (req.method === "GET") createReadStream(file, {start, end}).pipe(res);
      else res.end();
      return;
    }
    res.writeHead(200, {...headers, "content-length": size});
    if (req.method === "GET") createReadStream(file).pipe(res);
    else res.end();
  });
}
