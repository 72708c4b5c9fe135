/**
 * One page per run (src/runs/[run].md), built from real serving outputs, logs,
 * hand-entered figures and a captured `benchbook bench` cell: provenance, the
 * settings with where each came from, the exact command, the environment of a
 * capture, every result, the raw lines with the value lines highlighted, and
 * how to reproduce — and the overview links every run to its page.
 */
import assert from "node:assert/strict";
import {existsSync, readFileSync} from "node:fs";
import {join} from "node:path";
import {after, before, describe, it} from "node:test";
import {csvParse} from "d3-dsv";
import type {Browser, Page} from "playwright-core";
import {llamaBenchExpected} from "../../scripts/bench/plan.js";
import type {Capture, CellOutcome} from "../../scripts/schema/capture.js";
import {importCapture} from "../../scripts/import/capture.js";
import type {Run} from "../../scripts/schema/schema.js";
import {cellErrors, openPage, serve, type Served} from "../helpers/browser.js";
import {fixturePath} from "../helpers/fixtures.js";
import {servedSite, type ServedSite} from "../helpers/site.js";
import {writeSyntheticJsonl} from "../../perf/synthetic.js";
import {importInputs} from "../../scripts/import/import.js";
import {tempDir} from "../helpers/cli.js";
import {servingStore} from "./serving-store.js";

const PLAN = "plan: cpu-smoke\nrunner: llama-bench\nmodels: [tiny.gguf]\ndepths: [0, 256]\n";

function captured(): CellOutcome {
  const capture: Capture = {
    benchbook_capture: 1,
    runner: "llama-bench",
    cell: {
      id: "c0ffee00c0ffee00",
      label: "tiny · d0,256",
      params: {model: "tiny.gguf", settings: {n_threads: 2}, depths: [0, 256]},
      expected: [...llamaBenchExpected([64], [16], [], 0), ...llamaBenchExpected([64], [16], [], 256)],
      tags: {}
    },
    plan: {name: "cpu-smoke.yaml", sha256: "ab".repeat(32)},
    command: [
      "llama-bench",
      "-m",
      "tiny.gguf",
      "-p",
      "64",
      "-n",
      "16",
      "-d",
      "0,256",
      "-r",
      "3",
      "-t",
      "2",
      "-o",
      "jsonl"
    ],
    env: {},
    started_at: "2026-11-22T02:18:24.000Z",
    ended_at: "2026-11-22T02:18:26.500Z",
    exit_code: 0,
    signal: null,
    status: "ok",
    status_detail: null,
    environment: {machine: {cpu: {model: "AMD EPYC 7B13"}}, runtime: {build_commit: "de3ff81", build_number: 1}},
    results_role: "stdout",
    results_format: "llama-bench-jsonl"
  };
  return {
    capture,
    files: [
      {
        role: "stdout",
        name: "c0ffee00c0ffee00.stdout.jsonl",
        bytes: readFileSync(fixturePath("captured/cpu/llama-bench-jsonl.stdout"))
      },
      {
        role: "stderr",
        name: "c0ffee00c0ffee00.stderr.txt",
        bytes: readFileSync(fixturePath("captured/cpu/llama-bench-jsonl.stderr"))
      }
    ]
  };
}

const store = servingStore();
const capture = importCapture(store, captured(), {plan: {name: "cpu-smoke.yaml", bytes: Buffer.from(PLAN)}});
// A long run (llama-bench JSONL, 60 records: 120 results), more than a run page embeds.
const [long] = writeSyntheticJsonl(tempDir("benchbook-long-run-"), 1, 60).files;
importInputs([{name: "long-run.jsonl", bytes: readFileSync(long)}], {store});
const inputs = [...store.readAll()];
const runs: Run[] = inputs.flatMap((i) => i.runs);
const runOf = (pred: (r: Run) => boolean) => runs.find(pred)!;

let browser: Browser;
let site: Served;
let dist: string;

let served: ServedSite;
before(async () => {
  ({browser, site} = served = await servedSite(store));
  dist = served.project.dist;
});
after(() => served?.close());

async function openRun(id: string): Promise<Page> {
  const {page, problems} = await openPage(browser, `${site.url}runs/${id}.html`);
  assert.deepEqual(problems, {consoleErrors: [], pageErrors: [], externalRequests: [], failedRequests: []}, id);
  assert.deepEqual(await cellErrors(page), [], `${id}: cells that failed`);
  return page;
}

/** The text of the facts table row named `key`. */
const fact = (page: Page, key: string) =>
  page
    .locator("table.bb-run-facts tr", {has: page.locator(`th:text-is("${key}")`)})
    .first()
    .locator("td")
    .textContent();

/** [setting, value, from] of the settings table (the first table after the Settings heading). */
const settingRows = (page: Page) =>
  page
    .locator("#settings ~ div table")
    .first()
    .locator("tbody tr")
    .evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll("td")].slice(1).map((td) => td.textContent ?? "")));

describe("run pages", () => {
  it("builds one page per run, and the overview links every run to it", async () => {
    assert.equal(capture.status, "imported");
    for (const run of runs) assert.ok(existsSync(join(dist, "runs", `${run.id}.html`)), run.id);
    const {page} = await openPage(browser, site.url + "index.html");
    // The overview's table shows 20 rows at a time; search narrows it to one run.
    for (const run of [runs[0], runs.at(-1)!]) {
      await page.fill("form input[type=search]", run.id);
      await page.waitForTimeout(300);
      assert.equal(await page.locator(`a[href="./runs/${run.id}.html"]`).count(), 1, run.id);
    }
    await page.close();
  });

  it("a vLLM serving run: provenance, every setting with its origin, both commands, every result, value lines highlighted", async () => {
    const run = runOf((r) => r.tool === "vllm-bench-serve" && r.source.name.startsWith("seeds/000"));
    const page = await openRun(run.id);
    assert.equal(await fact(page, "tool"), "vllm-bench-serve");
    assert.equal(await fact(page, "format"), run.format);
    const range = page.locator("table.bb-run-facts tr", {has: page.locator('th:text-is("raw input")')}).locator("a");
    assert.equal(await range.getAttribute("href"), `../sources/${run.source.sha256}.html#L${run.source.line_start}`);
    assert.equal(
      await fact(page, "tags"),
      Object.entries(run.tags)
        .map(([k, v]) => `${k}=${v}`)
        .join(" ")
    );

    const settings = await settingRows(page);
    assert.equal(settings.length, Object.keys(run.settings).length);
    for (const [name, , from] of settings)
      assert.equal(from, run.settings_from_command.includes(name!) ? "command line" : "output", name!);

    const card = page.locator(".bb-hardware-card");
    assert.equal(await card.getAttribute("data-machine"), "4× NVIDIA GeForce RTX 3080");
    assert.equal(await card.locator("table.bb-gpus tbody tr").count(), run.hardware.gpus.length);
    assert.ok(
      (await card.locator("a").evaluateAll((as) => as.map((a) => a.getAttribute("href")!))).every((h) =>
        h.startsWith(`../sources/${run.source.sha256}.html#L`)
      )
    );

    const commands = await page.locator("pre.bb-command").allTextContents();
    assert.ok(commands.includes(run.command!), "the benchmark command, verbatim");
    assert.ok(commands.includes(run.extra.server_command as string), "the server command, verbatim");

    const csv = csvParse(
      await Promise.all([
        page.waitForEvent("download"),
        page.locator("div.bb-downloads button[data-format=csv]").click()
      ])
        .then(([d]) => d.path())
        .then((p) => readFileSync(p!, "utf8"))
    );
    assert.equal(csv.length, run.results.length);
    assert.deepEqual(
      csv.map((r) => Number(r.value)),
      run.results.map((r) => r.value)
    );

    const valueLines = [...new Set(run.results.map((r) => r.line))].sort((a, b) => a - b);
    const highlighted = await page
      .locator("table.bb-run-excerpt tr.value-line")
      .evaluateAll((trs) => trs.map((tr) => Number(tr.id.slice(1))));
    assert.deepEqual(highlighted, valueLines);
    for (const result of run.results.filter((r) => r.text)) {
      const code = await page.locator(`table.bb-run-excerpt tr#L${result.line} td.code`).textContent();
      assert.ok(code!.includes(result.text!), `line ${result.line} shows ${result.text}`);
    }
    const reproduce = await page.locator(".bb-reproduce pre").textContent();
    assert.ok(reproduce!.includes(run.extra.server_command as string) && reproduce!.includes(run.command!));
    await page.close();
  });

  it("a hand-entered run says so, and is reproduced by running the configuration, not by a command it never had", async () => {
    const run = runOf((r) => r.origin === "hand-entered");
    const page = await openRun(run.id);
    assert.match((await fact(page, "origin"))!, /^hand-entered/);
    assert.equal(await page.locator(".bb-run-lede .bb-hand").count(), 1);
    assert.match((await page.locator(".bb-reproduce").textContent())!, /typed in from a writeup/);
    const settings = await settingRows(page);
    assert.ok(
      settings.length === Object.keys(run.settings).length &&
        settings.every(([, , from]) => from === "writeup (hand-entered)")
    );
    await page.close();
  });

  it("a captured bench cell: its environment, and the plan cell to run again", async () => {
    const run = runOf((r) => (r.extra.capture as {cell_id?: string} | undefined)?.cell_id === "c0ffee00c0ffee00");
    const page = await openRun(run.id);
    assert.equal(await fact(page, "cell_id"), "c0ffee00c0ffee00");
    assert.equal(await fact(page, "machine.cpu.model"), "AMD EPYC 7B13");
    const reproduce = page.locator(".bb-reproduce");
    assert.ok(
      (await reproduce.locator("pre.bb-command").first().textContent())!.includes(
        "npx benchbook bench cpu-smoke.yaml --only c0ffee00c0ffee00"
      )
    );
    assert.equal(await reproduce.locator("pre.bb-plan").textContent(), PLAN);
    assert.equal(
      await reproduce
        .locator("table.bb-run-facts tr", {has: page.locator('th:text-is("settings.n_threads")')})
        .locator("td")
        .textContent(),
      "2"
    );
    assert.equal(
      await page.locator("table.bb-run-excerpt tr.value-line").count(),
      new Set(run.results.map((r) => r.line)).size
    );
    await page.close();
  });

  it("a long run: the first results, the lines they came from, and where to get the rest", async () => {
    const run = runOf((r) => r.source.name === "long-run.jsonl");
    assert.equal(run.results.length, 120);
    const page = await openRun(run.id);
    assert.match((await page.locator(".bb-run-lede").textContent())!, /^120 values from llama-bench/);
    const note = (await page.locator(".bb-note").textContent())!;
    assert.ok(
      note.includes("The first 100 of this run's 120 results") &&
        note.includes(`SELECT * FROM results WHERE run_id = '${run.id}'`),
      note
    );
    assert.equal(await page.locator(".bb-note a").getAttribute("href"), "../explorer.html");
    const shown = run.results.slice(0, 100);
    const csv = csvParse(
      await Promise.all([
        page.waitForEvent("download"),
        page.locator("div.bb-downloads button[data-format=csv]").click()
      ])
        .then(([d]) => d.path())
        .then((p) => readFileSync(p!, "utf8"))
    );
    assert.deepEqual(
      csv.map((r) => Number(r.value)),
      shown.map((r) => r.value)
    );
    const highlighted = await page
      .locator("table.bb-run-excerpt tr.value-line")
      .evaluateAll((trs) => trs.map((tr) => Number(tr.id.slice(1))));
    assert.deepEqual(
      highlighted,
      [...new Set(shown.map((r) => r.line))].sort((a, b) => a - b)
    );
    await page.close();
  });

  it("a log run: every value's line is highlighted and links to the whole raw input", async () => {
    const run = runOf((r) => r.tool === "vllm-log-summary");
    const page = await openRun(run.id);
    const rows = await page.locator("table.bb-run-excerpt tr.value-line").evaluateAll((trs) =>
      trs.map((tr) => ({
        id: tr.id,
        count: Number(tr.querySelector("td.marks")!.textContent),
        href: tr.querySelector("td.ln a")!.getAttribute("href")
      }))
    );
    const perLine = new Map<number, number>();
    for (const r of run.results) perLine.set(r.line, (perLine.get(r.line) ?? 0) + 1);
    assert.deepEqual(
      rows.map((r) => [r.id, r.count]),
      [...perLine].sort((a, b) => a[0] - b[0]).map(([line, n]) => [`L${line}`, n])
    );
    assert.ok(rows.every((r) => r.href === `../sources/${run.source.sha256}.html#${r.id}`));
    await page.close();
  });
});
