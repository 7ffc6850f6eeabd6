"""tourbot: answers questions about one article, citing it."""
