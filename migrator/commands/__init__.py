"""The commands built on the engine and the adapters: check, audit, verify. They return reports as data; migrator.report renders them."""
