"""Registry: organisations, licences, sites, workshops, lines, products, key persons, inspections."""
