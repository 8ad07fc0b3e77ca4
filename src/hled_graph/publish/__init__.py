"""Publishing: exports, dataset metadata, documentation, links, remote stores."""
