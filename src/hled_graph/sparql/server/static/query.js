// The query page: YASGUI (the vendored /static/yasgui-<version>.min.js) bound to this endpoint and to
// nothing else, the project's prefixes, and the query library's examples one click away.
"use strict";

const ID = "https://w3id.org/hled/id/";
const ENDPOINT = location.origin + "/sparql";
const RESULTS_ACCEPT = "application/sparql-results+json";

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

const HTML_ESCAPES = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

function escapeHtml(text) {
  return text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]);
}

// The table draws cells from HTML strings (DataTables); every value reaches it escaped and revealed.
// An IRI of the graph links to its page on this endpoint, another http(s) IRI to itself, any other
// scheme (javascript:, data:) to nothing.
class Table extends Yasgui.Yasr.plugins.table {
  getUriLinkFromBinding(binding, prefixes) {
    const iri = binding.value;
    // the longest namespace wins: hdo:epa, not hd:org/epa
    let shown = "<" + iri + ">";
    let longest = 0;
    for (const [prefix, namespace] of Object.entries(prefixes || {})) {
      if (iri.startsWith(namespace) && iri.length > namespace.length && namespace.length > longest) {
        shown = prefix + ":" + iri.slice(namespace.length);
        longest = namespace.length;
      }
    }
    const text = escapeHtml(reveal(shown));
    let href = null;
    if (iri.startsWith(ID)) href = "/id/" + iri.slice(ID.length);
    else if (/^https?:\/\//i.test(iri)) href = iri;
    if (href === null) return `<span class='iri' title='${escapeHtml(reveal(iri))}'>${text}</span>`;
    return `<a class='iri' href='${escapeHtml(href)}' title='${escapeHtml(reveal(iri))}' rel='noopener noreferrer'>${text}</a>`;
  }

  formatLiteral(binding, prefixes) {
    const value = binding.type === "bnode" ? "_:" + binding.value : binding.value; // YASR draws a blank node as a literal
    return super.formatLiteral({ ...binding, value: reveal(value) }, prefixes);
  }
}
Yasgui.Yasr.registerPlugin("table", Table);

// YASR reads every value but an IRI's as text; a quoted triple (SPARQL-star, which this endpoint
// answers) is an object in the JSON results, so it is written as text before YASR reads it.
function termText(term) {
  if (term.type === "uri") return "<" + term.value + ">";
  if (term.type === "bnode") return "_:" + term.value;
  if (term.type === "triple") {
    const { subject, predicate, object } = term.value;
    return "<< " + [subject, predicate, object].map(termText).join(" ") + " >>";
  }
  const suffix = term["xml:lang"] ? "@" + term["xml:lang"] : term.datatype ? "^^<" + term.datatype + ">" : "";
  return JSON.stringify(term.value) + suffix; // JSON.stringify keeps U+202E as it is, for reveal to write out
}

function withTriplesAsText(response) {
  if (!response || typeof response.content !== "string" || !response.content.includes('"triple"')) return response;
  let answer;
  try {
    answer = JSON.parse(response.content);
  } catch (_) {
    return response; // not JSON: YASR reads it as it is
  }
  for (const row of answer.results ? answer.results.bindings : []) {
    for (const [name, term] of Object.entries(row)) {
      if (term.type === "triple") row[name] = { type: "literal", value: termText(term) };
    }
  }
  return { ...response, content: JSON.stringify(answer) };
}

const setResponse = Yasgui.Yasr.prototype.setResponse;
Yasgui.Yasr.prototype.setResponse = function (response, duration) {
  return setResponse.call(this, withTriplesAsText(response), duration);
};

// Completion asks this endpoint, never prefix.cc or Linked Open Vocabularies: the prefixes are the
// project's (hled_graph.namespaces.PREFIXES, given by the page), the classes and properties the graph's.
function sparqlString(text) {
  return JSON.stringify(text); // a JSON string is a SPARQL string literal (\uXXXX escapes included)
}

async function termsStartingWith(pattern, start) {
  const query = `SELECT DISTINCT ?term WHERE { ${pattern} FILTER (STRSTARTS(STR(?term), ${sparqlString(start)})) } ORDER BY ?term LIMIT 100`;
  const response = await fetch(ENDPOINT, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded", Accept: RESULTS_ACCEPT },
    body: new URLSearchParams({ query }),
  });
  if (!response.ok) return [];
  return (await response.json()).results.bindings.map((row) => row.term.value);
}

function registerCompleters(prefixes) {
  const Yasqe = Yasgui.Yasqe;
  Yasqe.forkAutocompleter("prefixes", {
    name: "hled-prefixes",
    persistenceId: null,
    get: () => Object.entries(prefixes).map(([prefix, iri]) => `${prefix}: <${iri}>`).sort(),
  }, false);
  Yasqe.forkAutocompleter("property", {
    name: "hled-property",
    get: (yasqe, token) => termsStartingWith("[] ?term []", token.autocompletionString || ""),
  }, false);
  Yasqe.forkAutocompleter("class", {
    name: "hled-class",
    get: (yasqe, token) => termsStartingWith("[] a ?term", token.autocompletionString || ""),
  }, false);
  // Set on the defaults, not merged into the config: lodash's merge would mix two arrays index by index.
  Yasgui.defaults.yasqe.autocompleters = ["hled-prefixes", "variables", "hled-property", "hled-class"];
}

function startEditor(root) {
  const prefixes = JSON.parse(root.dataset.prefixes);
  registerCompleters(prefixes);
  return new Yasgui(root, {
    requestConfig: { endpoint: ENDPOINT, method: "POST", acceptHeaderSelect: RESULTS_ACCEPT },
    endpointCatalogueOptions: { getData: () => [{ endpoint: ENDPOINT }], keys: [] },
    persistenceId: null, // nothing kept in localStorage: every visit starts from the same page
    // a shared link (the editor's share button) opens its query here, always against this endpoint
    populateFromUrl: (tab) => ({ ...tab, requestConfig: { ...tab.requestConfig, endpoint: ENDPOINT } }),
    autofocus: false,
    yasqe: { value: root.dataset.query, createShortLink: undefined, prefixCcApi: null, editorHeight: "18rem" },
    yasr: { prefixes, defaultPlugin: "table" },
  });
}

async function loadExamples(yasgui) {
  const list = document.getElementById("example-list");
  try {
    const examples = await (await fetch("/examples.json")).json();
    list.replaceChildren(...examples.map((example) => {
      const button = el("button", { type: "button", title: example.question || example.title, "data-name": example.name },
        example.title);
      button.addEventListener("click", () => {
        const tab = yasgui.getTab();
        tab.setQuery(example.text);
        tab.setName(example.title);
        tab.query().catch(() => {}); // YASR shows the error
      });
      return el("li", {}, button);
    }));
    if (!examples.length) list.replaceChildren(el("li", {}, "No example queries are installed."));
  } catch (error) {
    list.replaceChildren(el("li", {}, "Could not load the examples: " + error));
  }
}

const yasgui = startEditor(document.getElementById("yasgui"));
window.hledYasgui = yasgui; // for the browser tests and the console
loadExamples(yasgui);
