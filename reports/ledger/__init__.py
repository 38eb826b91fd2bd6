"""The coverage ledger (decision 76): coverage counted once when memberships change, read in time that depends on
the days and cells asked for, not on the number of workers.

- ``spans``: the statements that turn workers' memberships and claims into spans (the stretches of days on which
  they count in the same cells), entries and employers' presence, set-based on both databases (decision 77).
- ``posting``: settling changed workers (in the transaction that changed them), rebuilding, extending.
- ``reading``: the counts of cells on given days, as ``reports.queries`` asks for them.
"""
