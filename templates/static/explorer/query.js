// The explorer's query: what the reader asked for (filters, sort, grouping, page), how it
// lives in the page's address, how one row is tested against it, and the same query written
// for pandas, DuckDB and R. Pure functions: the engine, the page and the unit tests share them.
//
// A query is plain data:
//   { filters: [{ column, op: "contains", text } | { column, op: "in", values: [text|null] }
//               | { column, op: "range", min: text|null, max: text|null }],
//     sort: { column, desc } | null, group: { by, measure: column|null } | null, page: n }
// Values are compared as the explorer shows them (text), so a link means the same thing to
// every reader; `null` in an "in" list is a missing value.

const NUMERIC = new Set(["integer", "number"]); // a Table Schema year is an integer in Parquet

/** Does a column of this kind hold numbers? */
export const numeric = (kind) => NUMERIC.has(kind);

/** Which filters a column of this kind offers. */
export function opsFor(kind) {
  if (kind === "string") return ["contains", "in"];
  if (kind === "time") return ["contains"];
  if (kind === "boolean") return ["in"];
  if (kind === "date" || kind === "datetime") return ["range"];
  return ["range", "in"]; // integer, number
}

export function emptyQuery() {
  return { filters: [], sort: null, group: null, page: 0 };
}

/** The query as the `explore` part of the address (after `#`). */
export function toHash(resource, query) {
  const params = new URLSearchParams();
  params.set("explore", resource);
  const q = {};
  if (query.filters.length) q.f = query.filters.map(compactFilter);
  if (query.sort) q.s = [query.sort.column, query.sort.desc ? "desc" : "asc"];
  if (query.group)
    q.g = query.group.measure ? [query.group.by, query.group.measure] : [query.group.by];
  if (query.page) q.p = query.page;
  if (Object.keys(q).length) params.set("q", JSON.stringify(q));
  return params.toString();
}

function compactFilter(f) {
  if (f.op === "contains") return [f.column, "contains", f.text];
  if (f.op === "in") return [f.column, "in", f.values];
  return [f.column, "range", f.min, f.max];
}

/** The resource named by an address's hash, or null. */
export function hashResource(hash) {
  const params = new URLSearchParams(String(hash || "").replace(/^#/, ""));
  return params.get("explore");
}

const isText = (v) => typeof v === "string";
const isTextOrNull = (v) => v === null || typeof v === "string";

/**
 * Read a query from an address's hash against the resource's columns ({name, kind}).
 * Whatever cannot apply (malformed, a column that no longer exists, an operation the
 * column's kind does not offer) is left out and described in `ignored`.
 */
export function fromHash(hash, columns) {
  const query = emptyQuery();
  const ignored = [];
  const params = new URLSearchParams(String(hash || "").replace(/^#/, ""));
  const raw = params.get("q");
  if (raw === null) return { query, ignored };
  let q;
  try {
    q = JSON.parse(raw);
  } catch {
    ignored.push("the link's query could not be read");
    return { query, ignored };
  }
  if (q === null || typeof q !== "object" || Array.isArray(q)) {
    ignored.push("the link's query could not be read");
    return { query, ignored };
  }
  const byName = new Map(columns.map((c) => [c.name, c]));
  const column = (name) => (isText(name) && byName.has(name) ? byName.get(name) : null);
  const missing = (name) => `column ${JSON.stringify(String(name))} is not in this resource`;
  for (const f of Array.isArray(q.f) ? q.f : q.f === undefined ? [] : [null]) {
    if (!Array.isArray(f) || f.length < 2) {
      ignored.push("a filter that could not be read");
      continue;
    }
    const col = column(f[0]);
    if (!col) {
      ignored.push(`a filter: ${missing(f[0])}`);
      continue;
    }
    const op = f[1];
    if (!opsFor(col.kind).includes(op)) {
      ignored.push(
        `a filter on ${JSON.stringify(col.name)}: it cannot be filtered by ${JSON.stringify(String(op))}`,
      );
      continue;
    }
    if (op === "contains" && isText(f[2]) && f[2] !== "") {
      query.filters.push({ column: col.name, op, text: f[2] });
    } else if (op === "in" && Array.isArray(f[2]) && f[2].length && f[2].every(isTextOrNull)) {
      query.filters.push({ column: col.name, op, values: [...new Set(f[2])] });
    } else if (
      op === "range" &&
      isTextOrNull(f[2]) &&
      isTextOrNull(f[3]) &&
      (f[2] !== null || f[3] !== null) &&
      validBounds(col.kind, f[2], f[3])
    ) {
      query.filters.push({ column: col.name, op, min: f[2], max: f[3] });
    } else {
      ignored.push(`a filter on ${JSON.stringify(col.name)} whose values could not be read`);
    }
  }
  if (q.s !== undefined) {
    const col = Array.isArray(q.s) ? column(q.s[0]) : null;
    if (col && (q.s[1] === "asc" || q.s[1] === "desc"))
      query.sort = { column: col.name, desc: q.s[1] === "desc" };
    else
      ignored.push(
        Array.isArray(q.s) && !col ? `the sort: ${missing(q.s[0])}` : "the sort could not be read",
      );
  }
  if (q.g !== undefined) {
    const by = Array.isArray(q.g) ? column(q.g[0]) : null;
    const measure = Array.isArray(q.g) && q.g.length > 1 ? column(q.g[1]) : null;
    if (!by)
      ignored.push(
        Array.isArray(q.g) ? `the grouping: ${missing(q.g[0])}` : "the grouping could not be read",
      );
    else if (q.g.length > 1 && !(measure && numeric(measure.kind))) {
      ignored.push(
        `the grouping's measure: ${measure ? `${JSON.stringify(measure.name)} is not numeric` : missing(q.g[1])}`,
      );
      query.group = { by: by.name, measure: null };
    } else query.group = { by: by.name, measure: measure ? measure.name : null };
  }
  if (q.p !== undefined) {
    if (Number.isSafeInteger(q.p) && q.p >= 0) query.page = q.p;
    else ignored.push("the page number could not be read");
  }
  return { query, ignored };
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** Range bounds a column of this kind can compare with. */
export function validBounds(kind, min, max) {
  const ok = (b) =>
    b === null || (numeric(kind) ? b.trim() !== "" && Number.isFinite(Number(b)) : DATE.test(b));
  return ok(min) && ok(max);
}

// ---- testing one value ----------------------------------------------------------------

/**
 * A predicate over a column's values (as the engine holds them: text for dates, times and
 * date-times; numbers, or BigInt beyond 2^53, for numbers; booleans; null when missing).
 */
export function predicate(filter, kind) {
  if (filter.op === "contains") {
    const needle = filter.text.toLowerCase();
    return (v) => v !== null && shown(v, kind).toLowerCase().includes(needle);
  }
  if (filter.op === "in") {
    const wanted = new Set(filter.values);
    return (v) => wanted.has(v === null ? null : shown(v, kind));
  }
  if (numeric(kind)) {
    const lo = filter.min === null ? null : Number(filter.min);
    const hi = filter.max === null ? null : Number(filter.max);
    return (v) => v !== null && (lo === null || v >= lo) && (hi === null || v <= hi);
  }
  const { min, max } = filter; // dates, and date-times by their day
  return (v) => {
    if (v === null) return false;
    const day = v.slice(0, 10);
    return (min === null || day >= min) && (max === null || day <= max);
  };
}

/** A value as the explorer shows it (and as "contains" and "in" compare it). */
export function shown(v, kind) {
  if (v === null || v === undefined) return "";
  if (kind === "datetime" && typeof v === "string") return v;
  return String(v);
}

/** Sort order of two values: nulls last whatever the direction. */
export function compare(a, b) {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  return a < b ? -1 : a > b ? 1 : 0;
}

// ---- the same query in code -----------------------------------------------------------

const py = (s) => JSON.stringify(s); // a JSON string is a Python string literal
const rStr = (s) => JSON.stringify(s); // and an R one
const sqlStr = (s) => `'${String(s).replaceAll("'", "''")}'`;
const sqlId = (s) => `"${String(s).replaceAll('"', '""')}"`;
const rId = (s) => `\`${String(s).replaceAll("\\", "\\\\").replaceAll("`", "\\`")}\``;

function literal(text, kind, lang) {
  if (kind === "boolean")
    return lang === "r"
      ? text === "true"
        ? "TRUE"
        : "FALSE"
      : lang === "py"
        ? text === "true"
          ? "True"
          : "False"
        : text;
  if (numeric(kind)) return String(Number(text)) === text ? text : String(Number(text));
  return lang === "sql" ? sqlStr(text) : lang === "r" ? rStr(text) : py(text);
}

function nextDay(day) {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
}

/**
 * The query as code against the published files: `{ pandas, duckdb, r }`. Each reads the
 * Parquet file (types kept), applies the same filters, the same sort (stable, missing values
 * last) or grouping, and gives the rows the explorer shows and downloads, in its order.
 * `columns` holds each column's {name, kind, aware} (aware: date-times in UTC).
 */
export function snippets(query, columns, parquetUrl) {
  const kinds = new Map(columns.map((c) => [c.name, c]));
  return {
    pandas: pandas(query, kinds, parquetUrl),
    duckdb: duckdb(query, kinds, parquetUrl),
    r: rCode(query, kinds, parquetUrl),
  };
}

function pandas(query, kinds, url) {
  const lines = ["import pandas as pd", "", `df = pd.read_parquet(${py(url)})`];
  const conds = query.filters.map((f) => {
    const c = kinds.get(f.column);
    const col = `df[${py(f.column)}]`;
    if (f.op === "contains") {
      const text = c.kind === "string" ? col : `${col}.astype("string")`;
      return `${text}.str.lower().str.contains(${py(f.text.toLowerCase())}, regex=False, na=False)`;
    }
    if (f.op === "in") {
      const values = f.values.filter((v) => v !== null).map((v) => literal(v, c.kind, "py"));
      const parts = [];
      if (values.length) parts.push(`${col}.isin([${values.join(", ")}])`);
      if (f.values.includes(null)) parts.push(`${col}.isna()`);
      return parts.length > 1 ? `(${parts.join(" | ")})` : parts[0];
    }
    const parts = [];
    if (numeric(c.kind)) {
      if (f.min !== null) parts.push(`(${col} >= ${literal(f.min, c.kind, "py")})`);
      if (f.max !== null) parts.push(`(${col} <= ${literal(f.max, c.kind, "py")})`);
    } else if (c.kind === "date") {
      if (f.min !== null) parts.push(`(${col} >= pd.Timestamp(${py(f.min)}).date())`);
      if (f.max !== null) parts.push(`(${col} <= pd.Timestamp(${py(f.max)}).date())`);
    } else {
      const tz = c.aware ? ', tz="UTC"' : "";
      if (f.min !== null) parts.push(`(${col} >= pd.Timestamp(${py(f.min)}${tz}))`);
      if (f.max !== null) parts.push(`(${col} < pd.Timestamp(${py(nextDay(f.max))}${tz}))`);
    }
    return parts.join(" & ");
  });
  if (conds.length) lines.push(`df = df[${conds.join("\n        & ")}]`);
  if (query.group) {
    const by = py(query.group.by);
    const m = query.group.measure;
    const aggs = m
      ? `rows=(${by}, "size"), sum=(${py(m)}, "sum"), mean=(${py(m)}, "mean")`
      : `rows=(${by}, "size")`;
    lines.push(`df = df.groupby(${by}, dropna=False).agg(${aggs}).reset_index()`);
    lines.push(`df = df.sort_values("rows", ascending=False, kind="stable")`);
  } else if (query.sort) {
    lines.push(
      `df = df.sort_values(${py(query.sort.column)}, ascending=${query.sort.desc ? "False" : "True"}, kind="stable", na_position="last")`,
    );
  }
  lines.push("print(df)");
  return lines.join("\n");
}

function duckdb(query, kinds, url) {
  const conds = query.filters.map((f) => {
    const c = kinds.get(f.column);
    const col = sqlId(f.column);
    if (f.op === "contains")
      return `contains(lower(CAST(${col} AS VARCHAR)), ${sqlStr(f.text.toLowerCase())})`;
    if (f.op === "in") {
      const values = f.values.filter((v) => v !== null).map((v) => literal(v, c.kind, "sql"));
      const parts = [];
      if (values.length) parts.push(`${col} IN (${values.join(", ")})`);
      if (f.values.includes(null)) parts.push(`${col} IS NULL`);
      return parts.length > 1 ? `(${parts.join(" OR ")})` : parts[0];
    }
    const parts = [];
    if (numeric(c.kind)) {
      if (f.min !== null) parts.push(`${col} >= ${literal(f.min, c.kind, "sql")}`);
      if (f.max !== null) parts.push(`${col} <= ${literal(f.max, c.kind, "sql")}`);
    } else {
      const day = c.kind === "date" ? col : `CAST(${col} AS DATE)`;
      if (f.min !== null) parts.push(`${day} >= DATE ${sqlStr(f.min)}`);
      if (f.max !== null) parts.push(`${day} <= DATE ${sqlStr(f.max)}`);
    }
    return parts.join(" AND ");
  });
  const where = conds.length ? `\nWHERE ${conds.join("\n  AND ")}` : "";
  const source = `read_parquet(${sqlStr(url)}, file_row_number = true)`;
  const lines = [
    "-- DuckDB (its httpfs extension reads the URL); date-times in UTC",
    "SET TimeZone = 'UTC';",
  ];
  if (query.group) {
    const by = sqlId(query.group.by);
    const m = query.group.measure ? sqlId(query.group.measure) : null;
    const aggs = m ? `count(*) AS rows, sum(${m}) AS sum, avg(${m}) AS mean` : "count(*) AS rows";
    lines.push(
      `SELECT ${by}, ${aggs}\nFROM ${source}${where}\nGROUP BY ${by}\nORDER BY rows DESC, ${by} NULLS LAST;`,
    );
  } else {
    const order = query.sort
      ? `${sqlId(query.sort.column)} ${query.sort.desc ? "DESC" : "ASC"} NULLS LAST, file_row_number`
      : "file_row_number";
    lines.push(`SELECT * EXCLUDE (file_row_number)\nFROM ${source}${where}\nORDER BY ${order};`);
  }
  return lines.join("\n");
}

function rCode(query, kinds, url) {
  const lines = [
    "library(arrow)",
    "library(dplyr)",
    "",
    'path <- tempfile(fileext = ".parquet")',
    `download.file(${rStr(url)}, path, mode = "wb")`,
    "df <- read_parquet(path)",
  ];
  const conds = query.filters.map((f) => {
    const c = kinds.get(f.column);
    const col = rId(f.column);
    if (f.op === "contains")
      return `grepl(${rStr(f.text.toLowerCase())}, tolower(as.character(${col})), fixed = TRUE)`;
    if (f.op === "in") {
      const values = f.values.filter((v) => v !== null).map((v) => literal(v, c.kind, "r"));
      const parts = [];
      if (values.length) parts.push(`${col} %in% c(${values.join(", ")})`);
      if (f.values.includes(null)) parts.push(`is.na(${col})`);
      return parts.length > 1 ? `(${parts.join(" | ")})` : parts[0];
    }
    const parts = [];
    if (numeric(c.kind)) {
      if (f.min !== null) parts.push(`${col} >= ${literal(f.min, c.kind, "r")}`);
      if (f.max !== null) parts.push(`${col} <= ${literal(f.max, c.kind, "r")}`);
    } else {
      const day = c.kind === "date" ? col : `as.Date(${col}, tz = "UTC")`;
      if (f.min !== null) parts.push(`${day} >= as.Date(${rStr(f.min)})`);
      if (f.max !== null) parts.push(`${day} <= as.Date(${rStr(f.max)})`);
    }
    return parts.join(", ");
  });
  if (conds.length) lines.push(`df <- df |> filter(${conds.join(",\n  ")})`);
  if (query.group) {
    const by = rId(query.group.by);
    const m = query.group.measure ? rId(query.group.measure) : null;
    const aggs = m
      ? `rows = n(), sum = sum(${m}, na.rm = TRUE), mean = mean(${m}, na.rm = TRUE)`
      : "rows = n()";
    lines.push(`df <- df |> group_by(${by}) |> summarise(${aggs}) |> arrange(desc(rows))`);
  } else if (query.sort) {
    const col = rId(query.sort.column);
    lines.push(`df <- df |> arrange(${query.sort.desc ? `desc(${col})` : col})`);
  }
  lines.push("print(df)");
  return lines.join("\n");
}
