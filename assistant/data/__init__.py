"""Data files shipped with the package (phrases.yaml: the 规范表述 rules)."""
