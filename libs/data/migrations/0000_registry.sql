CREATE TABLE "admin_clients" (
	"client_id" text PRIMARY KEY NOT NULL,
	"name" text,
	"roles" text[] NOT NULL,
	"secret_hash" text NOT NULL,
	"status" text DEFAULT 'active' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "admin_clients_roles_check" CHECK (cardinality("admin_clients"."roles") > 0 and "admin_clients"."roles" <@ ARRAY['dgo-admin', 'provider', 'consumer', 'soc-analyst']::text[]),
	CONSTRAINT "admin_clients_status_check" CHECK ("admin_clients"."status" in ('active', 'revoked'))
);
--> statement-breakpoint
CREATE TABLE "api_versions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"api_id" uuid NOT NULL,
	"version" text NOT NULL,
	"status" text DEFAULT 'draft' NOT NULL,
	"classification" text NOT NULL,
	"upstream_sandbox" text NOT NULL,
	"upstream_production" text NOT NULL,
	"openapi" jsonb NOT NULL,
	"openapi_sha256" text NOT NULL,
	"sunset" date,
	"read_timeout_ms" integer,
	"write_timeout_ms" integer,
	"published_at" timestamp with time zone,
	"deprecated_at" timestamp with time zone,
	"retired_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "api_versions_api_id_version_unique" UNIQUE("api_id","version"),
	CONSTRAINT "api_versions_status_check" CHECK ("api_versions"."status" in ('draft', 'published', 'deprecated', 'retired')),
	CONSTRAINT "api_versions_classification_check" CHECK ("api_versions"."classification" in ('cong-khai', 'noi-bo', 'mat', 'toi-mat')),
	CONSTRAINT "api_versions_read_timeout_ms_check" CHECK ("api_versions"."read_timeout_ms" > 0),
	CONSTRAINT "api_versions_write_timeout_ms_check" CHECK ("api_versions"."write_timeout_ms" > 0)
);
--> statement-breakpoint
CREATE TABLE "apis" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"domain" text NOT NULL,
	"name" text,
	"provider" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "apis_domain_unique" UNIQUE("domain")
);
--> statement-breakpoint
CREATE TABLE "certificates" (
	"id" text PRIMARY KEY NOT NULL,
	"consumer_id" text NOT NULL,
	"pem" text NOT NULL,
	"fingerprint_sha256" text NOT NULL,
	"subject" text NOT NULL,
	"issuer" text NOT NULL,
	"serial_number" text NOT NULL,
	"not_before" timestamp with time zone NOT NULL,
	"not_after" timestamp with time zone NOT NULL,
	"status" text DEFAULT 'active' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "certificates_fingerprint_sha256_unique" UNIQUE("fingerprint_sha256"),
	CONSTRAINT "certificates_status_check" CHECK ("certificates"."status" in ('active', 'revoked'))
);
--> statement-breakpoint
CREATE TABLE "consumer_systems" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"organisation" text,
	"status" text DEFAULT 'active' NOT NULL,
	"security_level" smallint,
	"max_classification" text,
	"connection_option" smallint,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "consumer_systems_status_check" CHECK ("consumer_systems"."status" in ('active', 'suspended', 'terminated')),
	CONSTRAINT "consumer_systems_security_level_check" CHECK ("consumer_systems"."security_level" between 1 and 5),
	CONSTRAINT "consumer_systems_max_classification_check" CHECK ("consumer_systems"."max_classification" in ('cong-khai', 'noi-bo', 'mat', 'toi-mat')),
	CONSTRAINT "consumer_systems_connection_option_check" CHECK ("consumer_systems"."connection_option" in (1, 2))
);
--> statement-breakpoint
CREATE TABLE "credentials" (
	"client_id" text PRIMARY KEY NOT NULL,
	"consumer_id" text NOT NULL,
	"environment" text NOT NULL,
	"secret_hash" text NOT NULL,
	"previous_secret_hash" text,
	"previous_secret_expires_at" timestamp with time zone,
	"token_ttl_seconds" integer,
	"status" text DEFAULT 'active' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "credentials_environment_check" CHECK ("credentials"."environment" in ('sandbox', 'production')),
	CONSTRAINT "credentials_status_check" CHECK ("credentials"."status" in ('active', 'revoked')),
	CONSTRAINT "credentials_token_ttl_seconds_check" CHECK ("credentials"."token_ttl_seconds" > 0)
);
--> statement-breakpoint
CREATE TABLE "rate_limits" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"consumer_id" text NOT NULL,
	"api_version_id" uuid,
	"read_per_minute" integer NOT NULL,
	"write_per_minute" integer NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "rate_limits_consumer_id_api_version_id_unique" UNIQUE NULLS NOT DISTINCT("consumer_id","api_version_id"),
	CONSTRAINT "rate_limits_read_per_minute_check" CHECK ("rate_limits"."read_per_minute" > 0),
	CONSTRAINT "rate_limits_write_per_minute_check" CHECK ("rate_limits"."write_per_minute" > 0)
);
--> statement-breakpoint
CREATE TABLE "subscriptions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"consumer_id" text NOT NULL,
	"api_version_id" uuid NOT NULL,
	"environment" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "subscriptions_consumer_id_api_version_id_environment_unique" UNIQUE("consumer_id","api_version_id","environment"),
	CONSTRAINT "subscriptions_environment_check" CHECK ("subscriptions"."environment" in ('sandbox', 'production'))
);
--> statement-breakpoint
ALTER TABLE "api_versions" ADD CONSTRAINT "api_versions_api_id_apis_id_fk" FOREIGN KEY ("api_id") REFERENCES "public"."apis"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "certificates" ADD CONSTRAINT "certificates_consumer_id_consumer_systems_id_fk" FOREIGN KEY ("consumer_id") REFERENCES "public"."consumer_systems"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "credentials" ADD CONSTRAINT "credentials_consumer_id_consumer_systems_id_fk" FOREIGN KEY ("consumer_id") REFERENCES "public"."consumer_systems"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "rate_limits" ADD CONSTRAINT "rate_limits_consumer_id_consumer_systems_id_fk" FOREIGN KEY ("consumer_id") REFERENCES "public"."consumer_systems"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "rate_limits" ADD CONSTRAINT "rate_limits_api_version_id_api_versions_id_fk" FOREIGN KEY ("api_version_id") REFERENCES "public"."api_versions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "subscriptions" ADD CONSTRAINT "subscriptions_consumer_id_consumer_systems_id_fk" FOREIGN KEY ("consumer_id") REFERENCES "public"."consumer_systems"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "subscriptions" ADD CONSTRAINT "subscriptions_api_version_id_api_versions_id_fk" FOREIGN KEY ("api_version_id") REFERENCES "public"."api_versions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "certificates_consumer_id_idx" ON "certificates" USING btree ("consumer_id");--> statement-breakpoint
CREATE INDEX "credentials_consumer_id_idx" ON "credentials" USING btree ("consumer_id");--> statement-breakpoint
CREATE INDEX "subscriptions_api_version_id_idx" ON "subscriptions" USING btree ("api_version_id");