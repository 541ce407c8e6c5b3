"""Use cases. Services own queries and transactions and return plain data;
views call one of them and render."""
