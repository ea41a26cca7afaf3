"""Use cases, grouped by capability; the only place that commits.

cases/ (open, read, search, complete tasks, run actions), intake/ (referral slips, consents,
re-consultation, households), audit/ (chain checks, history, replay, exports), staff/ (users,
tokens, assignment and cover), timers/ (firing, scheduler, notifications, mail, deadline rules),
privacy/ (masking, the audited switches), processes (deploy, checks, drafts, migration),
stats, demo/.  A case changes only through ``app.lifecycle.steps``.
"""
