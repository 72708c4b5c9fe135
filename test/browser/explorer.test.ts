/**
 * The explorer page: DuckDB-wasm from node_modules, offline (every non-local
 * request blocked and failing the test), loaded only on that page, reading
 * results.duckdb (the export's copy of results.parquet). Queries typed into
 * it must return what @duckdb/node-api returns on the same results.parquet
 * the site ships.
 */
import assert from "node:assert/strict";
import {readdirSync, readFileSync} from "node:fs";
import {join} from "node:path";
import {after, before, describe, it} from "node:test";
import {DuckDBInstance} from "@duckdb/node-api";
import {csvParse} from "d3-dsv";
import type {Browser, Page} from "playwright-core";
import {COLUMNS} from "../../scripts/schema/row.js";
import {EXAMPLE_QUERIES} from "../../src/components/pages/explorer.js";
import {cellErrors, openPage, settle, type Served} from "../helpers/browser.js";
import {servedSite, type ServedSite} from "../helpers/site.js";
import {servingStore} from "./serving-store.js";

let browser: Browser;
let site: Served;
let dist: string;
let parquet: string;

let served: ServedSite;
before(async () => {
  ({browser, site} = served = await servedSite(servingStore()));
  dist = served.project.dist;
  // The Parquet file the built site serves (content-hashed name).
  const files = join(dist, "_file", "data");
  parquet = join(
    files,
    readdirSync(files).find((f) => /^results\.[0-9a-f]+\.parquet$/.test(f))!
  );
});
after(() => served?.close());

/** What DuckDB in Node says, with the site's Parquet file as table `results`. */
async function nodeQuery(sql: string): Promise<Record<string, unknown>[]> {
  const instance = await DuckDBInstance.create(":memory:");
  const connection = await instance.connect();
  try {
    await connection.run(`CREATE VIEW results AS SELECT * FROM read_parquet('${parquet.replace(/'/g, "''")}')`);
    return (await connection.runAndReadAll(sql)).getRowObjectsJS() as Record<string, unknown>[];
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

async function openExplorer(): Promise<Page> {
  const {page, problems} = await openPage(browser, site.url + "explorer.html");
  await page.waitForSelector(".bb-sql-count, .bb-sql-error", {timeout: 60_000});
  assert.deepEqual(problems, {consoleErrors: [], pageErrors: [], externalRequests: [], failedRequests: []});
  assert.deepEqual(await cellErrors(page), []);
  return page;
}

/** Do `action`, then wait until the result shown before it is replaced by a new one. */
async function replaced(page: Page, action: () => Promise<void>): Promise<void> {
  const old = await page.locator(".bb-sql-count, .bb-sql-error").first().elementHandle();
  await action();
  await page.waitForFunction((node) => !node!.isConnected, old);
  await page.waitForSelector(".bb-sql-count, .bb-sql-error");
}

async function run(page: Page, sql: string): Promise<void> {
  await replaced(page, async () => {
    await page.fill(".bb-sql textarea", sql);
    await page.click(".bb-sql button[type=submit]");
  });
}

const shownCount = async (page: Page) =>
  Number(/^(\d+) rows?$/.exec((await page.locator(".bb-sql-count").textContent())!)![1]);

async function download(page: Page, format: string): Promise<string> {
  const [file] = await Promise.all([
    page.waitForEvent("download"),
    page.click(`div.bb-downloads button[data-format=${format}]`)
  ]);
  return readFileSync((await file.path())!, "utf8");
}

describe("explorer", () => {
  it("loads every result into DuckDB offline", async () => {
    const page = await openExplorer();
    const [{n}] = await nodeQuery("SELECT count(*)::INTEGER AS n FROM results");
    assert.ok((n as number) > 100);
    assert.equal(await page.locator(".bb-explorer-status").textContent(), `DuckDB ready: ${n} rows in table results.`);
    await page.close();
  });

  it("answers from results.duckdb what node-api reads in results.parquet, for every column", async () => {
    const requested: {url: string; range: string | undefined}[] = [];
    const {page, problems} = await openPage(browser, "about:blank");
    page.on("request", (request) => requested.push({url: request.url(), range: request.headers().range}));
    await page.goto(site.url + "explorer.html");
    await page.waitForSelector(".bb-sql-count", {timeout: 60_000});
    await settle(page);
    // One row per column: how many values, how many distinct, and what they add up to (text: its length and an
    // MD5 of its sorted values; samples: their count and sum), as DuckDB computes them on either side.
    const sql = COLUMNS.map(({name, type}) => {
      const c = `"${name}"`;
      const [total, lo, hi, digest] =
        type === "VARCHAR"
          ? [`sum(strlen(${c}))`, "NULL", "NULL", `md5(string_agg(${c}, chr(31) ORDER BY ${c}))`]
          : type === "DOUBLE[]"
            ? [`sum(list_sum(${c}))`, `sum(len(${c}))`, "NULL", "NULL"]
            : [`sum(${c})`, `min(${c})`, `max(${c})`, "NULL"];
      return `SELECT '${name}' AS col, count(${c})::INTEGER AS n, count(DISTINCT ${c})::INTEGER AS distinct_n, (${total})::DOUBLE AS total, (${lo})::DOUBLE AS lo, (${hi})::DOUBLE AS hi, (${digest})::VARCHAR AS digest FROM results`;
    }).join("\nUNION ALL ");
    await run(page, sql);
    assert.equal(await shownCount(page), COLUMNS.length);
    const expected = await nodeQuery(sql);
    const shown = csvParse(await download(page, "csv"));
    assert.equal(shown.length, COLUMNS.length);
    const byColumn = new Map(shown.map((r) => [r.col, r]));
    const number = (v: string | undefined) => (v === "" || v === undefined ? null : Number(v));
    for (const e of expected) {
      const r = byColumn.get(e.col as string)!;
      assert.ok(r, `${e.col as string} shown`);
      assert.deepEqual(
        [number(r.n), number(r.distinct_n), number(r.lo), number(r.hi), r.digest || null],
        [e.n, e.distinct_n, e.lo, e.hi, e.digest],
        e.col as string
      );
      // Sums of doubles may be added in another order: equal to the last few bits.
      const total = e.total as number | null;
      if (total === null) assert.equal(number(r.total), null, e.col as string);
      else assert.ok(Math.abs(number(r.total)! - total) <= 1e-12 * Math.abs(total), `${e.col as string} total`);
    }
    assert.ok(expected.some((e) => e.col === "value" && (e.n as number) > 100));
    // The page read the database by range requests, and never the Parquet file.
    const database = requested.filter((r) => /\/results\.[0-9a-f]+\.duckdb$/.test(r.url));
    assert.ok(database.length > 0, "results.duckdb requested");
    assert.ok(
      database.some((r) => r.range),
      "with range requests"
    );
    assert.deepEqual(
      requested.filter((r) => /\.parquet$/.test(r.url)).map((r) => r.url),
      []
    );
    assert.deepEqual(problems, {consoleErrors: [], pageErrors: [], externalRequests: [], failedRequests: []});
    await page.close();
  });

  it("a typed query returns the rows @duckdb/node-api returns on the same Parquet, and downloads them", async () => {
    const page = await openExplorer();
    const sql =
      "SELECT metric, unit, count(*)::INTEGER AS n, sum(value) AS total FROM results WHERE status = 'ok' AND value IS NOT NULL GROUP BY metric, unit ORDER BY metric, unit";
    await run(page, sql);
    const expected = await nodeQuery(sql);
    assert.equal(await shownCount(page), expected.length);
    const csv = csvParse(await download(page, "csv"));
    assert.deepEqual(csv.columns, ["metric", "unit", "n", "total"]);
    assert.deepEqual(
      csv.map((r) => [r.metric, r.unit, Number(r.n)]),
      expected.map((r) => [r.metric, r.unit, r.n])
    );
    csv.forEach((r, i) =>
      assert.ok(
        Math.abs(Number(r.total) - (expected[i].total as number)) <= 1e-9 * Math.abs(expected[i].total as number),
        `${r.metric} total`
      )
    );
    const md = (await download(page, "md")).trim().split("\n");
    assert.equal(md.length, expected.length + 2);
    assert.equal(md[0], "| metric | unit | n | total |");
    await page.close();
  });

  it("runs every example query with the row count node-api gives", async () => {
    const page = await openExplorer();
    for (const example of EXAMPLE_QUERIES) {
      await replaced(page, () => page.click(`.bb-sql-examples button[data-example="${example.label}"]`));
      assert.equal(await page.inputValue(".bb-sql textarea"), example.sql);
      assert.equal(await shownCount(page), (await nodeQuery(example.sql)).length, example.label);
    }
    await page.close();
  });

  it("shows a bad query's error without breaking the page", async () => {
    const {page, problems} = await openPage(browser, site.url + "explorer.html");
    await page.waitForSelector(".bb-sql-count", {timeout: 60_000});
    await run(page, "SELECT no_such_column FROM results");
    assert.match((await page.locator(".bb-sql-error").textContent())!, /no_such_column/);
    assert.deepEqual([...problems.externalRequests, ...problems.failedRequests, ...problems.pageErrors], []);
    await run(page, "SELECT count(*) AS n FROM results");
    assert.equal(await shownCount(page), 1);
    await page.close();
  });

  it("is the only page that loads DuckDB", async () => {
    const wasm = readdirSync(join(dist, "_node", "@duckdb", "duckdb-wasm@1.32.0", "dist"));
    assert.deepEqual(
      wasm.filter((f) => f.endsWith(".wasm")),
      ["duckdb-eh.wasm"],
      "one wasm bundle (eh) in dist"
    );
    for (const path of ["index.html", "serving.html", "speculative.html"]) {
      const {page} = await openPage(browser, site.url + path);
      const requested = await page.evaluate(() => performance.getEntriesByType("resource").map((e) => e.name));
      assert.ok(
        !requested.some((url) => /duckdb/i.test(url)),
        `${path} requested ${requested.filter((u) => /duckdb/i.test(u)).join(", ")}`
      );
      assert.ok(!readFileSync(join(dist, path), "utf8").includes("duckdb"), `${path} preloads nothing of DuckDB`);
      await page.close();
    }
  });
});
