"""The dense matmul "compiler" behind scripts/gen-matmul (docs/matmul.md)."""
