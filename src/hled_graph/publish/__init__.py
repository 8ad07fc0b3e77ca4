"""Publishing: exports, metadata, documentation and the Wikidata link coverage of the graph."""
