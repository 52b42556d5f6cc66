"""Leader reception duty (接访排班): who receives visitors on which day, where."""
