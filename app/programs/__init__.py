"""The statutory programmes (事業): their rules as data, decisions, payments and notices."""
