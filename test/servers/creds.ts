// A creds file as `nsc` writes it: a user JWT signed by an account nkey, and the user's seed.
import { writeFileSync } from "node:fs";
import { createAccount, createUser } from "@nats-io/nkeys";

const b64 = (x: string | Uint8Array) => Buffer.from(x).toString("base64url");

export function writeCredsFile(file: string, expiresAt: number | undefined, issuedAt: number): void {
  const account = createAccount();
  const user = createUser();
  const claims = {
    jti: b64(String(issuedAt)),
    iat: Math.floor(issuedAt / 1000),
    ...(expiresAt !== undefined ? { exp: Math.floor(expiresAt / 1000) } : {}),
    iss: account.getPublicKey(),
    name: "lookout",
    sub: user.getPublicKey(),
    nats: { pub: {}, sub: {}, subs: -1, data: -1, payload: -1, type: "user", version: 2 },
  };
  const head = `${b64(JSON.stringify({ typ: "JWT", alg: "ed25519-nkey" }))}.${b64(JSON.stringify(claims))}`;
  const jwt = `${head}.${b64(account.sign(new TextEncoder().encode(head)))}`;
  const seed = new TextDecoder().decode(user.getSeed());
  writeFileSync(
    file,
    `-----BEGIN NATS USER JWT-----\n${jwt}\n------END NATS USER JWT------\n\n-----BEGIN USER NKEY SEED-----\n${seed}\n------END USER NKEY SEED------\n`,
    { mode: 0o600 },
  );
}
