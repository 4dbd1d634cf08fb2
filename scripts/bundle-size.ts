/**
 * After `remix build`: prints the Worker bundle's size and fails above the 500 KiB gzip budget (issue 16), and
 * fails if the schema library reached any browser chunk (decision 0007: schemas live in *.server.ts
 * modules). The browser check reads the build's metafile, so it names the chunk and the module.
 */
import { readFileSync } from "node:fs";
import { gzipSync } from "node:zlib";

const BUDGET_KIB = 500;
const bundle = readFileSync("build/index.js");
const gzipKiB = gzipSync(bundle, { level: 9 }).length / 1024;
console.log(
  `Server bundle: ${(bundle.length / 1024).toFixed(1)} KiB, ${gzipKiB.toFixed(1)} KiB gzip (budget ${BUDGET_KIB} KiB gzip)`,
);
let failed = false;
if (gzipKiB > BUDGET_KIB) {
  console.error(`The server bundle exceeds its budget of ${BUDGET_KIB} KiB gzip.`);
  failed = true;
}

const SERVER_ONLY = [/node_modules\/arktype\//, /node_modules\/@ark\//];
type Metafile = { outputs: Record<string, { inputs: Record<string, unknown>; bytes: number }> };
const browser = JSON.parse(readFileSync("build/metafile.js.json", "utf8")) as Metafile;
let browserBytes = 0;
for (const [chunk, output] of Object.entries(browser.outputs)) {
  browserBytes += output.bytes;
  const leaked = Object.keys(output.inputs).filter((input) => SERVER_ONLY.some((pattern) => pattern.test(input)));
  if (leaked.length > 0) {
    console.error(
      `${chunk} contains the schema library (${leaked.length} modules, e.g. ${leaked[0]}): a route module imports a schema. Move it to a *.server.ts module.`,
    );
    failed = true;
  }
}
console.log(
  `Browser chunks: ${Object.keys(browser.outputs).length} files, ${(browserBytes / 1024).toFixed(1)} KiB; none contains the schema library${failed ? " — see above" : ""}.`,
);
if (failed) process.exit(1);
