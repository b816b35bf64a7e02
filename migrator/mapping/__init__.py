"""Reading and validating mapping.yaml (the plan as phases of moves); depends only on migrator.model."""
