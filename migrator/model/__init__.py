"""Plain data every layer shares: the plan (moves, edits, file changes, diagnostics) and helpers on dotted names. Imports nothing else from migrator."""
