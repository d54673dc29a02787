"""Pure business rules: no Reflex, no SQLModel, no Stripe."""
