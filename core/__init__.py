"""The bottom layer: the settings object and the user-facing error, importable from every layer."""
