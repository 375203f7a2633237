-- Each agent turn answering the caller stores when each stage of the answer happened, in ms since
-- the call was answered (the same timeline as start_ms/end_ms), so turn latency can be measured from
-- the caller's last audio frame and split by stage. NULL where a stage did not happen or was not
-- measured (caller turns, the greeting, turns recorded before this migration).
ALTER TABLE "utterances" ADD COLUMN "caller_audio_end_ms" integer;
--> statement-breakpoint
ALTER TABLE "utterances" ADD COLUMN "stt_final_ms" integer;
--> statement-breakpoint
ALTER TABLE "utterances" ADD COLUMN "llm_first_token_ms" integer;
--> statement-breakpoint
ALTER TABLE "utterances" ADD COLUMN "tts_first_audio_ms" integer;
--> statement-breakpoint
ALTER TABLE "utterances" ADD COLUMN "agent_audio_start_ms" integer;
