"""The knowledge layer: sources, loading and validating knowledge/, and teaching."""
