-- kefu schema, version 7: what a refund export says beyond the state machine's fields
-- (issue 10), kept on the case: the 退款状态 / 货物状态 texts kefu did not know (the state
-- is then UNKNOWN), 客服介入状态 (a code such as NEEDED, or an unknown text as the export
-- wrote it) and 举证超时, when the seller's evidence is due. Issue 16 ranks by these.
ALTER TABLE refunds ADD COLUMN state_text TEXT NOT NULL DEFAULT '';
ALTER TABLE refunds ADD COLUMN goods_text TEXT NOT NULL DEFAULT '';
ALTER TABLE refunds ADD COLUMN intervention TEXT;
ALTER TABLE refunds ADD COLUMN evidence_deadline TEXT;
CREATE INDEX refunds_evidence ON refunds (evidence_deadline) WHERE evidence_deadline IS NOT NULL;
