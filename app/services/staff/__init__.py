"""Staff: accounts, API tokens, who holds a task or a case, and cover (代理)."""
