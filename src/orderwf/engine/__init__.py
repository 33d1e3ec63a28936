"""The pure engine: (workflow, order snapshot, action, params, actor, now) → a plan or a
refusal. Standard library only, plus `workflow.model`, `money` and `errors`: no database, no
Jinja2 import, no I/O."""
