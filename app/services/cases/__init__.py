"""A case: opening it, reading it, searching, completing its tasks and running its actions."""
