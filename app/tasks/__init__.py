"""Background jobs (RQ), one module per kind of work: thin, they take ids and call a service.

They are enqueued by dotted path through app/queue.py, so no service imports this package.
"""
