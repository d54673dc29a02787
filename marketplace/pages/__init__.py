"""Pages: one module a page, each a function of components and states."""
