"""Facts about the target computed from bytes in memory: the project index, import scans, the import graph and its replay, code equivalence. No disk I/O on the target."""
