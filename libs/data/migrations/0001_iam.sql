CREATE TABLE "iam_revoked_tokens" (
	"jti" text PRIMARY KEY NOT NULL,
	"client_id" text NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"revoked_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "iam_signing_keys" (
	"kid" text PRIMARY KEY NOT NULL,
	"alg" text DEFAULT 'ES256' NOT NULL,
	"public_jwk" jsonb NOT NULL,
	"private_key_ciphertext" text NOT NULL,
	"activates_at" timestamp with time zone NOT NULL,
	"retires_at" timestamp with time zone NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "iam_signing_keys_window_check" CHECK ("iam_signing_keys"."activates_at" < "iam_signing_keys"."retires_at" and "iam_signing_keys"."retires_at" <= "iam_signing_keys"."expires_at")
);
--> statement-breakpoint
CREATE INDEX "iam_revoked_tokens_expires_at_idx" ON "iam_revoked_tokens" USING btree ("expires_at");--> statement-breakpoint
CREATE INDEX "iam_signing_keys_expires_at_idx" ON "iam_signing_keys" USING btree ("expires_at");