"""UI pieces: noun-named functions of values and Vars; never touch the database."""
