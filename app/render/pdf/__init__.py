"""pdf rendering."""
