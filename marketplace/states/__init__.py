"""Thin Reflex states: parse input, call one service, refresh vars, toast.

Security: any browser can call any public handler with any arguments. Every
handler that reads or changes private data re-derives the member from the
session cookie and never trusts ids sent by the client: `@member_only`
(session.py) hands the member to a handler and sends guests to the login page,
`SessionState._attempt` does the same for one service call in a unit of work.
tests/integration/test_member_only.py calls every handler as a guest."""
