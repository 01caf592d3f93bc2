// The NATS credentials secret: the shapes it may take, problems named by key (never by value),
// and file-shaped credentials written where only this process can read them.
import { mkdtempSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { SecretError } from "../../lib/lambda/errors.ts";
import { materializeSecret, parseNatsSecret } from "../../lib/lambda/secret.ts";

const ARN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:lookout-AbCdEf";
const SEED = "SUAIBDPBAUTWCWBKIO6XHQNINK5FWJW4OHLXC3HQ2KFE4PEJUA44CNHTC4";

describe("Function: parseNatsSecret", () => {
  it.each([
    ["user and password", { user: "sys", password: "s3cret-pw" }],
    ["token", { token: "s3cret-token" }],
    ["creds", { creds: "-----BEGIN NATS USER JWT-----\ns3cret\n------END NATS USER JWT------" }],
    ["nkey with TLS", { nkey: SEED, tls: { ca: "-----BEGIN CERTIFICATE-----\nx\n-----END CERTIFICATE-----" } }],
  ])("accepts %s", (_shape, doc) => {
    expect(parseNatsSecret(JSON.stringify(doc), ARN)).toEqual(doc);
  });

  it.each([
    ["not JSON", "s3cret-pw", /value is not JSON; expected \{"user","password"\}/],
    ["not an object", '"s3cret-pw"', /value is not a JSON object/],
    ["no credentials", "{}", /no credentials: expected/],
    ["two kinds", JSON.stringify({ token: "s3cret-token", nkey: SEED }), /more than one kind of credentials/],
    ["user without password", JSON.stringify({ user: "sys" }), /"user" and "password" go together/],
    ["unknown key", JSON.stringify({ token: "s3cret-token", pass: "s3cret-pw" }), /unknown key "pass"/],
    ["empty value", JSON.stringify({ token: "" }), /"token" must be a non-empty string/],
    ["non-string value", JSON.stringify({ user: "sys", password: 97531864 }), /"password" must be a non-empty string/],
    [
      "TLS cert without key",
      JSON.stringify({ token: "s3cret-token", tls: { cert: "PEM" } }),
      /"tls.cert" and "tls.key" go together/,
    ],
  ])("names the problem of %s without showing a value", (_case, text, message) => {
    let err: unknown;
    try {
      parseNatsSecret(text, ARN);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(SecretError);
    expect((err as Error).message).toMatch(message);
    expect((err as Error).message).toContain(ARN);
    for (const secret of ["s3cret", SEED, "97531864"]) expect((err as Error).message).not.toContain(secret);
  });
});

describe("Function: materializeSecret", () => {
  it("keeps inline credentials in memory and writes nothing", () => {
    const base = mkdtempSync(join(tmpdir(), "lookout-secret-"));
    expect(materializeSecret({ user: "sys", password: "pw" }, base)).toEqual({ user: "sys", password: "pw" });
    expect(materializeSecret({ token: "t" }, base)).toEqual({ token: "t" });
  });

  it("writes creds, nkey seed and TLS material to 0600 files in a private 0700 folder", () => {
    const base = mkdtempSync(join(tmpdir(), "lookout-secret-"));
    const c = materializeSecret({ nkey: `${SEED}\n`, tls: { ca: "CA", cert: "CERT", key: "KEY" } }, base);
    expect(readFileSync(c.nkey!, "utf8")).toBe(`${SEED}\n`);
    expect(readFileSync(c.tls!.key!, "utf8")).toBe("KEY\n");
    for (const f of [c.nkey!, c.tls!.ca!, c.tls!.cert!, c.tls!.key!]) expect(statSync(f).mode & 0o777).toBe(0o600);
    expect(statSync(dirname(c.nkey!)).mode & 0o777).toBe(0o700);
    expect(dirname(c.nkey!).startsWith(base)).toBe(true);

    const d = materializeSecret({ creds: "JWT AND SEED" }, base);
    expect(readFileSync(d.creds!, "utf8")).toBe("JWT AND SEED\n");
    expect(dirname(d.creds!)).not.toBe(dirname(c.nkey!));
  });
});
