// The query page: examples from /examples.json, results from /sparql, drawn with DOM text nodes
// only (never innerHTML), so values from the graph cannot inject markup.
"use strict";

const ID = "https://w3id.org/hled/id/";

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) node.setAttribute(name, value);
  for (const child of children) node.append(child);
  return node;
}

// INVISIBLE comes from /static/invisible.js, which the server makes from hled_graph.visible: the
// characters its reveal writes out, so a right-to-left override cannot reorder what the page shows,
// and a label reads the same here as on every page the server renders.

function reveal(text) {
  return text.replace(INVISIBLE, (c) => "\u27E8U+" + c.codePointAt(0).toString(16).toUpperCase().padStart(4, "0") + "\u27E9");
}

function termNode(term) {
  if (!term) return "";
  if (term.type === "uri") {
    const local = term.value.startsWith(ID) ? "/id/" + term.value.slice(ID.length) : null;
    const shown = reveal(term.value);
    if (local) return el("a", { href: local, title: shown }, reveal(term.value.slice(ID.length)));
    if (/^https?:\/\//.test(term.value)) return el("a", { href: term.value, rel: "noopener" }, shown);
    return shown;
  }
  if (term.type === "literal") {
    const extra = term["xml:lang"] ? " @" + term["xml:lang"] : "";
    return reveal(term.value) + extra;
  }
  if (term.type === "bnode") return reveal("_:" + term.value);
  return reveal(JSON.stringify(term.value)); // a quoted triple: JSON.stringify keeps U+202E as it is
}

function showTable(data, truncated) {
  const results = document.getElementById("results");
  results.replaceChildren();
  if ("boolean" in data) {
    results.append(el("p", { class: "boolean" }, "Answer: " + String(data.boolean)));
    return;
  }
  const vars = data.head.vars;
  const rows = data.results.bindings;
  const summary = rows.length + (rows.length === 1 ? " row" : " rows") + (truncated ? " (cut at the row limit)" : "");
  results.append(el("p", { class: "summary" }, summary));
  const head = el("tr", {}, ...vars.map((v) => el("th", { scope: "col" }, v)));
  const body = rows.map((row) => el("tr", {}, ...vars.map((v) => el("td", {}, termNode(row[v])))));
  results.append(el("table", { class: "results" }, el("thead", {}, head), el("tbody", {}, ...body)));
}

function showText(text) {
  const results = document.getElementById("results");
  results.replaceChildren(el("pre", { class: "rdf" }, reveal(text)));
}

async function run(event) {
  const format = document.getElementById("download-format").value;
  if (format) return; // let the form post and the browser download the answer
  event.preventDefault();
  const status = document.getElementById("status");
  const query = document.getElementById("query").value;
  status.textContent = "Running…";
  const started = performance.now();
  try {
    const response = await fetch("/sparql", {
      method: "POST",
      headers: {
        "Content-Type": "application/x-www-form-urlencoded",
        Accept: "application/sparql-results+json, text/turtle;q=0.9, application/json;q=0.5",
      },
      body: new URLSearchParams({ query }),
    });
    const type = response.headers.get("Content-Type") || "";
    const elapsed = Math.round(performance.now() - started);
    if (!response.ok) {
      const text = await response.text();
      let message = text;
      try { message = JSON.parse(text).message; } catch (_) { /* plain text error */ }
      status.textContent = "";
      document.getElementById("results").replaceChildren(el("p", { class: "error" }, response.status + ": " + reveal(String(message))));
      return;
    }
    status.textContent = "Done in " + elapsed + " ms.";
    if (type.startsWith("application/sparql-results+json")) {
      showTable(await response.json(), response.headers.has("HLED-Results-Truncated"));
    } else {
      showText(await response.text());
    }
  } catch (error) {
    status.textContent = "The endpoint did not answer: " + error;
  }
}

async function loadExamples() {
  const list = document.getElementById("example-list");
  try {
    const examples = await (await fetch("/examples.json")).json();
    list.replaceChildren(...examples.map((example) => {
      const button = el("button", { type: "button", title: example.question || example.title }, example.title);
      button.addEventListener("click", () => {
        document.getElementById("query").value = example.text;
        document.getElementById("query-form").requestSubmit();
      });
      return el("li", {}, button);
    }));
    if (!examples.length) list.replaceChildren(el("li", {}, "No example queries are installed."));
  } catch (error) {
    list.replaceChildren(el("li", {}, "Could not load the examples: " + error));
  }
}

document.getElementById("query-form").addEventListener("submit", run);
loadExamples();
