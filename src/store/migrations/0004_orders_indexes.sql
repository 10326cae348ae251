-- kefu schema, version 4: two order indexes fewer.
--
-- `orders_shipped (shipped_at)` is a prefix of `orders_shipped_paid (shipped_at, paid_at)`
-- (migration 0002), with the same WHERE: the daily report's "shipped today" count reads
-- that one instead. `orders_paid (paid_at)` served no query: the overdue counts read
-- `orders_queue` and `orders_shipped_paid`. Each index is one more B-tree per order
-- written, and about a second more to build on a 1,000,000-order first import.
DROP INDEX orders_shipped;
DROP INDEX orders_paid;
