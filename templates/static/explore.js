// Progressive enhancement for a dataset page: each public resource's preview gets an
// "Explore all rows" button. The explorer (and the Parquet reader it uses, both served from
// this site) is only fetched when the button is pressed, or when the address asks for it.
(() => {
  var here = document.currentScript?.src;
  if (!here || typeof window.fetch !== "function" || !window.Promise) return;
  var module = new URL("explorer/explorer.js", here).href;
  // Every module the explorer imports, fetched side by side rather than one level of imports
  // after another: asked for when a pointer or the focus reaches the button, and on opening.
  var warmed = null;
  var warm = () => {
    warmed =
      warmed ||
      window
        .fetch(new URL("vendor/modules.json", here).href)
        .then((r) => (r.ok ? r.json() : []))
        .then((paths) => {
          for (const path of paths) {
            const link = document.createElement("link");
            link.rel = "modulepreload";
            link.href = new URL(path, here).href;
            document.head.append(link);
          }
        })
        .catch(() => null);
    return warmed;
  };
  var wanted = new URLSearchParams(window.location.hash.replace(/^#/, "")).get("explore");
  document.querySelectorAll("section[data-explore]").forEach((section) => {
    var button = document.createElement("button");
    button.type = "button";
    button.className = "explore-open";
    button.textContent = "Explore all rows: filter, sort, group and download";
    var open = () => {
      button.disabled = true;
      warm();
      import(module)
        .then((m) => m.explore(section))
        .then(() => button.remove())
        .catch((error) => {
          button.disabled = false;
          button.textContent = `The explorer could not start (${error.message}); try again`;
        });
    };
    button.addEventListener("click", open);
    button.addEventListener("pointerenter", warm);
    button.addEventListener("focus", warm);
    var meta = section.querySelector("p.meta");
    (meta || section).after(button);
    if (wanted && wanted === section.getAttribute("data-explore")) open();
  });
})();
