"""Matching: from a question to an answer, a "did you mean" or an abstention.

It knows nothing about Discord or YAML files: it works on loaded knowledge.
"""
