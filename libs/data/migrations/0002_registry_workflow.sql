CREATE TABLE "audit_log" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"actor" text NOT NULL,
	"actor_roles" text[] NOT NULL,
	"action" text NOT NULL,
	"target_type" text NOT NULL,
	"target_id" text NOT NULL,
	"before" jsonb,
	"after" jsonb,
	"reason" text,
	"request_id" text
);
--> statement-breakpoint
CREATE TABLE "blocks" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"scope" text NOT NULL,
	"provider" text,
	"api_version_id" uuid,
	"operation" text,
	"reason" text NOT NULL,
	"starts_at" timestamp with time zone NOT NULL,
	"ends_at" timestamp with time zone,
	"created_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"lifted_at" timestamp with time zone,
	"lifted_by" text,
	CONSTRAINT "blocks_scope_check" CHECK ("blocks"."scope" in ('provider', 'api-version', 'operation')),
	CONSTRAINT "blocks_target_check" CHECK (("blocks"."scope" = 'provider' and "blocks"."provider" is not null and "blocks"."api_version_id" is null and "blocks"."operation" is null)
        or ("blocks"."scope" = 'api-version' and "blocks"."api_version_id" is not null and "blocks"."operation" is null)
        or ("blocks"."scope" = 'operation' and "blocks"."api_version_id" is not null and "blocks"."operation" is not null)),
	CONSTRAINT "blocks_window_check" CHECK ("blocks"."ends_at" is null or "blocks"."ends_at" > "blocks"."starts_at")
);
--> statement-breakpoint
CREATE TABLE "notifications" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"consumer_id" text NOT NULL,
	"kind" text NOT NULL,
	"api_version_id" uuid,
	"title" text NOT NULL,
	"detail" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "registrations" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"reference" text NOT NULL,
	"follow_up_secret_hash" text NOT NULL,
	"status" text DEFAULT 'submitted' NOT NULL,
	"organisation" text,
	"form" jsonb NOT NULL,
	"consumer_id" text,
	"submitted_by" text,
	"submitter_ip" text NOT NULL,
	"submitted_at" timestamp with time zone NOT NULL,
	"due_at" timestamp with time zone NOT NULL,
	"decided_at" timestamp with time zone,
	"decided_by" text,
	"decision_note" text,
	"sandbox_issued_at" timestamp with time zone,
	"sandbox_tests_done_at" timestamp with time zone,
	"production_request" jsonb,
	"production_requested_at" timestamp with time zone,
	"production_approved_at" timestamp with time zone,
	"production_approved_by" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "registrations_reference_unique" UNIQUE("reference"),
	CONSTRAINT "registrations_status_check" CHECK ("registrations"."status" in ('submitted', 'approved', 'rejected', 'sandbox', 'production-requested', 'production')),
	CONSTRAINT "registrations_due_check" CHECK ("registrations"."due_at" > "registrations"."submitted_at")
);
--> statement-breakpoint
ALTER TABLE "api_versions" ALTER COLUMN "openapi" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "api_versions" ALTER COLUMN "openapi_sha256" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "admin_clients" ADD COLUMN "organisation" text;--> statement-breakpoint
ALTER TABLE "api_versions" ADD COLUMN "kind" text DEFAULT 'rest' NOT NULL;--> statement-breakpoint
ALTER TABLE "api_versions" ADD COLUMN "wsdl_url" text;--> statement-breakpoint
ALTER TABLE "api_versions" ADD COLUMN "soap_read_actions" text[];--> statement-breakpoint
ALTER TABLE "blocks" ADD CONSTRAINT "blocks_api_version_id_api_versions_id_fk" FOREIGN KEY ("api_version_id") REFERENCES "public"."api_versions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "notifications" ADD CONSTRAINT "notifications_consumer_id_consumer_systems_id_fk" FOREIGN KEY ("consumer_id") REFERENCES "public"."consumer_systems"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "notifications" ADD CONSTRAINT "notifications_api_version_id_api_versions_id_fk" FOREIGN KEY ("api_version_id") REFERENCES "public"."api_versions"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "registrations" ADD CONSTRAINT "registrations_consumer_id_consumer_systems_id_fk" FOREIGN KEY ("consumer_id") REFERENCES "public"."consumer_systems"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "audit_log_target_idx" ON "audit_log" USING btree ("target_type","target_id");--> statement-breakpoint
CREATE INDEX "audit_log_at_idx" ON "audit_log" USING btree ("at");--> statement-breakpoint
CREATE INDEX "blocks_lifted_at_idx" ON "blocks" USING btree ("lifted_at");--> statement-breakpoint
CREATE INDEX "notifications_consumer_id_id_idx" ON "notifications" USING btree ("consumer_id","id");--> statement-breakpoint
CREATE INDEX "registrations_status_due_at_idx" ON "registrations" USING btree ("status","due_at");--> statement-breakpoint
CREATE INDEX "registrations_organisation_idx" ON "registrations" USING btree ("organisation");--> statement-breakpoint
CREATE INDEX "registrations_submitter_ip_submitted_at_idx" ON "registrations" USING btree ("submitter_ip","submitted_at");--> statement-breakpoint
ALTER TABLE "api_versions" ADD CONSTRAINT "api_versions_kind_check" CHECK ("api_versions"."kind" in ('rest', 'soap'));--> statement-breakpoint
ALTER TABLE "api_versions" ADD CONSTRAINT "api_versions_description_check" CHECK (("api_versions"."kind" = 'rest' and "api_versions"."openapi" is not null and "api_versions"."openapi_sha256" is not null) or ("api_versions"."kind" = 'soap' and "api_versions"."wsdl_url" is not null));
--> statement-breakpoint
CREATE FUNCTION "audit_log_append_only"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	RAISE EXCEPTION 'audit_log is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$;--> statement-breakpoint
CREATE TRIGGER "audit_log_append_only" BEFORE UPDATE OR DELETE ON "audit_log" FOR EACH ROW EXECUTE FUNCTION "audit_log_append_only"();
