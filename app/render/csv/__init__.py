"""csv rendering."""
