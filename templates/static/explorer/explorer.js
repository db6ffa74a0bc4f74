// The explorer's page: a real table over all rows of a published resource, with filters,
// sort, paging, grouping, the view in the address, a download of exactly the rows shown and
// the same query as code. Built with DOM calls only (text is never parsed as HTML).

import { openTable } from "./engine.js";
import {
  emptyQuery,
  fromHash,
  hashResource,
  numeric,
  opsFor,
  shown,
  snippets,
  toHash,
  validBounds,
} from "./query.js";

const PAGE = 50;
const PICK_MOST = 50; // a column with at most this many values offers them as a list
const number = new Intl.NumberFormat("en-US");
const decimal = new Intl.NumberFormat("en-US", { maximumFractionDigits: 4 });

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k === "text") node.textContent = v;
    else if (k === "on")
      for (const [event, fn] of Object.entries(v)) node.addEventListener(event, fn);
    else node.setAttribute(k, v === true ? "" : v);
  }
  for (const c of children) if (c !== null && c !== undefined) node.append(c);
  return node;
}

let counter = 0;

/** Open the explorer in a resource's preview section (data-explore, data-parquet, data-csv). */
export async function explore(section) {
  const name = section.getAttribute("data-explore");
  counter += 1;
  const id = `explorer-${counter}`;
  const heading = el("h3", { id: `${id}-h`, tabindex: "-1", text: "Explore all rows" });
  const status = el("p", {
    class: "explorer-count",
    role: "status",
    "aria-live": "polite",
    text: "Reading the published Parquet file…",
  });
  const box = el(
    "div",
    { class: "explorer", role: "region", "aria-labelledby": `${id}-h` },
    heading,
    status,
  );
  section.append(box);
  heading.focus();
  let table;
  try {
    table = await openTable({
      parquet: section.getAttribute("data-parquet"),
      parquetBytes: Number(section.getAttribute("data-parquet-bytes")) || undefined,
      csv: section.getAttribute("data-csv"),
    });
  } catch (error) {
    status.textContent = `The explorer could not read this resource (${error.message}); the preview below shows its first rows.`;
    return null;
  }
  const view = new Explorer(box, section, name, table, id, status);
  const follow = () => {
    const owned = hashResource(window.location.hash) === name;
    const { query, ignored } = owned
      ? fromHash(window.location.hash, table.columns)
      : { query: emptyQuery(), ignored: [] };
    view.query = query;
    view.note(ignored.length ? `Ignored from the link: ${ignored.join("; ")}.` : "");
    return view.refresh(false);
  };
  // a link to another view of this resource, followed from this page
  window.addEventListener("hashchange", () => {
    if (hashResource(window.location.hash) === name) follow();
  });
  await follow();
  return view;
}

class Explorer {
  constructor(box, section, name, table, id, status) {
    Object.assign(this, { box, section, name, table, id, status });
    this.query = emptyQuery();
    this.picked = null;
    this.groups = null;
    this.run = 0;
    this.notes = el("p", { class: "explorer-note", hidden: true });
    this.filterList = el("ul", { class: "explorer-filters", "aria-label": "Filters" });
    this.table_ = el("table", { class: "preview explorer-table" });
    this.pager = el("nav", { class: "explorer-pager", "aria-label": "Pages of rows" });
    this.code = el("div", { class: "explorer-code" });
    this.download = el("button", {
      type: "button",
      text: "Download these rows (CSV)",
      on: { click: () => this.save() },
    });
    box.append(
      this.notes,
      this.filterForm(),
      this.filterList,
      this.groupForm(),
      el(
        "div",
        {
          class: "scroll preview-wrap",
          role: "region",
          "aria-label": `Rows of ${name}`,
          tabindex: "0",
        },
        this.table_,
      ),
      this.pager,
      el("p", { class: "explorer-actions" }, this.download),
      el(
        "details",
        { class: "explorer-snippets" },
        el("summary", { text: "Use this in code" }),
        this.code,
      ),
    );
    status.before(this.notes);
    box.insertBefore(status, this.table_.parentNode);
  }

  note(text) {
    this.notes.textContent = text;
    this.notes.hidden = !text;
  }

  // ---- forms ---------------------------------------------------------------------------

  filterForm() {
    const id = this.id;
    const columns = this.table.columns;
    const column = el(
      "select",
      { id: `${id}-col` },
      ...columns.map((c, i) => el("option", { value: String(i), text: c.name })),
    );
    const op = el("select", { id: `${id}-op` });
    const inputs = el("span", { class: "explorer-inputs" });
    const form = el(
      "form",
      { class: "explorer-form" },
      el(
        "fieldset",
        {},
        el("legend", { text: "Filter" }),
        el("label", { for: `${id}-col`, text: "Column " }),
        column,
        " ",
        el("label", { for: `${id}-op`, text: "Rows where it " }),
        op,
        " ",
        inputs,
        " ",
        el("button", { type: "submit", text: "Add filter" }),
      ),
    );
    const labels = { contains: "contains", is: "is exactly", in: "is one of", range: "is between" };
    const fillOps = () => {
      const c = columns[Number(column.value)];
      const ops = opsFor(c.kind).flatMap((o) =>
        o === "in" && c.kind === "string" ? ["is", "in"] : [o],
      );
      op.replaceChildren(...ops.map((o) => el("option", { value: o, text: labels[o] })));
      fillInputs();
    };
    const fillInputs = async () => {
      const c = columns[Number(column.value)];
      const which = op.value;
      inputs.replaceChildren();
      if (which === "contains" || which === "is") {
        inputs.append(
          el("label", { for: `${id}-text`, class: "visually-hidden", text: "Text" }),
          el("input", { id: `${id}-text`, type: "text", required: true }),
        );
      } else if (which === "range") {
        const type = c.kind === "date" || c.kind === "datetime" ? "date" : "text";
        const mode = type === "text" ? "decimal" : null;
        inputs.append(
          el("label", { for: `${id}-min`, text: "from " }),
          el("input", { id: `${id}-min`, type, inputmode: mode, size: "10" }),
          el("label", { for: `${id}-max`, text: " to " }),
          el("input", { id: `${id}-max`, type, inputmode: mode, size: "10" }),
        );
      } else if (which === "in") {
        inputs.append(el("span", { text: "reading the values…" }));
        const values = await this.table.values(c.name, null, PICK_MOST);
        if (column.value !== String(columns.indexOf(c)) || op.value !== "in") return;
        if (values === null) {
          inputs.replaceChildren(
            el("span", { text: `more than ${PICK_MOST} different values: use another filter` }),
          );
          return;
        }
        const list = el(
          "fieldset",
          { class: "explorer-values" },
          el("legend", { text: `Values of ${c.name}` }),
        );
        values.forEach(([value, count], k) => {
          const boxId = `${id}-v${k}`;
          list.append(
            el(
              "div",
              {},
              el("input", {
                type: "checkbox",
                id: boxId,
                "data-value": value === null ? null : value,
                "data-missing": value === null ? "1" : null,
              }),
              el("label", {
                for: boxId,
                text: ` ${value === null ? "(missing)" : value === "" ? "(empty text)" : value} (${number.format(count)})`,
              }),
            ),
          );
        });
        inputs.replaceChildren(list);
      }
    };
    column.addEventListener("change", fillOps);
    op.addEventListener("change", fillInputs);
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const c = columns[Number(column.value)];
      const filter = this.readFilter(c, op.value, inputs);
      if (!filter) return;
      this.query.filters.push(filter);
      this.query.page = 0;
      this.refresh(true);
    });
    fillOps();
    return form;
  }

  readFilter(c, op, inputs) {
    const value = (suffix) => inputs.querySelector(`#${this.id}-${suffix}`)?.value ?? "";
    if (op === "contains" || op === "is") {
      const text = value("text");
      if (!text) return this.fail("Type the text to look for.");
      return op === "contains"
        ? { column: c.name, op, text }
        : { column: c.name, op: "in", values: [text] };
    }
    if (op === "range") {
      const min = value("min").trim() || null;
      const max = value("max").trim() || null;
      if (min === null && max === null) return this.fail("Give at least one bound.");
      if (!validBounds(c.kind, min, max))
        return this.fail(
          c.kind === "date" || c.kind === "datetime"
            ? "Give dates as YYYY-MM-DD."
            : "Give the bounds as numbers, such as 10 or 2.5.",
        );
      return { column: c.name, op, min, max };
    }
    const boxes = [...inputs.querySelectorAll("input[type=checkbox]:checked")];
    if (!boxes.length) return this.fail("Tick at least one value.");
    return {
      column: c.name,
      op: "in",
      values: boxes.map((b) =>
        b.hasAttribute("data-missing") ? null : b.getAttribute("data-value"),
      ),
    };
  }

  fail(text) {
    this.note(text);
    return null;
  }

  groupForm() {
    const id = this.id;
    const columns = this.table.columns;
    const numbers = columns.filter((c) => numeric(c.kind));
    const by = el(
      "select",
      { id: `${id}-by` },
      el("option", { value: "", text: "(no grouping)" }),
      ...columns.map((c) => el("option", { value: c.name, text: c.name })),
    );
    const measure = el(
      "select",
      { id: `${id}-measure` },
      el("option", { value: "", text: "(rows only)" }),
      ...numbers.map((c) => el("option", { value: c.name, text: c.name })),
    );
    this.groupBy = by;
    this.groupMeasure = measure;
    const form = el(
      "form",
      { class: "explorer-form" },
      el(
        "fieldset",
        {},
        el("legend", { text: "Group" }),
        el("label", { for: `${id}-by`, text: "Group by " }),
        by,
        " ",
        el("label", { for: `${id}-measure`, text: "count, sum and mean of " }),
        measure,
        " ",
        el("button", { type: "submit", text: "Apply" }),
      ),
    );
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      this.query.group = by.value ? { by: by.value, measure: measure.value || null } : null;
      this.query.page = 0;
      this.refresh(true);
    });
    return form;
  }

  // ---- the view ------------------------------------------------------------------------

  async refresh(remember) {
    this.run += 1;
    const run = this.run;
    const q = this.query;
    if (remember) {
      this.note("");
      const hash = toHash(this.name, q);
      window.history.replaceState(null, "", `#${hash}`);
    }
    this.groupBy.value = q.group ? q.group.by : "";
    this.groupMeasure.value = q.group?.measure || "";
    this.renderFilters();
    this.status.textContent = "Working…";
    this.box.setAttribute("aria-busy", "true");
    const started = performance.now();
    try {
      const picked = await this.table.select(q);
      const groups = q.group ? await this.table.group(q, picked) : null;
      if (run !== this.run) return;
      this.picked = picked;
      this.groups = groups;
      const count = picked === null ? this.table.rows : picked.length;
      const total = number.format(this.table.rows);
      const rows = groups
        ? `${number.format(groups.length)} groups of ${number.format(count)} rows`
        : `${number.format(count)} of ${total} rows`;
      const size = groups ? groups.length : count;
      const pages = Math.max(1, Math.ceil(size / PAGE));
      if (q.page >= pages) q.page = pages - 1;
      await this.renderRows(run, size);
      if (run !== this.run) return;
      this.status.textContent = groups ? rows : `${rows}${q.filters.length ? " match" : ""}`;
      this.renderPager(size, pages);
      this.renderCode();
      this.section
        .querySelector(".preview-wrap:not(.explorer .preview-wrap)")
        ?.setAttribute("hidden", "");
      this.box.setAttribute("data-ms", String(Math.round(performance.now() - started))); // for benchmarks
    } catch (error) {
      if (run === this.run)
        this.status.textContent = `The explorer could not do that: ${error.message}`;
    } finally {
      if (run === this.run) this.box.removeAttribute("aria-busy");
    }
  }

  renderFilters() {
    const labels = (f) => {
      if (f.op === "contains") return `${f.column} contains “${f.text}”`;
      if (f.op === "in")
        return `${f.column} is ${f.values.map((v) => (v === null ? "(missing)" : `“${v}”`)).join(" or ")}`;
      if (f.min !== null && f.max !== null) return `${f.column} from ${f.min} to ${f.max}`;
      return f.min !== null ? `${f.column} at least ${f.min}` : `${f.column} at most ${f.max}`;
    };
    this.filterList.replaceChildren(
      ...this.query.filters.map((f, k) => {
        const text = labels(f);
        return el(
          "li",
          {},
          el("span", { text }),
          " ",
          el("button", {
            type: "button",
            "aria-label": `Remove the filter: ${text}`,
            text: "Remove",
            on: {
              click: () => {
                this.query.filters.splice(k, 1);
                this.query.page = 0;
                this.refresh(true);
              },
            },
          }),
        );
      }),
    );
  }

  async renderRows(run, size) {
    const q = this.query;
    const start = q.page * PAGE;
    const end = Math.min(start + PAGE, size);
    let header;
    let body;
    if (this.groups) {
      const m = q.group.measure;
      const names = [q.group.by, "rows", ...(m ? [`sum of ${m}`, `mean of ${m}`] : [])];
      header = names.map((n) => el("th", { scope: "col", text: n }));
      const kind = this.table.kinds.get(q.group.by);
      body = this.groups
        .slice(start, end)
        .map((g) =>
          el(
            "tr",
            {},
            el("td", { text: g.key === null ? "(missing)" : shown(g.key, kind) }),
            el("td", { class: "num", text: number.format(g.rows) }),
            ...(m
              ? [
                  el("td", { class: "num", text: g.sum === null ? "" : decimal.format(g.sum) }),
                  el("td", { class: "num", text: g.mean === null ? "" : decimal.format(g.mean) }),
                ]
              : []),
          ),
        );
    } else {
      const indices = [];
      for (let i = start; i < end; i++) indices.push(this.picked === null ? i : this.picked[i]);
      const rows = await this.table.rowsAt(indices);
      if (run !== this.run) return;
      header = this.table.columns.map((c) => {
        const sorted = q.sort && q.sort.column === c.name;
        const next = sorted ? (q.sort.desc ? "no order" : "descending") : "ascending";
        return el(
          "th",
          { scope: "col", "aria-sort": sorted ? (q.sort.desc ? "descending" : "ascending") : null },
          el("button", {
            type: "button",
            class: "sort",
            text: `${c.name}${sorted ? (q.sort.desc ? " ▼" : " ▲") : ""}`,
            "aria-label": `${c.name}: sort ${next}`,
            on: { click: () => this.sortBy(c.name) },
          }),
        );
      });
      body = rows.map((row) =>
        el(
          "tr",
          {},
          ...row.map((v, k) => {
            const c = this.table.columns[k];
            return el("td", {
              class: numeric(c.kind) ? "num" : null,
              text: v === null ? "" : shown(v, c.kind) + (c.aware ? "Z" : ""),
            });
          }),
        ),
      );
    }
    const caption = el("caption", { class: "visually-hidden", text: `Rows of ${this.name}` });
    this.table_.replaceChildren(
      caption,
      el("thead", {}, el("tr", {}, ...header)),
      el("tbody", {}, ...body),
    );
  }

  sortBy(column) {
    const s = this.query.sort;
    this.query.sort =
      !s || s.column !== column ? { column, desc: false } : s.desc ? null : { column, desc: true };
    this.query.page = 0;
    this.refresh(true).then(() => {
      const header = [...this.table_.querySelectorAll("th button.sort")].find(
        (b) => b.textContent.replace(/ [▲▼]$/, "") === column,
      );
      header?.focus();
    });
  }

  renderPager(size, pages) {
    const q = this.query;
    const first = size ? q.page * PAGE + 1 : 0;
    const last = Math.min((q.page + 1) * PAGE, size);
    const go = (page) => () => {
      q.page = page;
      this.refresh(true);
    };
    this.pager.replaceChildren(
      el("button", {
        type: "button",
        text: "Previous",
        disabled: q.page === 0,
        on: { click: go(q.page - 1) },
      }),
      el("span", {
        text: ` ${this.groups ? "Groups" : "Rows"} ${number.format(first)}–${number.format(last)} of ${number.format(size)} (page ${number.format(q.page + 1)} of ${number.format(pages)}) `,
      }),
      el("button", {
        type: "button",
        text: "Next",
        disabled: q.page >= pages - 1,
        on: { click: go(q.page + 1) },
      }),
    );
  }

  renderCode() {
    const url = new URL(this.section.getAttribute("data-parquet"), window.location.href).href;
    const code = snippets(this.query, this.table.columns, url);
    this.code.replaceChildren(
      ...[
        ["Python (pandas)", code.pandas],
        ["DuckDB (SQL)", code.duckdb],
        ["R (arrow and dplyr)", code.r],
      ].flatMap(([title, text]) => [
        el("h4", { text: title }),
        el("pre", {}, el("code", { text })),
      ]),
    );
  }

  // ---- download ------------------------------------------------------------------------

  async save() {
    const q = this.query;
    const base = this.name.replace(/[^A-Za-z0-9_-]+/g, "-");
    let parts;
    try {
      if (this.groups) {
        const m = q.group.measure;
        const kind = this.table.kinds.get(q.group.by);
        const lines = [[q.group.by, "rows", ...(m ? [`sum of ${m}`, `mean of ${m}`] : [])]];
        for (const g of this.groups)
          lines.push([
            g.key === null ? "" : shown(g.key, kind),
            String(g.rows),
            ...(m
              ? [g.sum === null ? "" : String(g.sum), g.mean === null ? "" : String(g.mean)]
              : []),
          ]);
        parts = [`${lines.map((line) => line.map(csvCell).join(",")).join("\r\n")}\r\n`];
      } else {
        this.status.textContent = "Reading the published CSV for the download…";
        parts = await this.table.csvRecords(this.picked, (bytes) => {
          this.status.textContent = `Reading the published CSV for the download… ${number.format(Math.round(bytes / 1e6))} MB`;
        });
      }
    } catch (error) {
      this.status.textContent = `The download failed: ${error.message}`;
      return;
    }
    const blob = new Blob(parts, { type: "text/csv" });
    const link = el("a", {
      href: URL.createObjectURL(blob),
      download: `${base}-${this.groups ? "grouped" : "filtered"}.csv`,
      hidden: true,
    });
    document.body.append(link);
    link.click();
    link.remove();
    window.setTimeout(() => URL.revokeObjectURL(link.href), 60000);
    const count = this.groups
      ? this.groups.length
      : this.picked === null
        ? this.table.rows
        : this.picked.length;
    this.status.textContent = `Downloaded ${number.format(count)} ${this.groups ? "groups" : "rows"} as CSV.`;
  }
}

function csvCell(text) {
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}
