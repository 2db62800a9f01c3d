// Autocomplete for the header's search box: an ARIA 1.2 combobox with a listbox popup.
// Progressive enhancement: without this script the box is a plain search form.
// Suggestions come from the ranked name search, /search?format=json&limit=8 (sdkg.names).
(function () {
  "use strict";
  const input = document.getElementById("site-search");
  if (!input || !window.fetch) return;
  const form = input.form;
  const list = document.createElement("ul");
  list.id = "site-search-options";
  list.setAttribute("role", "listbox");
  list.setAttribute("aria-label", "Suggestions");
  list.className = "autocomplete";
  list.hidden = true;
  form.appendChild(list);
  const status = document.createElement("div");
  status.className = "visually-hidden";
  status.setAttribute("role", "status");
  form.appendChild(status);
  input.setAttribute("role", "combobox");
  input.setAttribute("aria-autocomplete", "list");
  input.setAttribute("aria-expanded", "false");
  input.setAttribute("aria-controls", list.id);
  input.setAttribute("autocomplete", "off");

  let active = -1;
  let hits = [];
  let pending = null;
  let asked = "";

  function close() {
    list.hidden = true;
    active = -1;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
  }

  function highlight(index) {
    const options = list.querySelectorAll("[role=option]");
    options.forEach((option, i) => option.setAttribute("aria-selected", String(i === index)));
    active = index;
    if (index >= 0) {
      input.setAttribute("aria-activedescendant", options[index].id);
      options[index].scrollIntoView({ block: "nearest" });
    } else {
      input.removeAttribute("aria-activedescendant");
    }
  }

  function show(found) {
    hits = found;
    list.replaceChildren();
    found.forEach((hit, i) => {
      const option = document.createElement("li");
      option.id = "site-search-option-" + i;
      option.setAttribute("role", "option");
      option.setAttribute("aria-selected", "false");
      const name = document.createElement("span");
      name.textContent = hit.label;
      option.appendChild(name);
      const extra = [hit.kind, hit.matched !== hit.label ? "“" + hit.matched + "”" : ""]
        .filter(Boolean).join(" · ");
      if (extra) {
        const small = document.createElement("span");
        small.className = "muted small";
        small.textContent = " " + extra;
        option.appendChild(small);
      }
      option.addEventListener("mousedown", (event) => {
        event.preventDefault(); // keep focus in the box until we navigate
        window.location.href = hit.url;
      });
      list.appendChild(option);
    });
    status.textContent = found.length
      ? found.length + " suggestion" + (found.length === 1 ? "" : "s") + "; arrow keys to choose"
      : "no suggestions";
    if (found.length) {
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
      active = -1;
    } else {
      close();
    }
  }

  function ask() {
    const text = input.value.trim();
    if (text === asked) return;
    asked = text;
    if (!text) { show([]); return; }
    fetch("/search?format=json&limit=8&q=" + encodeURIComponent(text), {
      headers: { Accept: "application/json" },
    })
      .then((response) => (response.ok ? response.json() : { hits: [] }))
      .then((body) => { if (input.value.trim() === text) show(body.hits); })
      .catch(() => close());
  }

  input.addEventListener("input", () => {
    clearTimeout(pending);
    pending = setTimeout(ask, 150);
  });
  input.addEventListener("keydown", (event) => {
    if (event.key === "ArrowDown") {
      if (list.hidden) { asked = ""; ask(); return; }
      event.preventDefault();
      highlight(Math.min(active + 1, hits.length - 1));
    } else if (event.key === "ArrowUp" && !list.hidden) {
      event.preventDefault();
      highlight(Math.max(active - 1, -1));
    } else if (event.key === "Enter" && !list.hidden && active >= 0) {
      event.preventDefault();
      window.location.href = hits[active].url;
    } else if (event.key === "Escape" && !list.hidden) {
      event.preventDefault();
      close();
    }
  });
  input.addEventListener("blur", () => setTimeout(close, 100));
})();
