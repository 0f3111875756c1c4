"""What the whole stack shares: names, regions, providers, the global table, packaging of function code."""
