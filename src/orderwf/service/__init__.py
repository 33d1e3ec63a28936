"""The use cases: what the CLI calls (besides rendering, `views`, and the workflow model).
Each validates its input before it opens a database, asks the pure engine what to do and the
store to keep it, and returns results; none prints. One module per kind of use case, each
imported by the command that needs it (this package imports none of them: `validate` must
not pay for the database stack):

- `orders`: one order (apply an action, show it, its history, its actions, an email preview,
  create one, the orders list)
- `bulk`: one action on many orders, and the due timers (`apply --status/--ids`, `tick`)
- `imports`: WooCommerce orders and products read, checked and stored
- `products`: the catalogue (list, stock levels)
- `outbox`: the email outbox (list, retry, send what is due)
- `shop`: the database itself (opened, upgraded) and what it recorded of the workflows
- `validate`: workflow files checked, alone, as a shop folder, or against the live orders

`workflows` (which workflow runs which order), `live` (`validate --live`), `moves`
(`migrate`) and `scenario/` (`orderwf test`) are use cases of this layer too."""
