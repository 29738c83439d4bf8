CREATE TABLE "ledger_heads" (
	"partition" text NOT NULL,
	"seq" bigint NOT NULL,
	"hash" text NOT NULL,
	"signed_at" timestamp (3) with time zone NOT NULL,
	"jws" text NOT NULL,
	CONSTRAINT "ledger_heads_pkey" PRIMARY KEY("partition","seq")
);
--> statement-breakpoint
CREATE TABLE "ledger_outbox" (
	"partition" text NOT NULL,
	"seq" bigint NOT NULL,
	"record" text NOT NULL,
	CONSTRAINT "ledger_outbox_pkey" PRIMARY KEY("partition","seq")
);
--> statement-breakpoint
CREATE TABLE "ledger_outbox_partitions" (
	"partition" text PRIMARY KEY NOT NULL,
	"writer" text NOT NULL,
	"opened_at" timestamp with time zone DEFAULT now() NOT NULL,
	"shipped_seq" bigint DEFAULT 0 NOT NULL,
	"chain_seq" bigint DEFAULT 0 NOT NULL,
	"chain_hash" text,
	"lease_owner" text,
	"lease_until" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "ledger_transactions" (
	"transaction_id" uuid PRIMARY KEY NOT NULL,
	"received_at" timestamp (3) with time zone NOT NULL,
	"request_id" text,
	"consumer_id" text,
	"client_id" text,
	"provider_id" text,
	"api_domain" text,
	"api_version" text,
	"environment" text,
	"method" text NOT NULL,
	"status" integer NOT NULL,
	"error_code" text,
	"client_ip" text NOT NULL,
	"security_event" text,
	"upstream" integer DEFAULT 0 NOT NULL,
	"partition" text NOT NULL,
	"chain_seq" bigint NOT NULL,
	"chain_hash" text NOT NULL,
	"document" text NOT NULL
);
--> statement-breakpoint
CREATE INDEX "ledger_heads_signed_idx" ON "ledger_heads" USING btree ("signed_at");--> statement-breakpoint
CREATE UNIQUE INDEX "ledger_transactions_chain_idx" ON "ledger_transactions" USING btree ("partition","chain_seq");--> statement-breakpoint
CREATE INDEX "ledger_transactions_received_idx" ON "ledger_transactions" USING btree ("received_at");--> statement-breakpoint
CREATE INDEX "ledger_transactions_consumer_idx" ON "ledger_transactions" USING btree ("consumer_id","received_at");--> statement-breakpoint
CREATE INDEX "ledger_transactions_provider_idx" ON "ledger_transactions" USING btree ("provider_id","received_at");--> statement-breakpoint
CREATE INDEX "ledger_transactions_request_idx" ON "ledger_transactions" USING btree ("request_id");--> statement-breakpoint
CREATE INDEX "ledger_transactions_security_idx" ON "ledger_transactions" USING btree ("security_event","received_at");