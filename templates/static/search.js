// Catalog search: Pagefind's index (built with the site, served from it) with multi-select
// facets and counts, sorting, and archived datasets excluded unless asked for. The state
// lives in the URL, so a search can be bookmarked and shared.
const app = document.getElementById("search-app");
const FACETS = JSON.parse(app ? app.dataset.facets : "[]"); // [key, label], from the build
const CARD = document.getElementById("card-template");
const PAGE = 20;

const el = (tag, props = {}, ...children) => {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (k === "class") node.className = v;
    else if (k === "text") node.textContent = v;
    else node.setAttribute(k, v);
  }
  for (const c of children) node.append(c);
  return node;
};

// Pagefind's excerpt is escaped text with <mark> around matches: keep exactly that, as
// text nodes and <mark> elements, whatever else it might contain.
function excerptOf(html) {
  const tpl = document.createElement("template");
  tpl.innerHTML = html || "";
  const p = el("p");
  for (const node of tpl.content.childNodes) {
    if (node.nodeName === "MARK") p.append(el("mark", { text: node.textContent }));
    else p.append(document.createTextNode(node.textContent));
  }
  return p;
}

// A result's card: a copy of the card the site renders everywhere (the template on this
// page), its parts filled from what the dataset page gave Pagefind, the excerpt for summary.
function cardOf(data) {
  const meta = data.meta || {};
  const node = CARD.content.firstElementChild.cloneNode(true);
  const slot = (name) => node.querySelector(`[data-slot="${name}"]`);
  node.dataset.category = meta.category || "";
  const title = slot("title");
  title.href = data.url;
  title.textContent = meta.title || data.url;
  if (meta.status !== "archived") slot("archived").remove();
  if (meta.access === "public") slot("access").remove();
  else slot("access").textContent = meta.access_label || meta.access || "";
  slot("meta").textContent = meta.card_meta || "";
  slot("summary").replaceWith(excerptOf(data.excerpt));
  return node;
}

function readState() {
  const params = new URLSearchParams(window.location.search);
  const filters = {};
  for (const [key] of FACETS) {
    const values = params.getAll(key);
    if (values.length) filters[key] = values;
  }
  return {
    q: params.get("q") || "",
    sort: params.get("sort") || "",
    archived: params.get("archived") === "1",
    filters,
  };
}

function writeState(state) {
  const params = new URLSearchParams();
  if (state.q) params.set("q", state.q);
  if (state.sort) params.set("sort", state.sort);
  if (state.archived) params.set("archived", "1");
  for (const [key, values] of Object.entries(state.filters))
    for (const v of values) params.append(key, v);
  const query = params.toString();
  window.history.replaceState(null, "", query ? `?${query}` : window.location.pathname);
}

async function main() {
  const pagefind = await import(new URL(app.dataset.pagefind, document.baseURI).href);
  await pagefind.options({ baseUrl: new URL(app.dataset.root, document.baseURI).pathname });
  await pagefind.init();
  await pagefind.filters(); // loads every facet, so searches report counts for all of them
  app.hidden = false;
  const state = readState();
  const q = document.getElementById("search-q");
  const sort = document.getElementById("search-sort");
  const archived = document.getElementById("search-archived");
  const facets = document.getElementById("search-facets");
  const results = document.getElementById("search-results");
  const count = document.getElementById("search-count");
  const more = document.getElementById("search-more");
  q.value = state.q;
  sort.value = state.sort;
  archived.checked = state.archived;
  let shown = [];
  let token = 0;

  async function run() {
    const mine = ++token;
    writeState(state);
    const filters = {};
    for (const [key, values] of Object.entries(state.filters))
      if (values.length) filters[key] = { any: values };
    if (!state.archived) filters.status = "published";
    const options = { filters };
    if (state.sort === "modified") options.sort = { modified: "desc" };
    if (state.sort === "title") options.sort = { title: "asc" };
    const term = state.q.trim() || null;
    if (!term && !state.sort) options.sort = { title: "asc" };
    const search = await pagefind.search(term, options);
    if (mine !== token || !search) return;
    // Disjunctive facets: a facet's counts apply every other facet's selection but not its
    // own, so more values of it can still be added (agency A or agency B).
    const counts = { ...(search.filters || {}) };
    for (const key of Object.keys(state.filters)) {
      if (!(state.filters[key] || []).length) continue;
      const others = { ...filters };
      delete others[key];
      const wider = await pagefind.search(term, { filters: others });
      if (mine !== token) return;
      counts[key] = wider?.filters?.[key] || counts[key];
    }
    renderFacets(counts);
    shown = search.results;
    results.replaceChildren();
    await renderMore(mine);
    if (mine === token)
      count.textContent = `${shown.length} dataset${shown.length === 1 ? "" : "s"} found`;
  }

  async function renderMore(mine) {
    const start = results.children.length;
    const batch = await Promise.all(shown.slice(start, start + PAGE).map((r) => r.data()));
    if (mine !== token) return;
    for (const data of batch) {
      results.append(cardOf(data));
    }
    more.hidden = results.children.length >= shown.length;
  }

  const facetIds = new Map(); // one id per facet value for the page's life: focus survives re-sorting

  function renderFacets(counts) {
    const focused = document.activeElement?.id;
    facets.replaceChildren();
    FACETS.forEach(([key, label]) => {
      const values = Object.entries(counts[key] || {}).filter(
        ([v, n]) => n > 0 || (state.filters[key] || []).includes(v),
      );
      if (!values.length) return;
      values.sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
      const box = el("fieldset", { class: "facet" }, el("legend", { text: label }));
      values.forEach(([value, n]) => {
        const idKey = `${key}\u0000${value}`;
        if (!facetIds.has(idKey)) facetIds.set(idKey, `f-${facetIds.size}`);
        const id = facetIds.get(idKey);
        const input = el("input", { type: "checkbox", id, name: key, value });
        input.checked = (state.filters[key] || []).includes(value);
        input.addEventListener("change", () => {
          const set = new Set(state.filters[key] || []);
          if (input.checked) set.add(value);
          else set.delete(value);
          state.filters[key] = [...set];
          run();
        });
        box.append(
          el(
            "div",
            { class: "facet-option" },
            input,
            el("label", { for: id }, `${value} `, el("span", { class: "count", text: `(${n})` })),
          ),
        );
      });
      facets.append(box);
    });
    if (focused) {
      const again = document.getElementById(focused);
      if (again) again.focus();
    }
  }

  let timer;
  q.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      state.q = q.value;
      run();
    }, 200);
  });
  document.getElementById("search-form").addEventListener("submit", (event) => {
    event.preventDefault();
    clearTimeout(timer); // the typing's delayed search is this one
    state.q = q.value;
    run();
  });
  sort.addEventListener("change", () => {
    state.sort = sort.value;
    run();
  });
  archived.addEventListener("change", () => {
    state.archived = archived.checked;
    run();
  });
  more.addEventListener("click", () => renderMore(token));
  await run();
}

if (app) {
  main().catch(() => {
    document.getElementById("search-count").textContent =
      "Search could not load. Browse the lists instead.";
    app.hidden = false;
  });
}
