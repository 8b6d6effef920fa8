"""Words at the edge: the translation catalogue without Qt and the code-to-sentence tables."""
