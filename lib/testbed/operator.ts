// Operator-mode trust for a test server: an operator, a system account and an application account
// as JWTs (memory resolver, preloaded), and creds files for users of the system account. Keys live
// in this process only; the JWTs go into the server's configuration and the creds files written.
import { writeFileSync } from "node:fs";
import { encodeAccount, encodeOperator, encodeUser, fmtCreds } from "@nats-io/jwt";
import { createAccount, createOperator, createUser, type KeyPair } from "@nats-io/nkeys";

export interface OperatorTrustOptions {
  /** Epoch ms at which the system account's JWT expires; never when absent. */
  systemAccountExpiresAt?: number;
}

export interface OperatorTrust {
  /** The server configuration: operator, system account, memory resolver and its preloaded accounts. */
  config: string;
  /** The system account's public key. */
  systemAccount: string;
  /** Writes a creds file (mode 0600) for a new user of the system account. */
  writeSystemUserCreds(file: string, expiresAt?: number): Promise<void>;
}

const UNLIMITED = { conn: -1, subs: -1, data: -1, payload: -1, imports: -1, exports: -1, wildcards: true, leaf: -1 };
const seconds = (ms: number | undefined) => (ms === undefined ? {} : { exp: Math.floor(ms / 1000) });

export async function operatorTrust(o: OperatorTrustOptions = {}): Promise<OperatorTrust> {
  const operator = createOperator();
  const sys: KeyPair = createAccount();
  const app = createAccount();
  const systemAccount = sys.getPublicKey();
  const operatorJwt = await encodeOperator("LOOKOUT_OP", operator, { system_account: systemAccount });
  const sysJwt = await encodeAccount(
    "SYS",
    sys,
    { limits: UNLIMITED },
    { signer: operator, ...seconds(o.systemAccountExpiresAt) },
  );
  const appJwt = await encodeAccount("APP", app, { limits: UNLIMITED }, { signer: operator });
  return {
    config: `operator: ${operatorJwt}
system_account: ${systemAccount}
resolver: MEMORY
resolver_preload: {
  ${systemAccount}: ${sysJwt}
  ${app.getPublicKey()}: ${appJwt}
}`,
    systemAccount,
    async writeSystemUserCreds(file, expiresAt) {
      const user = createUser();
      const jwt = await encodeUser("lookout", user, sys, {}, seconds(expiresAt));
      writeFileSync(file, fmtCreds(jwt, user), { mode: 0o600 });
    },
  };
}
