"""Visualisation: NetworkX views, network analysis and offline pyvis maps of the graph."""
