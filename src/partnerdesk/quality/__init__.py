"""Quality controls: audits, inspection, nonconformance (the engines first; the app follows)."""
