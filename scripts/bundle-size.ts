/** Prints the Worker bundle's size after `remix build`; fails the build above the 700 KiB gzip budget. */
import { readFileSync } from "node:fs";
import { gzipSync } from "node:zlib";

const BUDGET_KIB = 700;
const bundle = readFileSync("build/index.js");
const gzipKiB = gzipSync(bundle, { level: 9 }).length / 1024;
console.log(`Server bundle: ${(bundle.length / 1024).toFixed(1)} KiB, ${gzipKiB.toFixed(1)} KiB gzip (budget ${BUDGET_KIB} KiB gzip)`);
if (gzipKiB > BUDGET_KIB) {
  console.error(`The server bundle exceeds its budget of ${BUDGET_KIB} KiB gzip.`);
  process.exit(1);
}
