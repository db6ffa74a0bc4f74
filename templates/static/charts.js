// Progressive enhancement: replace each pre-rendered SVG chart with an interactive Vega
// view (tooltips). The Vega runtime is served from this site; if anything fails, the SVG
// stays. The pages' Content-Security-Policy allows no eval and no inline style: Vega
// evaluates expressions with its interpreter (ast), and its styles are in style.css.
(() => {
  if (typeof window.vegaEmbed !== "function" || typeof window.fetch !== "function") return;
  document.querySelectorAll("[data-vega-spec]").forEach((el) => {
    var img = el.querySelector("img");
    var url = new URL(el.getAttribute("data-vega-spec"), window.location.href);
    window
      .fetch(url.href)
      .then((r) => {
        if (!r.ok) throw new Error(String(r.status));
        return r.json();
      })
      .then((spec) => {
        var target = document.createElement("div");
        target.className = "vega-target";
        target.setAttribute("role", "img");
        target.setAttribute("aria-label", img ? img.alt : "Chart");
        el.appendChild(target);
        return window
          .vegaEmbed(target, spec, {
            actions: false,
            renderer: "svg",
            ast: true,
            // a map whose shapes are linked names them relative to its spec's folder
            loader: { baseURL: new URL(".", url).href },
            defaultStyle: false,
            tooltip: { disableDefaultStyle: true },
          })
          .then(
            () => {
              if (img) img.hidden = true;
              el.classList.add("interactive");
            },
            () => {
              target.remove();
            },
          );
      })
      .catch(() => {
        /* keep the static SVG */
      });
  });
})();
