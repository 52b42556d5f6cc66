"""Settings an admin can change at run time (reception hours, windows, limits), with defaults in code."""
