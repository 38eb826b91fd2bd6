"""The import engine: roster files of employers and the DTSEN list.

reader (file → rows) → engine (every row checked; set-based lookups) → roster / dtsen (what each row does) →
writer (bulk writes with audit history, one transaction); batches runs an ImportBatch through upload, check
(preview), confirm and import; tasks runs the large ones in the background.
"""
