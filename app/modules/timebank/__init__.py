"""timebank."""
