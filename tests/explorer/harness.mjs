// Runs the explorer's own modules in Node for the tests: reads a JSON request on stdin
// ({ static, parquet, queries, hashes, columns }) and prints, for each query, the rows the
// engine selects (or its groups) and the pandas/DuckDB/R code for it; for each hash, what
// the explorer reads from it. `static` is a built site's static/ folder (explorer/ and the
// vendored modules); the Parquet file is read from disk through hyparquet's Node reader.
import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";

const request = JSON.parse(readFileSync(0, "utf-8"));
const at = (rel) => pathToFileURL(`${request.static}/${rel}`).href;
const query = await import(at("explorer/query.js"));
const out = { results: [], hashes: [], snippets: [] };

if (request.parquet) {
  const engine = await import(at("explorer/engine.js"));
  const { asyncBufferFromFile } = await import(pathToFileURL(request.node_reader).href);
  const { parquetMetadataAsync } = await import(at("vendor/hyparquet/index.js"));
  const file = engine.coalesced(await asyncBufferFromFile(request.parquet));
  const table = new engine.Table(file, await parquetMetadataAsync(file), null);
  out.columns = table.columns;
  for (const q of request.queries || []) {
    const full = { ...query.emptyQuery(), ...q };
    const picked = await table.select(full);
    const result = { rows: picked === null ? null : Array.from(picked) };
    if (full.group)
      result.groups = (await table.group(full, picked)).map((g) => ({
        ...g,
        key: typeof g.key === "bigint" ? String(g.key) : g.key,
      }));
    const first = picked === null ? [0, 1, 2] : Array.from(picked.slice(0, 3));
    result.first = (await table.rowsAt(first)).map((row) =>
      row.map((v) => (typeof v === "bigint" ? String(v) : v)),
    );
    result.code = query.snippets(full, table.columns, "PARQUET_URL");
    out.results.push(result);
  }
}
for (const h of request.hashes || []) out.hashes.push(query.fromHash(h, request.columns));
for (const s of request.snippets || [])
  out.snippets.push(query.snippets({ ...query.emptyQuery(), ...s.query }, s.columns, s.url));
for (const r of request.round_trips || [])
  out.hashes.push(query.fromHash(`#${query.toHash(r.resource, r.query)}`, request.columns));
process.stdout.write(JSON.stringify(out));
