"""The `zhijian` command line, above the library: it parses, calls pipeline/, models/ and flows/, and prints.

Layers, lowest first: models < pipeline < flows < zhijian (tests/test_layering.py keeps it so).
"""
