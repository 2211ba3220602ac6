"""A synthetic repository at scale and the benchmark that measures the project against it.

``generator`` builds studies, participants, observations, insights, tags, decisions and NPS
answers with bulk inserts (COPY on PostgreSQL); ``text`` writes their Russian and English
customer-experience text; ``scenarios`` times requests through Django's test client,
``floors`` times the best hand-written SQL for the same answers, ``writes`` times the
destructive scenarios inside rolled-back transactions and ``load`` runs gunicorn for the
throughput figure. The ``generate_dataset`` and ``benchmark`` commands drive them.
"""
