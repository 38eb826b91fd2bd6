"""What changes the BPJS loop's records; the admin, the imports and the commands call these."""
