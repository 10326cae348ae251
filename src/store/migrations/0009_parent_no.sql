-- kefu schema, version 9: an order's 主订单编号 when the export gives one other than the
-- order's own number (the parent of a split or combined order; issue 10).
ALTER TABLE orders ADD COLUMN parent_no TEXT NOT NULL DEFAULT '';
