"""Village lecture requests (点单 → 派单 → 接单 → 评单): the sub-product with its own models,
workflow table, effects, services, forms, views and files."""
