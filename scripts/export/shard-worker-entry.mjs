// Entry of an export shard's worker thread (export.ts). A worker thread does
// not get the module hooks its parent registered (tsx), so it registers tsx
// itself before loading the TypeScript worker (as the import pool's does).
import {register} from "tsx/esm/api";

register();
await import("./shard-worker.ts");
