"""hled-graph: the 2022 U.S.-Mexico High-Level Economic Dialogue fact sheet as a knowledge graph."""

__version__ = "0.1.0"
