"""Workflow files: the model, the YAML source, the schema, the semantic checks and the loader."""
