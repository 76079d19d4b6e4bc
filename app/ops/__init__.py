"""Operations: guard, act, record. They never commit; the edge (a request, a CLI command) does."""
