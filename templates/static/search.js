// Catalog search: Pagefind's index (built with the site, served from it) with multi-select
// facets and counts, sorting, and archived datasets excluded unless asked for. The state
// lives in the URL, so a search can be bookmarked and shared.
const app = document.getElementById("search-app");
const FACETS = JSON.parse(app ? app.dataset.facets : "[]"); // [key, label], from the build
const CARD = document.getElementById("card-template");
const PAGE = 20;
const FIRST = 5; // cards shown before the rest of a page's arrive

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
  // Two instances of Pagefind: one finds the results, loading only the filters a search
  // uses (a search then takes a fifth of the time); the other has every facet loaded and
  // counts them (each of its searches scores every facet value).
  const source = new URL(app.dataset.pagefind, document.baseURI).href;
  const [pagefind, counter] = await Promise.all([import(source), import(`${source}?counts`)]);
  for (const instance of [pagefind, counter]) {
    await instance.options({ baseUrl: new URL(app.dataset.root, document.baseURI).pathname });
    await instance.init();
  }
  await counter.filters(); // loads every facet, so its searches count all of them
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

  // Each change searches at once (no typing delay); a newer search makes an older one's
  // answer moot. The results are shown first; facet counts follow.
  async function run() {
    const mine = ++token;
    const started = performance.now();
    app.setAttribute("aria-busy", "true");
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
    shown = search.results;
    // the first cards as soon as their details arrive, the rest of the page after
    const cards = shown.slice(0, PAGE).map((r) => r.data());
    const first = await Promise.all(cards.slice(0, FIRST));
    if (mine !== token) return;
    results.replaceChildren(...first.map(cardOf));
    count.textContent = `${shown.length} dataset${shown.length === 1 ? "" : "s"} found`;
    app.dataset.resultsMs = String(Math.round(performance.now() - started)); // for benchmarks
    // Disjunctive facets: a facet's counts apply every other facet's selection but not its
    // own, so more values of it can still be added (agency A or agency B). The counting
    // instance runs them all at once, while the rest of the cards arrive.
    const chosen = Object.keys(state.filters).filter((key) => (state.filters[key] || []).length);
    const counting = Promise.all([
      counter.search(term, { filters }),
      ...chosen.map((key) => {
        const others = { ...filters };
        delete others[key];
        return counter.search(term, { filters: others });
      }),
    ]);
    const rest = await Promise.all(cards.slice(FIRST));
    if (mine !== token) return;
    results.append(...rest.map(cardOf));
    more.hidden = results.children.length >= shown.length;
    const [all, ...wider] = await counting;
    if (mine !== token) return;
    const counts = { ...(all?.filters || {}) };
    chosen.forEach((key, i) => {
      counts[key] = wider[i]?.filters?.[key] || counts[key];
    });
    renderFacets(counts);
    app.dataset.facetsMs = String(Math.round(performance.now() - started));
    app.removeAttribute("aria-busy");
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

  q.addEventListener("input", () => {
    state.q = q.value;
    run();
  });
  document.getElementById("search-form").addEventListener("submit", (event) => {
    event.preventDefault();
    if (state.q === q.value) return; // typing already searched for it
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
