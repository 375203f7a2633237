-- The last Twilio status callback applied to a call (its SequenceNumber): a replayed or older one appends nothing.
ALTER TABLE "calls" ADD COLUMN "status_callback_sequence" integer;
