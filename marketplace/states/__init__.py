"""Thin Reflex states: parse input, call one service, refresh vars, toast.

Security: any browser can call any public handler with any arguments. Every
handler that reads or changes private data re-derives the member from the
session cookie via `SessionState._member()` and never trusts ids sent by the
client."""
