/**
 * seriesColumns (the key columns that name a series in `benchbook history` and on the history page) against its
 * definition written out plainly: every chosen column's tuple printed per key and per candidate column.
 */
import assert from "node:assert/strict";
import {describe, it} from "node:test";
import {seriesColumns} from "../../scripts/history/format.js";

const ALWAYS = ["model_label", "test", "metric"];

function byDefinition(keys: Record<string, string | null>[]): string[] {
  const names = [...new Set(keys.flatMap((k) => Object.keys(k)))];
  const columns = ALWAYS.filter((k) => names.includes(k));
  for (const name of names) {
    if (columns.includes(name)) continue;
    const seen = new Map<string, string | null>();
    const determined = keys.every((key) => {
      const id = JSON.stringify(columns.map((col) => key[col] ?? null));
      if (seen.has(id) && seen.get(id) !== (key[name] ?? null)) return false;
      seen.set(id, key[name] ?? null);
      return true;
    });
    if (!determined) columns.push(name);
  }
  return columns;
}

function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

describe("seriesColumns", () => {
  it("names a llama-bench history by model, test, metric and the setting that splits it", () => {
    const keys = ["m1", "m2"].flatMap((model_label) =>
      ["pp512", "tg128"].flatMap((test) =>
        ["0", "1"].map((fa) => ({
          model_label,
          test,
          metric: "throughput",
          n_gen: test === "tg128" ? "128" : "0",
          "setting.flash_attn": fa,
          "setting.threads": "8",
          unit: "tok/s"
        }))
      )
    );
    assert.deepEqual(seriesColumns(keys), ["model_label", "test", "metric", "setting.flash_attn"]);
    assert.deepEqual(seriesColumns([]), []);
  });

  it("chooses what the definition chooses on random keys (missing values, nulls, columns that follow others)", () => {
    for (let seed = 1; seed <= 200; seed++) {
      const random = prng(seed);
      const pick = (n: number) => Math.floor(random() * n);
      const names = ["hardware", ...ALWAYS, "n_gen", "setting.a", "setting.b", "setting.c", "unit"].filter(
        () => random() < 0.85
      );
      const keys = Array.from({length: 1 + pick(60)}, () => {
        const key: Record<string, string | null> = {};
        for (const name of names) {
          const roll = random();
          if (roll < 0.1) continue;
          if (name === "n_gen") key[name] = key.test === undefined ? null : `${key.test}-gen`;
          else key[name] = roll < 0.2 ? null : String(pick(name === "unit" ? 1 : 4));
        }
        return key;
      });
      assert.deepEqual(seriesColumns(keys), byDefinition(keys), `seed ${seed}`);
    }
  });
});
