"""charts rendering."""
