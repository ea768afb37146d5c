-- Placing an order writes its listing row (a count of orders placed on it), first thing
-- in its transaction. A seller's status change writes the same row, so the two are
-- ordered on every node: one waits for the other's row lock, and on Galera, where
-- locks are not shared between nodes, certification refuses the later commit (1213),
-- which is retried. Before, a pending order only read the row, and a listing could be
-- deleted under a live order.
ALTER TABLE listing ADD COLUMN orders_placed INT UNSIGNED NOT NULL DEFAULT 0;
