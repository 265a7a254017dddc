-- Who looked at a record (a resident's own access log, /api/me/household): audit entries by target, newest first.
CREATE INDEX "audit_log_target_idx" ON "audit_log" USING btree ("target_type","target_id","at");
