"""Everything that touches the world outside memory: reading the target (Snapshot), applying a plan atomically, the state and undo records, git, the on-disk import cache."""
