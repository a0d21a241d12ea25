"""Click commands, one module per area; each only parses flags and calls assistant/ or index/."""
