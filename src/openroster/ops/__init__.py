"""Running openroster: its settings and where they come from, and its logs."""
