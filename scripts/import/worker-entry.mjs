// Entry of an import worker thread (pool.ts). A worker thread does not get
// the module hooks its parent registered (tsx, whether through
// `node --import tsx` or bin/benchbook.js's register()), so it registers tsx
// itself before loading the TypeScript worker.
import {register} from "tsx/esm/api";

register();
await import("./worker.ts");
