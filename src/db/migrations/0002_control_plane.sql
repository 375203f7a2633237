CREATE TABLE "password_tokens" (
	"id" text PRIMARY KEY NOT NULL,
	"user_id" text NOT NULL,
	"purpose" text NOT NULL,
	"created_by" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"expires_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "tools" DROP CONSTRAINT "tools_tenant_name_key";--> statement-breakpoint
ALTER TABLE "agent_versions" ADD COLUMN "note" text;--> statement-breakpoint
ALTER TABLE "password_tokens" ADD CONSTRAINT "password_tokens_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "password_tokens" ADD CONSTRAINT "password_tokens_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "password_tokens_user_idx" ON "password_tokens" USING btree ("user_id");--> statement-breakpoint
ALTER TABLE "agents" ADD CONSTRAINT "agents_live_version_id_agent_versions_id_fk" FOREIGN KEY ("live_version_id") REFERENCES "public"."agent_versions"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "phone_numbers_agent_idx" ON "phone_numbers" USING btree ("agent_id");--> statement-breakpoint
CREATE UNIQUE INDEX "tools_tenant_name_key" ON "tools" USING btree ("tenant_id","name") WHERE "tools"."archived_at" is null;--> statement-breakpoint
CREATE INDEX "tools_tenant_idx" ON "tools" USING btree ("tenant_id");--> statement-breakpoint
CREATE INDEX "tools_connection_idx" ON "tools" USING btree ("connection_id");--> statement-breakpoint
ALTER TABLE "n8n_connections" ADD CONSTRAINT "n8n_connections_tenant_name_key" UNIQUE("tenant_id","name");