/**
 * arquero for the site's components. The package's index also exports file loaders that import
 * node:fs, which Framework's bundle cannot load in a browser, so the parts the components use are
 * imported from their own modules (typed as the package's).
 */
import type {desc as Desc, op as Op, table as Table} from "arquero";
// @ts-expect-error untyped path: the same function the package's index exports
import {table as tableImpl} from "arquero/src/table/index.js";
// @ts-expect-error untyped path: the same function the package's index exports
import {desc as descImpl} from "arquero/src/helpers/desc.js";
// @ts-expect-error untyped path: the same object the package's index exports
import {opApi} from "arquero/src/op/op-api.js";

export const table: typeof Table = tableImpl;
export const desc: typeof Desc = descImpl;
export const op: typeof Op = opApi;
