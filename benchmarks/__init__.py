"""Benchmarks for tourbot's matcher: speed, memory and answer quality (not shipped)."""
