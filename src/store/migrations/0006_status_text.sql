-- kefu schema, version 6: every order carries the 订单状态 text of its export as it was
-- (issue 10). A text kefu cannot map is kept with the status UNKNOWN, never dropped;
-- the queue shows it, and an import compares it like any other platform fact.
ALTER TABLE orders ADD COLUMN status_text TEXT NOT NULL DEFAULT '';
