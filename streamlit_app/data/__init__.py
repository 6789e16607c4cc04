"""Data access of the viewer: connection, queries, charts and display formatting."""
