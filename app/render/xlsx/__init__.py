"""xlsx rendering."""
