"""The network: connections, blocks, interactions and warmth, intros, the
in-memory relationship graph (kept in step by after-commit events), nudges,
contexts, groups, motivation, directory.

Each module holds the operations a member or operator performs: it takes a
Session (and the acting member's id where one acts), authorizes, calls the
domain and writes rows. None commits: `marketplace.db.unit_of_work()` is the
transaction boundary."""
