import assert from "node:assert/strict";
import {describe, it} from "node:test";
import {mean, peakRate, populationStd} from "../../../scripts/bench/endpoint/stats.js";

describe("endpoint statistics", () => {
  it("uses the population standard deviation (divides by n), as numpy's np.std", () => {
    // The textbook set: mean 5, population std 2 (the sample std would be 2.138…).
    const values = [2, 4, 4, 4, 5, 5, 7, 9];
    assert.equal(mean(values), 5);
    assert.equal(populationStd(values), 2);
    assert.equal(populationStd([3]), 0);
    assert.equal(mean([]), null);
    assert.equal(populationStd([]), null);
  });

  it("peak rate: most arrivals in a 1 s window ending at an arrival", () => {
    // An arrival every 100 ms for 3 s: any 1 s window (t-1000, t] holds 10.
    const steady = Array.from({length: 31}, (_, i) => i * 100);
    assert.equal(peakRate(steady), 10);
    // A burst of 5 arrivals within 1 s inside a slow stream.
    const burst = [0, 1500, 1600, 1700, 1800, 1900, 4000];
    assert.equal(peakRate(burst), 5);
  });

  it("peak rate: an arrival exactly one window earlier is outside the window", () => {
    assert.equal(peakRate([0, 1000, 1000.5, 2000]), 2);
  });

  it("peak rate: arrivals spanning less than a window are arrivals / span (llama-benchy's short-burst rule)", () => {
    assert.equal(peakRate([0, 10, 20]), 3 / 0.02);
    assert.equal(peakRate([5]), null);
    assert.equal(peakRate([7, 7]), null);
  });
});
