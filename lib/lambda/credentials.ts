// The NATS credentials of a deployed function, read from Secrets Manager through Powertools
// Parameters with a max age, so a rotated password is picked up without a redeploy or a cold
// start. A login the servers refuse forces a fresh read at once: right after a rotation the cached
// value is the old one, and that must not page anyone as a blind monitor.
import type { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { SecretsProvider } from "@aws-lambda-powertools/parameters/secrets";
import { rmSync } from "node:fs";
import { dirname } from "node:path";
import type { NatsConnectionConfig } from "../config/config.ts";
import { SecretError } from "./errors.ts";
import { materializeSecret, parseNatsSecret } from "./secret.ts";

/** Seconds a read secret is trusted before Secrets Manager is asked again. */
export const DEFAULT_SECRET_MAX_AGE_S = 300;

export interface CredentialsRead {
  nats: Partial<NatsConnectionConfig>;
  /** True when the value differs from the one read before (a rotation). */
  changed: boolean;
}

export class RotatingCredentials {
  private readonly provider: SecretsProvider;
  private text: string | undefined;
  private nats: Partial<NatsConnectionConfig> = {};

  constructor(
    client: SecretsManagerClient,
    private readonly secretArn: string,
    private readonly maxAgeS = DEFAULT_SECRET_MAX_AGE_S,
  ) {
    this.provider = new SecretsProvider({ awsSdkV3Client: client });
  }

  async read(forceFetch = false): Promise<CredentialsRead> {
    let value: unknown;
    try {
      value = await this.provider.get(this.secretArn, { maxAge: this.maxAgeS, forceFetch });
    } catch (e) {
      // AWS error messages name the secret and the denied action, never the value.
      const cause = (e as { cause?: Error }).cause ?? (e as Error);
      throw new SecretError(
        this.secretArn,
        `cannot read it (${cause.name}: ${cause.message}); the function's role must allow secretsmanager:GetSecretValue on it`,
        { cause: e },
      );
    }
    if (typeof value !== "string")
      throw new SecretError(
        this.secretArn,
        "has no string value (binary secrets are not supported): store the JSON credentials as the secret string",
      );
    if (value === this.text) return { nats: this.nats, changed: false };
    const nats = materializeSecret(parseNatsSecret(value, this.secretArn));
    this.forgetFiles();
    this.text = value;
    this.nats = nats;
    return { nats, changed: true };
  }

  /** Removes the files the previous value was written to (creds, nkey seed, TLS key). */
  private forgetFiles(): void {
    const file = this.nats.creds ?? this.nats.nkey ?? this.nats.tls?.key ?? this.nats.tls?.ca ?? this.nats.tls?.cert;
    if (file) rmSync(dirname(file), { recursive: true, force: true });
  }
}
