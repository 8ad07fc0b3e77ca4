// The map page's own code: draw the network from the inline JSON, search, filters, physics toggle.
// Labels and tooltips are data, never markup: they only reach the DOM through textContent,
// option values and vis-network's plain-text tooltips.
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("hled-data").textContent);
  var nodes = new vis.DataSet(data.nodes);
  var edges = new vis.DataSet(data.edges);
  var container = document.getElementById("hled-network");
  var network = new vis.Network(container, { nodes: nodes, edges: edges }, data.options);

  // The whole drawing, labels included, in view (vis-network's fit counts a label's width but not
  // all of its height, and cuts off labels at the bottom edge); never zoomed in beyond 1:1.
  function showAll() {
    if (!container.clientWidth || !container.clientHeight) {  // not laid out yet (a hidden frame)
      network.fit({ animation: false });
      return;
    }
    var bounds = data.bounds;
    var width = Math.max(bounds.right - bounds.left, 1), height = Math.max(bounds.bottom - bounds.top, 1);
    var scale = Math.min(1, container.clientWidth / (1.04 * width), container.clientHeight / (1.04 * height));
    network.moveTo({ position: { x: (bounds.left + bounds.right) / 2, y: (bounds.top + bounds.bottom) / 2 },
                     scale: scale, animation: false });
  }
  showAll();

  function checkedValues(selector, attribute) {
    var chosen = {};
    document.querySelectorAll(selector).forEach(function (box) {
      if (box.checked) { chosen[box.getAttribute(attribute)] = true; }
    });
    return chosen;
  }

  function applyFilters() {
    var pillarFilter = document.getElementById("hled-pillar-filter");
    var pillars = checkedValues("#hled-pillar-filter input", "data-pillar");
    var categories = checkedValues("#hled-class-filter input", "data-category");
    var updates = nodes.get().map(function (node) {
      var keys = node.pillars.length ? node.pillars.map(String) : ["none"];
      var pillarShown = !pillarFilter || keys.some(function (key) { return pillars[key]; });
      return { id: node.id, hidden: !(pillarShown && categories[node.category]) };
    });
    nodes.update(updates);
  }
  document.querySelectorAll("#hled-pillar-filter input, #hled-class-filter input").forEach(function (box) {
    box.addEventListener("change", applyFilters);
  });

  var labelList = document.getElementById("hled-labels");
  data.nodes.map(function (node) { return node.fullLabel; }).sort().forEach(function (label) {
    var option = document.createElement("option");
    option.value = label;
    labelList.appendChild(option);
  });

  function find(query) {
    var wanted = query.trim().toLowerCase();
    if (!wanted) { return null; }
    var visible = nodes.get({ filter: function (node) { return !node.hidden; } });
    var tests = [
      function (label) { return label === wanted; },
      function (label) { return label.indexOf(wanted) === 0; },
      function (label) { return label.indexOf(wanted) !== -1; }
    ];
    for (var i = 0; i < tests.length; i += 1) {
      var hits = visible.filter(function (node) { return tests[i](node.fullLabel.toLowerCase()); });
      if (hits.length) {
        hits.sort(function (a, b) { return a.fullLabel.length - b.fullLabel.length; });
        return hits[0];
      }
    }
    return null;
  }

  var status = document.getElementById("hled-search-status");
  document.getElementById("hled-search").addEventListener("submit", function (event) {
    event.preventDefault();
    var query = document.getElementById("hled-search-input").value;
    var node = find(query);
    if (node) {
      network.selectNodes([node.id]);
      network.focus(node.id, { scale: 1.4, animation: false });
      status.textContent = node.fullLabel;
    } else {
      network.unselectAll();
      status.textContent = query.trim() ? "No visible node matches \u201c" + query.trim() + "\u201d" : "";
    }
  });

  document.getElementById("hled-physics").addEventListener("change", function (event) {
    network.setOptions({ physics: { enabled: event.target.checked } });
  });

  // A handle for scripts and tests: the live network and its data sets.
  window.hledNetwork = {
    network: network,
    nodes: nodes,
    edges: edges,
    find: find,
    showAll: showAll,
    applyFilters: applyFilters,
    visibleNodeIds: function () {
      return nodes.get({ filter: function (node) { return !node.hidden; } }).map(function (node) { return node.id; });
    }
  };
}());
