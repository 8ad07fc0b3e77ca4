"""Public entry point for NetworkX views of the graph: ``from hled_graph.network import to_networkx``.

The implementation lives in :mod:`hled_graph.viz.network`; this module only re-exports it under
the name the documentation uses.
"""

from hled_graph.viz.network import EXPORT_FORMATS, VIEWS, ExportFormat, View, export_network, to_networkx

__all__ = ["EXPORT_FORMATS", "VIEWS", "ExportFormat", "View", "export_network", "to_networkx"]
