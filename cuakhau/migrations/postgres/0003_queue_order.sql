-- The yard queue's order is the order arrivals were logged, not their clock times (two
-- trucks can arrive in the same millisecond, or an arrival can be posted late): each
-- vehicle's state remembers the queue-log position of its arrival. Plus the indexes the
-- risk rules' trader history and booking limits read on every declaration.
-- Mirror of ../sqlite/0003_queue_order.sql.
ALTER TABLE vehicle_states ADD COLUMN arrival_seq BIGINT;
CREATE INDEX declarations_company_status ON declarations(company_id, status);
CREATE INDEX bookings_company_status ON bookings(company_id, status);
-- The current queue's prediction reads the last hours' and days' exits of a gate.
CREATE INDEX clearance_facts_gate_exited ON clearance_facts(gate_id, exited_ms);
