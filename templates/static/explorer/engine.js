// The explorer's engine: a resource's published Parquet file read over HTTP range requests
// (hyparquet, served from this site; zstd pages through fzstd), one column at a time and
// only when a filter, sort or grouping needs it; rows for a page read from the row groups
// that hold them. A filtered download cuts the matching records out of the published CSV,
// byte for byte. Nothing but the published files is read.

import { decompress } from "../vendor/fzstd/index.mjs";
import {
  asyncBufferFromUrl,
  cachedAsyncBuffer,
  parquetMetadataAsync,
  parquetRead,
} from "../vendor/hyparquet/index.js";
import { compare, predicate } from "./query.js";

const compressors = {
  ZSTD: (input, outputLength) => decompress(input, new Uint8Array(outputLength)),
};

const pad = (n, width) => String(n).padStart(width, "0");
const DAY_MS = 86400000;
const DAY_US = 86400000000n;

function isoDay(days) {
  const d = new Date(days * DAY_MS);
  const year = d.getUTCFullYear();
  return `${year < 0 ? "-" : ""}${pad(Math.abs(year), 4)}-${pad(d.getUTCMonth() + 1, 2)}-${pad(d.getUTCDate(), 2)}`;
}

/** Microseconds of a day as HH:MM:SS, with six fraction digits when there is a fraction. */
function clock(us) {
  const secs = us / 1000000n;
  const frac = us % 1000000n;
  const text = `${pad(secs / 3600n, 2)}:${pad((secs % 3600n) / 60n, 2)}:${pad(secs % 60n, 2)}`;
  return frac ? `${text}.${pad(frac, 6)}` : text;
}

function isoMicros(us) {
  let days = us / DAY_US;
  let rest = us % DAY_US;
  if (rest < 0n) {
    rest += DAY_US;
    days -= 1n;
  }
  return `${isoDay(Number(days))}T${clock(rest)}`;
}

const parsers = {
  dateFromDays: isoDay,
  timestampFromMilliseconds: (ms) => isoMicros(BigInt(ms) * 1000n),
  timestampFromMicroseconds: (us) => isoMicros(BigInt(us)),
  timestampFromNanoseconds: (ns) => isoMicros(BigInt(ns) / 1000n),
};

const SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/** A decoded value as the engine holds it. */
function normal(v, kind) {
  if (v === undefined || v === null) return null;
  if (typeof v === "bigint") {
    if (kind === "time") return clock(v);
    return v <= SAFE && v >= -SAFE ? Number(v) : v;
  }
  if (kind === "time" && typeof v === "number") return clock(BigInt(v) * 1000n); // TIME_MILLIS
  if (typeof v === "number" && Number.isNaN(v)) return null;
  return v;
}

function kindOf(element) {
  const logical = element.logical_type?.type;
  const converted = element.converted_type;
  if (element.type === "BOOLEAN") return { kind: "boolean" };
  if (logical === "DATE" || converted === "DATE") return { kind: "date" };
  if (
    logical === "TIMESTAMP" ||
    converted === "TIMESTAMP_MICROS" ||
    converted === "TIMESTAMP_MILLIS"
  )
    return { kind: "datetime", aware: Boolean(element.logical_type?.isAdjustedToUTC) };
  if (logical === "TIME" || converted === "TIME_MICROS" || converted === "TIME_MILLIS")
    return { kind: "time" };
  if (element.type === "INT32" || element.type === "INT64") return { kind: "integer" };
  if (element.type === "FLOAT" || element.type === "DOUBLE") return { kind: "number" };
  return { kind: "string" };
}

/** Open a published resource: its Parquet file (and size, saving a request) and CSV file. */
export async function openTable({ parquet, parquetBytes, csv }) {
  const remote = await asyncBufferFromUrl({ url: parquet, byteLength: parquetBytes || undefined });
  // a small file is fetched whole, once; a large one by ranges, keeping none of them (the
  // columns read are kept decoded)
  const file = coalesced(remote.byteLength < SMALL ? cachedAsyncBuffer(remote) : remote);
  const metadata = await parquetMetadataAsync(file, { initialFetchSize: 1 << 16 }); // a footer is rarely larger
  return new Table(file, metadata, csv);
}

const SMALL = 1 << 20;
const KEPT = 2; // columns kept decoded beyond those the current query uses
const GAP = 1 << 16; // ranges this close are fetched as one
const MOST = 1 << 23; // but no single request above 8 MB

/**
 * Byte ranges asked for in the same turn of the event loop are merged into as few requests
 * as possible: reading fifty scattered rows asks for a page of each column in each of their
 * row groups, hundreds of small ranges that lie side by side in the file.
 */
export function coalesced(file) {
  let queue = [];
  const flush = () => {
    const asks = queue.sort((a, b) => a.start - b.start);
    queue = [];
    let run = null;
    const runs = [];
    for (const ask of asks) {
      if (run && ask.start <= run.end + GAP && Math.max(run.end, ask.end) - run.start <= MOST) {
        run.end = Math.max(run.end, ask.end);
        run.asks.push(ask);
      } else {
        run = { start: ask.start, end: ask.end, asks: [ask] };
        runs.push(run);
      }
    }
    for (const r of runs) {
      Promise.resolve(file.slice(r.start, r.end)).then(
        (buffer) => {
          for (const ask of r.asks)
            ask.resolve(buffer.slice(ask.start - r.start, ask.end - r.start));
        },
        (error) => {
          for (const ask of r.asks) ask.reject(error);
        },
      );
    }
  };
  return {
    byteLength: file.byteLength,
    slice(start, end = file.byteLength) {
      return new Promise((resolve, reject) => {
        if (!queue.length) setTimeout(flush, 0);
        queue.push({ start, end, resolve, reject });
      });
    },
  };
}

export class Table {
  constructor(file, metadata, csv) {
    this.file = file;
    this.metadata = metadata;
    this.csv = csv;
    this.rows = Number(metadata.num_rows);
    this.columns = metadata.schema.slice(1).map((element) => {
      const { kind, aware } = kindOf(element);
      return { name: element.name, kind, aware: Boolean(aware) };
    });
    this.kinds = new Map(this.columns.map((c) => [c.name, c.kind]));
    this.cache = new Map(); // column name → Promise of its values
    this.groups = [];
    let start = 0;
    for (const g of metadata.row_groups) {
      const n = Number(g.num_rows);
      this.groups.push([start, start + n]);
      start += n;
    }
  }

  /**
   * Keep the columns a query uses, and the two used most recently before: a text column of a
   * million rows holds a hundred megabytes or more.
   */
  keep(query) {
    const used = new Set(query.filters.map((f) => f.column));
    if (query.sort) used.add(query.sort.column);
    if (query.group) used.add(query.group.by).add(query.group.measure);
    const others = [...this.cache.keys()].filter((name) => !used.has(name));
    for (const name of others.slice(0, Math.max(0, others.length - KEPT))) this.cache.delete(name);
  }

  /** Every value of one column, in row order (read once, then kept while in use). */
  column(name) {
    if (this.cache.has(name)) {
      const read = this.cache.get(name); // most recently used last
      this.cache.delete(name);
      this.cache.set(name, read);
    } else {
      const kind = this.kinds.get(name);
      const values = new Array(this.rows).fill(null);
      const read = parquetRead({
        file: this.file,
        metadata: this.metadata,
        columns: [name],
        compressors,
        parsers,
        onChunk: ({ columnData, rowStart }) => {
          for (let i = 0; i < columnData.length; i++)
            values[rowStart + i] = normal(columnData[i], kind);
        },
      }).then(() => values);
      read.catch(() => this.cache.delete(name));
      this.cache.set(name, read);
    }
    return this.cache.get(name);
  }

  /** Whole rows (arrays in column order) for the given row numbers, in that order. */
  async rowsAt(indices) {
    const found = new Map();
    const sorted = [...new Set(indices)].sort((a, b) => a - b);
    const runs = []; // nearby rows of one row group are read in one go
    for (const i of sorted) {
      const last = runs[runs.length - 1];
      const group = this.groupOf(i);
      if (last && last.group === group && i - last.end < 256) last.end = i + 1;
      else runs.push({ group, start: i, end: i + 1 });
    }
    await Promise.all(
      runs.map((run) =>
        parquetRead({
          file: this.file,
          metadata: this.metadata,
          rowStart: run.start,
          rowEnd: run.end,
          compressors,
          parsers,
          useOffsetIndex: true,
          onComplete: (rows) => {
            rows.forEach((row, k) => {
              found.set(
                run.start + k,
                row.map((v, c) => normal(v, this.columns[c].kind)),
              );
            });
          },
        }),
      ),
    );
    return indices.map((i) => found.get(i));
  }

  groupOf(i) {
    let lo = 0;
    let hi = this.groups.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.groups[mid][1] <= i) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /**
   * The rows a query selects, in its order: `null` for all rows in file order, else a
   * Uint32Array of row numbers.
   */
  async select(query) {
    this.keep(query);
    let picked = null;
    for (const f of query.filters) {
      const values = await this.column(f.column);
      const test = predicate(f, this.kinds.get(f.column));
      const next = [];
      if (picked === null) {
        for (let i = 0; i < values.length; i++) if (test(values[i])) next.push(i);
      } else {
        for (const i of picked) if (test(values[i])) next.push(i);
      }
      picked = Uint32Array.from(next);
    }
    if (query.sort && !query.group) {
      const values = await this.column(query.sort.column);
      picked =
        picked === null ? Uint32Array.from({ length: this.rows }, (_, i) => i) : picked.slice();
      const sign = query.sort.desc ? -1 : 1;
      const numbers =
        this.kinds.get(query.sort.column) === "number" ||
        values.every((v) => v === null || typeof v === "number");
      const texts = !numbers && values.every((v) => v === null || typeof v === "string");
      if (numbers || texts) {
        // each value's rank as a number: texts are ordered once each by the engine's own sort
        // (far faster than a comparator over a million long strings)
        let keys;
        if (texts) {
          const distinct = [...new Set(values)].filter((v) => v !== null).sort();
          const rank = new Map(distinct.map((v, k) => [v, k]));
          keys = Float64Array.from(values, (v) => (v === null ? Number.NaN : rank.get(v)));
        } else keys = Float64Array.from(values, (v) => (v === null ? Number.NaN : v)); // missing last either way
        picked.sort((a, b) => {
          const x = keys[a];
          const y = keys[b];
          if (Number.isNaN(x)) return Number.isNaN(y) ? a - b : 1;
          if (Number.isNaN(y)) return -1;
          return sign * (x - y) || a - b;
        });
      } else {
        picked.sort((a, b) => {
          const va = values[a];
          const vb = values[b];
          if (va === null || vb === null) return compare(va, vb) || a - b;
          return sign * compare(va, vb) || a - b;
        });
      }
    }
    return picked;
  }

  /** The query's groups: [{ key, rows, sum, mean }], most rows first (ties by key). */
  async group(query, picked) {
    const keys = await this.column(query.group.by);
    const measure = query.group.measure ? await this.column(query.group.measure) : null;
    const groups = new Map();
    const add = (i) => {
      const key = keys[i];
      const mapKey = typeof key === "bigint" ? `big:${key}` : key;
      let g = groups.get(mapKey);
      if (!g) {
        g = { key, rows: 0, sum: 0, count: 0 };
        groups.set(mapKey, g);
      }
      g.rows += 1;
      if (measure) {
        const v = measure[i];
        if (v !== null) {
          g.sum += Number(v);
          g.count += 1;
        }
      }
    };
    if (picked === null) for (let i = 0; i < this.rows; i++) add(i);
    else for (const i of picked) add(i);
    const out = [...groups.values()];
    out.sort((a, b) => compare(a.key, b.key));
    out.sort((a, b) => b.rows - a.rows); // stable: ties keep the key order
    return out.map((g) => ({
      key: g.key,
      rows: g.rows,
      sum: measure ? g.sum : null,
      mean: measure && g.count ? g.sum / g.count : null,
    }));
  }

  /** Distinct values of a column with their counts among the given rows (up to `most`). */
  async values(name, picked, most) {
    const values = await this.column(name);
    const kind = this.kinds.get(name);
    const counts = new Map();
    const add = (v) => {
      const key = v === null ? null : typeof v === "bigint" || kind !== "string" ? String(v) : v;
      counts.set(key, (counts.get(key) || 0) + 1);
      return counts.size <= most;
    };
    let complete = true;
    if (picked === null) {
      for (let i = 0; i < values.length && complete; i++) complete = add(values[i]);
    } else {
      for (const i of picked) {
        complete = add(values[i]);
        if (!complete) break;
      }
    }
    if (!complete) return null;
    return [...counts.entries()].sort((a, b) => b[1] - a[1] || compare(a[0], b[0]));
  }

  /**
   * The published CSV's records for the given rows (in that order), after its header:
   * bytes as published. `picked` null means every row in file order.
   */
  async csvRecords(picked, onProgress) {
    const response = await fetch(this.csv);
    if (!response.ok || !response.body)
      throw new Error(`the CSV download failed (${response.status})`);
    const inOrder = picked === null || isAscending(picked);
    const wanted = picked === null ? null : new Uint8Array(this.rows);
    if (wanted) for (const i of picked) wanted[i] = 1;
    const kept = inOrder ? [] : new Map();
    const parts = [];
    let record = -1; // -1: the header
    let quoted = false;
    let pending = []; // pieces of the record being read
    let ending = null; // the header's line ending, for a last record that lacks one
    let seen = 0;
    const reader = response.body.getReader();
    const finish = (bytes) => {
      if (bytes.length === 0 || (bytes.length === 1 && bytes[0] === 13)) return; // an empty line: no record (as the build reads it)
      if (record === -1) {
        parts.push(bytes);
        ending = bytes.length > 1 && bytes[bytes.length - 2] === 13 ? "\r\n" : "\n";
      } else if (wanted === null || wanted[record]) {
        if (inOrder) parts.push(bytes);
        else kept.set(record, bytes);
      }
      record += 1;
    };
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      let start = 0;
      for (let k = 0; k < value.length; k++) {
        const b = value[k];
        if (b === 34) quoted = !quoted;
        else if (b === 10 && !quoted) {
          pending.push(value.subarray(start, k + 1));
          finish(joined(pending));
          pending = [];
          start = k + 1;
        }
      }
      if (start < value.length) pending.push(value.slice(start));
      seen += value.length;
      if (onProgress) onProgress(seen);
    }
    if (pending.length) {
      const last = joined(pending);
      finish(last);
    }
    const encoder = new TextEncoder();
    const terminated = (bytes) =>
      bytes[bytes.length - 1] === 10 ? bytes : concat(bytes, encoder.encode(ending || "\n"));
    if (!inOrder) for (const i of picked) if (kept.has(i)) parts.push(kept.get(i));
    if (record - 1 !== this.rows - 1 && record !== this.rows) {
      throw new Error(`the CSV has ${record} records, the Parquet file ${this.rows} rows`);
    }
    return parts.map((p, k) => (k < parts.length - 1 ? terminated(p) : p));
  }
}

function isAscending(a) {
  for (let i = 1; i < a.length; i++) if (a[i] < a[i - 1]) return false;
  return true;
}

function joined(pieces) {
  if (pieces.length === 1) return pieces[0].slice();
  let size = 0;
  for (const p of pieces) size += p.length;
  const out = new Uint8Array(size);
  let at = 0;
  for (const p of pieces) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function concat(a, b) {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}
