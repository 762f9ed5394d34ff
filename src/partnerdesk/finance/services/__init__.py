"""Finance writes: documents, checklists, matching and the exception queue, reconciliation."""
