"""Workers: the checker process pool and the batch scorer."""
