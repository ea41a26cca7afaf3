"""The lifecycle of a case: one module per step, and the one pipeline every writer of a case goes through.

`steps` is the pipeline (lock, engine, blob, timer, projection, state, closure, audit); `registry`
finds the step a form belongs to; each step module (`intake`, `assessment`, `plan`, `meeting`,
`delivery`, `monitoring`, `evaluation`, `closure`, `public_assistance`, `no_response`, `risk`, …)
declares in one place what its forms mean.
"""
