/**
 * A static server for a built site (module scripts need HTTP). serve-static does ranges (DuckDB-wasm reads Parquet
 * by range), clean URLs and the rest; ours refuses symlinks leading out of the site and serves 404.html.
 */
import {existsSync, readFileSync, realpathSync, statSync} from "node:fs";
import {createServer, type IncomingMessage, type Server, type ServerResponse} from "node:http";
import {join, normalize, relative, resolve, isAbsolute} from "node:path";
import serveStatic from "serve-static";

/**
 * Whether the file a URL path names (as serve-static will look it up:
 * the path, then with .html, then its index.html) lies inside root once
 * symbolic links are followed. A missing file is inside: serve-static
 * answers it with 404.
 */
function staysInside(realRoot: string, root: string, urlPath: string): boolean {
  let path: string;
  try {
    path = decodeURIComponent(urlPath.split("?")[0].split("#")[0]);
  } catch {
    return false;
  }
  const full = normalize(join(root, path));
  const candidates = path.endsWith("/") ? [join(full, "index.html")] : [full, `${full}.html`, join(full, "index.html")];
  for (const candidate of candidates) {
    let real: string;
    try {
      real = realpathSync(candidate);
      if (!statSync(real).isFile()) continue;
    } catch {
      continue;
    }
    const inside = relative(realRoot, real);
    return !inside.startsWith("..") && !isAbsolute(inside);
  }
  return true;
}

/**
 * A suffix range longer than the file (`bytes=-524288` for a 10 kB Parquet
 * file, which DuckDB-wasm and hyparquet ask for to read a footer) selects the
 * whole file (RFC 9110 §14.1.3); send answers it 416 instead, so it is asked
 * for the whole file.
 */
function wholeForLongSuffix(req: IncomingMessage, root: string): void {
  const suffix = /^bytes=-(\d+)$/.exec(req.headers.range ?? "");
  if (!suffix) return;
  try {
    const path = normalize(join(root, decodeURIComponent((req.url ?? "/").split("?")[0].split("#")[0])));
    const stat = statSync(path);
    if (stat.isFile() && Number(suffix[1]) > stat.size) req.headers.range = "bytes=0-";
  } catch {
    // Not a file (a clean URL, a missing file): serve-static decides.
  }
}

export function createStaticServer(dir: string): Server {
  const root = resolve(dir);
  const realRoot = realpathSync(root);
  const files = serveStatic(root, {
    extensions: ["html"],
    index: ["index.html"],
    dotfiles: "ignore",
    fallthrough: true,
    redirect: true,
    setHeaders: (res) => res.setHeader("cache-control", "no-cache")
  });
  const notFound = (res: ServerResponse, method: string | undefined) => {
    const page = join(root, "404.html");
    res.writeHead(404, {"content-type": "text/html; charset=utf-8"});
    res.end(method === "GET" && existsSync(page) ? readFileSync(page) : "not found\n");
  };
  return createServer((req: IncomingMessage, res: ServerResponse) => {
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.writeHead(405, {allow: "GET, HEAD"}).end();
      return;
    }
    if (!staysInside(realRoot, root, req.url ?? "/")) return notFound(res, req.method);
    wholeForLongSuffix(req, root);
    files(req, res, (error?: unknown) => {
      // send's errors (a file removed while it was being opened, a bad range) are HTTP answers, never a crash.
      const status = (error as {status?: number} | undefined)?.status;
      if (status && status !== 404 && !res.headersSent) res.writeHead(status).end();
      else if (!res.headersSent) notFound(res, req.method);
      else res.destroy();
    });
  });
}
