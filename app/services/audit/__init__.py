"""The audit trail: checking the chains, auditors' history pages, deterministic replay, exports."""
