// Replays the two A/B runs `benchbook bench` made on a real H100
// (test/fixtures/captured/h100/ab, see its README; docs/real-gpu.md "A/B on
// the H100") through the current code: -fa 0 against -fa 1 (store/) and
// llama.cpp v0.4.0 against v0.5.0 (store-builds/). The expected rows were
// hand-checked from the raw llama-bench JSONL with scipy (mean, sample sd,
// Welch's test, Fieller's 95% interval, (t.975 + t.95)·se/mean A), not with
// benchbook's code.
import assert from "node:assert/strict";
import {readFileSync} from "node:fs";
import {join} from "node:path";
import {describe, it} from "node:test";
import {abResults, type AbResult} from "../../scripts/bench/ab-compare.js";
import {expandPlan, loadPlan} from "../../scripts/bench/plan.js";
import {sha256} from "../../scripts/import/import.js";
import {Store} from "../../scripts/store/store.js";
import {fixturePath} from "../helpers/fixtures.js";

const AB = fixturePath("captured/h100/ab/");
const PLANS = new URL("../../scripts/gpu-run/plans/", import.meta.url).pathname;

interface Expected {
  cell: string;
  test: string;
  /** avg_ts of each invocation, in run order, copied from the raw JSONL. */
  a: number[];
  b: number[];
  mean: [number, number];
  sd: [number, number];
  ratio: number;
  low: number;
  high: number;
  detected: boolean;
  detectable: number;
}

const FA: Expected[] = [
  {
    cell: "random-1.5B-Q4_K_M · d0",
    test: "pp512",
    a: [21513.657223, 21648.32732, 23686.196753, 21774.769608, 24837.079431],
    b: [28493.618097, 25913.775657, 26041.113018, 27374.129662, 30347.369505],
    mean: [22692.00607, 27634.00119],
    sd: [1492.384745, 1848.331049],
    ratio: 1.217785731,
    low: 1.104364723,
    high: 1.342639014,
    detected: true,
    detectable: 0.1963688568
  },
  {
    cell: "random-1.5B-Q4_K_M · d0",
    test: "tg128",
    a: [694.977924, 691.774051, 721.49275, 709.495318, 710.465949],
    b: [854.783005, 832.678001, 856.483411, 866.296818, 872.972753],
    mean: [705.6411984, 856.6427976],
    sd: [12.20048506, 15.31064386],
    ratio: 1.213992039,
    low: 1.182972372,
    high: 1.245797455,
    detected: true,
    detectable: 0.052083922
  },
  {
    cell: "random-1.5B-Q4_K_M · d8192",
    test: "pp512 @ d8192",
    a: [13944.637935, 13978.633277, 13593.643464, 13459.762566, 13871.861014],
    b: [29792.418993, 29740.761631, 30812.703717, 31212.987919, 30211.981305],
    mean: [13769.70765, 30354.17071],
    sd: [230.0817163, 644.1802996],
    ratio: 2.204416498,
    low: 2.136779259,
    high: 2.273680301,
    detected: true,
    detectable: 0.1018524026
  },
  {
    cell: "random-1.5B-Q4_K_M · d8192",
    test: "tg128 @ d8192",
    a: [626.595509, 627.911507, 599.873215, 605.804473, 624.08615],
    b: [721.141529, 735.228527, 738.219831, 740.064845, 727.364772],
    mean: [616.8541708, 732.4039008],
    sd: [13.03752812, 7.94870211],
    ratio: 1.187320984,
    low: 1.157725485,
    high: 1.218131993,
    detected: true,
    detectable: 0.0476509205
  }
];

const BUILDS: Expected[] = [
  {
    cell: "random-1.5B-Q4_K_M · d0",
    test: "pp512",
    a: [29145.545397, 26942.073595, 26488.909528, 25724.731506, 25668.331666],
    b: [25999.284004, 27187.964738, 26691.640032, 25690.216333, 26070.183582],
    mean: [26793.91834, 26327.85774],
    sd: [1419.087384, 602.7156957],
    ratio: 0.9826057318,
    low: 0.9221360924,
    high: 1.050071949,
    detected: false,
    detectable: 0.1157335025
  },
  {
    cell: "random-1.5B-Q4_K_M · d0",
    test: "tg128",
    a: [858.990519, 859.876113, 853.994057, 835.483114, 838.858137],
    b: [870.24438, 859.253123, 861.668001, 844.520553, 846.260212],
    mean: [849.440388, 856.3892538],
    sd: [11.48515121, 10.85696766],
    ratio: 1.008180522,
    low: 0.9890925618,
    high: 1.027661026,
    detected: false,
    detectable: 0.03467744906
  },
  {
    cell: "random-1.5B-Q4_K_M · d8192",
    test: "pp512 @ d8192",
    a: [29736.243009, 31414.438788, 30898.199184, 31553.103534, 30989.057534],
    b: [31462.046203, 29994.602143, 30016.070909, 30012.949533, 31381.917445],
    mean: [30918.20841, 30573.51725],
    sd: [716.2050306, 775.0999718],
    ratio: 0.9888515156,
    low: 0.9543443938,
    high: 1.024490377,
    detected: false,
    detectable: 0.06364728371
  },
  {
    cell: "random-1.5B-Q4_K_M · d8192",
    test: "tg128 @ d8192",
    a: [715.464378, 751.512798, 736.749096, 756.405125, 745.074249],
    b: [753.240643, 705.852105, 718.428255, 731.876484, 753.72865],
    mean: [741.0411292, 732.6252274],
    sd: [16.08233519, 21.14984947],
    ratio: 0.9886431381,
    low: 0.9518523425,
    high: 1.026449965,
    detected: false,
    detectable: 0.06753683429
  }
];

/**
 * Equal to the 10 significant digits the hand-check kept (`digits` 10); the
 * ends of the interval and the detectable change go through Student's t
 * quantiles, where jstat and scipy agree to about 8 digits.
 */
const close = (actual: number | null, expected: number, what: string, digits = 10) =>
  assert.ok(
    actual !== null && Math.abs(actual - expected) <= 10 ** (1 - digits) * Math.abs(expected),
    `${what}: ${actual} ≠ ${expected}`
  );

/** The raw llama-bench record behind a stored run's result for `test`, read as JSON from the line the result points to. */
function rawRecord(store: Store, runId: string, test: string): Record<string, unknown> {
  for (const input of store.readAll())
    for (const run of input.runs) {
      if (run.id !== runId) continue;
      const result = run.results.find((r) => r.test === test && r.metric === "throughput" && r.stat === "mean")!;
      const lines = readFileSync(store.rawPath(input.source), "utf8").split("\n");
      return JSON.parse(lines[result.line! - 1]) as Record<string, unknown>;
    }
  return assert.fail(`no stored run ${runId}`);
}

const RUNS = [
  {name: "-fa 0 against -fa 1", store: "store", plan: "h100-ab-fa", expected: FA, labels: ["-fa 0", "-fa 1"]},
  {
    name: "llama.cpp v0.4.0 against v0.5.0",
    store: "store-builds",
    plan: "h100-ab-builds",
    expected: BUILDS,
    labels: ["v0.4.0", "v0.5.0"]
  }
];

for (const run of RUNS) {
  describe(`captured on an H100: the A/B run ${run.name} (${run.store}/)`, () => {
    const store = new Store(join(AB, run.store));
    const plan = loadPlan(join(PLANS, `${run.plan}.yaml`));
    const results = abResults(store, expandPlan(plan));
    // Rows in the hand-check's order (the pair's cell, then its test).
    const rows: AbResult[] = run.expected.map(
      (e) => results.find((r) => r.cell === e.cell && r.test === e.test) ?? assert.fail(`no row ${e.cell} ${e.test}`)
    );

    it("is the plan in scripts/gpu-run/plans, 20 invocations, A B A B … in the order they ran", () => {
      const stored = [...store.readAll()].flatMap((input) => input.runs);
      assert.equal(stored.length, 20);
      for (const r of stored)
        assert.equal((r.extra.capture as {plan: {sha256: string}}).plan.sha256, plan.sha256, r.id);
      const order = stored
        .map((r) => [String((r.extra.capture as {started_at: string}).started_at), r.tags.ab_side] as const)
        .sort((x, y) => x[0].localeCompare(y[0]))
        .map(([, side]) => side)
        .join("");
      assert.equal(order, "AB".repeat(10));
    });

    it("each side's values are the avg_ts llama-bench printed, one invocation each, with the side's setting or build", () => {
      assert.equal(results.length, run.expected.length);
      for (const r of rows) assert.deepEqual([r.a.label, r.b.label], run.labels);
      rows.forEach((row, i) => {
        assert.deepEqual(row.a.values, run.expected[i].a, `${row.cell} ${row.test} A`);
        assert.deepEqual(row.b.values, run.expected[i].b, `${row.cell} ${row.test} B`);
        for (const s of [row.a, row.b]) {
          const records = s.run_ids.map((id) => rawRecord(store, id, row.test));
          assert.deepEqual(
            records.map((j) => j.avg_ts),
            s.values
          );
          const which = records.map((j) =>
            run.store === "store" ? `-fa ${Number(j.flash_attn)}` : `${j.build_commit} fa ${Number(j.flash_attn)}`
          );
          const want = run.store === "store" ? s.label : `${s.side === "A" ? "80fb11a" : "de3ff81"} fa 1`;
          assert.deepEqual(new Set(which), new Set([want]));
        }
      });
    });

    it("mean ± sd of each side, B/A, its 95% interval, detected or not and the detectable change are the hand-checked ones", () => {
      rows.forEach((row, i) => {
        const e = run.expected[i];
        const what = `${row.cell} ${row.test}`;
        close(row.a.mean, e.mean[0], `${what} mean A`);
        close(row.b.mean, e.mean[1], `${what} mean B`);
        close(row.a.sd, e.sd[0], `${what} sd A`);
        close(row.b.sd, e.sd[1], `${what} sd B`);
        close(row.ratio, e.ratio, `${what} B/A`);
        close(row.low, e.low, `${what} low`, 7);
        close(row.high, e.high, `${what} high`, 7);
        close(row.detectable, e.detectable, `${what} detectable`, 7);
        assert.equal(row.detected, e.detected, `${what} detected`);
        assert.equal(row.direction, e.detected ? "improvement" : null, what);
      });
    });

    it("the rows are what the GPU machine printed (bench --json's ab events)", () => {
      const printed = readFileSync(join(AB, "raw", `bench-${run.plan}.jsonl`), "utf8")
        .split("\n")
        .filter((l) => l.includes('"event":"ab"'))
        .map((l) => JSON.parse(l) as Record<string, unknown>);
      const replayed = results.map(({comparison: _comparison, ...rest}) => ({event: "ab", ...rest}));
      assert.deepEqual(printed, JSON.parse(JSON.stringify(replayed)));
    });

    it("each stored raw file still has its sha256", () => {
      for (const hash of store.inputs())
        assert.equal(sha256(readFileSync(store.rawPath(store.read(hash).source))), hash);
    });
  });
}
