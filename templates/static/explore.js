// Progressive enhancement for a dataset page: each public resource's preview gets an
// "Explore all rows" button. The explorer (and the Parquet reader it uses, both served from
// this site) is only fetched when the button is pressed, or when the address asks for it.
(() => {
  var here = document.currentScript?.src;
  if (!here || typeof window.fetch !== "function" || !window.Promise) return;
  var module = new URL("explorer/explorer.js", here).href;
  var wanted = new URLSearchParams(window.location.hash.replace(/^#/, "")).get("explore");
  document.querySelectorAll("section[data-explore]").forEach((section) => {
    var button = document.createElement("button");
    button.type = "button";
    button.className = "explore-open";
    button.textContent = "Explore all rows: filter, sort, group and download";
    var open = () => {
      button.disabled = true;
      import(module)
        .then((m) => m.explore(section))
        .then(() => button.remove())
        .catch((error) => {
          button.disabled = false;
          button.textContent = `The explorer could not start (${error.message}); try again`;
        });
    };
    button.addEventListener("click", open);
    var meta = section.querySelector("p.meta");
    (meta || section).after(button);
    if (wanted && wanted === section.getAttribute("data-explore")) open();
  });
})();
