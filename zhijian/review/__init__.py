"""The reviewer workspace (`zhijian review`): a FastAPI app over the store.

- accounts.py: users, roles, argon2 password hashes, server-side sessions, login throttling.
- queries.py: what a page shows, read from the store with corrections applied (pipeline/corrections.py).
- app.py: the FastAPI app (login, queue, conversation view, review posts), CSRF on every POST.
- cli.py: `zhijian review`, `zhijian users add|list|disable`, `zhijian db upgrade`.
"""
