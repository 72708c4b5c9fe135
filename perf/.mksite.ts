import {Store} from "../scripts/store/store.js";
import {siteProject} from "../test/helpers/site.js";
const p = siteProject();
const t = performance.now();
const b = await p.build(new Store("/tmp/big/data"));
console.log(p.root, b.exportSeconds, b.buildSeconds, (performance.now() - t) / 1000);
