"""Pure domain rules: no Qt, no HTTP, no file I/O. Rule sets come in as dicts."""
