// Issue 11: no secret ever leaves the process. Distinct secret values are planted in every
// credential form the monitor accepts (URL user info with a password, with a token and with
// percent-encoded characters, in NATS_URL, --server, --config and a `nats` context; NATS_USER/
// NATS_PASSWORD; --user/--password; NATS_TOKEN; an nkey seed file; a .creds file; a Secrets Manager
// secret read by the built Lambda bundle), the real CLI (`check` in every format,
// a short `watch`) and the real bundle run against a real cluster and moto_server, logging in and
// failing to, and everything they wrote is scanned: stdout, stderr, every file and every file or
// folder name under their folders, JSON lines, what SNS delivered to SQS, every DynamoDB item
// (compressed history documents decoded). No secret may appear in any form it was given in.
import { seededRandom } from "../../lib/testbed/random.ts";
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { gunzipSync } from "node:zlib";
import { DynamoDBClient, ScanCommand, type AttributeValue } from "@aws-sdk/client-dynamodb";
import { CreateSecretCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { SNSClient } from "@aws-sdk/client-sns";
import { DeleteMessageBatchCommand, ReceiveMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { createAccount, createUser, type KeyPair } from "@nats-io/nkeys";
import { build } from "esbuild";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { esbuildOptions } from "../../infra/bundling.ts";
import { createHistoryTable } from "../../lib/history/dynamodb-table.ts";
import { LAMBDA_ENV } from "../../lib/lambda/environment.ts";
import { NatsCluster, waitFor } from "../../lib/testbed/cluster.ts";
import { MotoServer } from "../../lib/testbed/moto.ts";
import { projectRoot, serversUnderTest, type ServerBinary } from "../../lib/testbed/servers.ts";
import { BundleProcess, type Invocation } from "../lambda/bundle-process.ts";
import { clientConfig, createQueue, createTopic, subscribeQueue } from "../notify/aws.ts";

const BIN = join(projectRoot, "bin", "lookout.js");
const FORMATS = ["json", "text", "nagios", "prometheus"] as const;

// ---------------------------------------------------------------------------------------------
// The planted secrets: seeded, so every run plants the same values, and each one distinct.

const rnd = seededRandom(0x5ec2e7);
const ALNUM = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
const noise = (n: number) => Array.from({ length: n }, () => ALNUM[Math.floor(rnd() * ALNUM.length)]).join("");

/** Characters a URL's user info must percent-encode, so the URL carries a form that differs from the value. */
const SPECIAL = ":@/%?#+!";

const S = {
  /** SYS user `mon-url`'s password, given only through URL user info, percent-encoded: must log in. */
  urlPasswordOk: `Ur1ok${SPECIAL}${noise(12)}`,
  /** A wrong password for `mon-url` through URL user info (plain characters). */
  urlPasswordBad: `UrlBadPw${noise(14)}`,
  /** A wrong password for `mon-url` through URL user info, with characters that must be percent-encoded. */
  urlPasswordBadEncoded: `Ur1bad${SPECIAL}${noise(12)}`,
  /** A wrong password for `mon-url` in `nats.servers` of the --config file. */
  configUrlPassword: `CfgUrlPw${noise(14)}`,
  /** SYS user `mon-bare`'s password in user info of a URL without a scheme (`user:pass@host:port`, as the `nats` CLI accepts). */
  barePassword: `BareOkPw${noise(14)}`,
  /** SYS user `mon-flag`'s password through `--user`/`--password` (the `nats` CLI's flags): must log in. */
  flagPasswordOk: `FlagOkPw${noise(14)}`,
  /** A wrong password through `--password`. */
  flagPasswordBad: `FlagBadPw${noise(13)}`,
  /** A wrong password in user info of `--server`. */
  flagUrlPassword: `FlagUrlPw${noise(13)}`,
  /** A wrong password in a `nats` context file (NATS_CONTEXT), and one in user info of the context's url. */
  contextPassword: `CtxPw${noise(17)}`,
  contextUrlPassword: `CtxUrlPw${noise(14)}`,
  /** A password in user info of a URL that does not parse (port out of range). */
  invalidUrlPassword: `BadUrlPw${noise(14)}`,
  /** NATS_USER alone (the `nats` CLI takes it as a token). */
  loneUser: `LoneUser${noise(14)}`,
  /** A token the server does not know, through URL user info (`nats://TOKEN@host:port`). */
  urlToken: `UrlTok${noise(16)}`,
  /** The password in the issue's reproduction: user info on a URL nothing listens on. */
  refusedPassword: `RefusedPw${noise(14)}`,
  /** SYS user `mon-env`'s password through NATS_USER/NATS_PASSWORD: must log in. */
  envPasswordOk: `EnvOkPw${noise(15)}`,
  /** A wrong password for `mon-env` through NATS_PASSWORD. */
  envPasswordBad: `EnvBadPw${noise(14)}`,
  /** A token the server does not know through NATS_TOKEN. */
  envToken: `EnvTok${noise(16)}`,
  /** Secrets Manager: SYS user `mon-sm`'s password (logs in), a wrong one, an unknown token. */
  smPasswordOk: `SmOkPw${noise(16)}`,
  smPasswordBad: `SmBadPw${noise(15)}`,
  smToken: `SmTok${noise(17)}`,
  /** User info in the Lambda's plain-text LOOKOUT_CONFIG servers (not a supported place for it: whatever the function does with it, it must not echo it). */
  lambdaConfigUrlPassword: `LmbCfgPw${noise(14)}`,
};
const URL_USER = "mon-url";
const ENV_USER = "mon-env";
const SM_USER = "mon-sm";
const BARE_USER = "mon-bare";
const FLAG_USER = "mon-flag";
const REFUSED_USER = "refused-user";

const te = new TextEncoder();
const td = new TextDecoder();
const seedOf = (kp: KeyPair) => td.decode(kp.getSeed());
/** An nkey user of the system account (NATS_NKEY that logs in) and one the server does not know. */
const nkeyOk = createUser();
const nkeyBad = createUser();
const smNkeyBad = createUser();
/** The users inside the .creds files (the server is not in operator mode: it rejects them). */
const credsUser = createUser();
const smCredsUser = createUser();
const credsAccount = createAccount();

/** A user JWT signed by an account key, as `nsc` writes it (syntactically valid, unknown to the server). */
function userJwt(account: KeyPair, user: KeyPair, name: string): string {
  const b64 = (b: Uint8Array | string) => Buffer.from(b).toString("base64url");
  const header = b64(JSON.stringify({ typ: "JWT", alg: "ed25519-nkey" }));
  const claims = {
    jti: noise(52).toUpperCase(),
    iat: Math.floor(Date.now() / 1000),
    iss: account.getPublicKey(),
    name,
    sub: user.getPublicKey(),
    nats: { pub: {}, sub: {}, subs: -1, data: -1, payload: -1, type: "user", version: 2 },
  };
  const payload = b64(JSON.stringify(claims));
  return `${header}.${payload}.${b64(account.sign(te.encode(`${header}.${payload}`)))}`;
}
const credsFile = (jwt: string, seed: string) => `-----BEGIN NATS USER JWT-----
${jwt}
------END NATS USER JWT------

************************* IMPORTANT *************************
NKEY Seed printed below can be used to sign and prove identity.
NKEYs are sensitive and should be treated as secrets.

-----BEGIN USER NKEY SEED-----
${seed}
------END USER NKEY SEED------

*************************************************************
`;
const credsJwt = userJwt(credsAccount, credsUser, "scan-creds");
const smCredsJwt = userJwt(credsAccount, smCredsUser, "scan-sm-creds");

/** A secret and every form in which it could show up again: as given, decoded, encoded, escaped. */
interface Planted {
  name: string;
  forms: string[];
}

/** What the file history store makes of a string when it names a folder after it. */
const fileSafe = (s: string) => encodeURIComponent(s).replace(/\./g, "%2E");

function formsOf(value: string): string[] {
  const f = new Set<string>([
    value,
    encodeURIComponent(value),
    encodeURIComponent(encodeURIComponent(value)),
    fileSafe(value),
    fileSafe(encodeURIComponent(value)),
    JSON.stringify(value).slice(1, -1),
    encodeURI(value),
  ]);
  return [...f];
}

const planted: Planted[] = [];
function plant(name: string, value: string, extra: string[] = []): void {
  planted.push({ name, forms: [...new Set([...formsOf(value), ...extra.flatMap(formsOf)])] });
}
for (const [k, v] of Object.entries(S)) plant(k, v);
plant("nkeyOk seed", seedOf(nkeyOk));
plant("nkeyBad seed", seedOf(nkeyBad));
plant("smNkeyBad seed", seedOf(smNkeyBad));
plant("creds seed", seedOf(credsUser));
plant("creds JWT", credsJwt);
plant("sm creds seed", seedOf(smCredsUser));
plant("sm creds JWT", smCredsJwt);
/** User info as a whole, the way it sits in a URL, and a user name at the start of a URL authority. */
const userinfo = (user: string, password?: string) =>
  password === undefined
    ? `${encodeURIComponent(user)}@`
    : `${encodeURIComponent(user)}:${encodeURIComponent(password)}@`;
plant("user info mon-url:ok", userinfo(URL_USER, S.urlPasswordOk), [`${URL_USER}:${S.urlPasswordOk}@`]);
plant("user info mon-url:bad", userinfo(URL_USER, S.urlPasswordBad));
plant("user info mon-url:bad-encoded", userinfo(URL_USER, S.urlPasswordBadEncoded), [
  `${URL_USER}:${S.urlPasswordBadEncoded}@`,
]);
plant("user info token", userinfo(S.urlToken));
plant("user info refused", userinfo(REFUSED_USER, S.refusedPassword));
plant("user info in --config servers", userinfo(URL_USER, S.configUrlPassword));
plant("user info without a scheme", userinfo(BARE_USER, S.barePassword));
plant("user info of a URL that does not parse", userinfo(URL_USER, S.invalidUrlPassword));
plant("user info in --server", userinfo(URL_USER, S.flagUrlPassword));
plant("user info in a nats context's url", userinfo(URL_USER, S.contextUrlPassword));
plant("user info in LOOKOUT_CONFIG servers", userinfo(SM_USER, S.lambdaConfigUrlPassword));
for (const u of [URL_USER, REFUSED_USER, SM_USER]) plant(`user name ${u} in a URL`, `//${u}:`, [`//${u}@`]);

// The SYS users the cluster knows (extra users of the system account).
const sysUsers = [
  `{ user: "${URL_USER}", password: "${S.urlPasswordOk}" }`,
  `{ user: "${ENV_USER}", password: "${S.envPasswordOk}" }`,
  `{ user: "${SM_USER}", password: "${S.smPasswordOk}" }`,
  `{ user: "${BARE_USER}", password: "${S.barePassword}" }`,
  `{ user: "${FLAG_USER}", password: "${S.flagPasswordOk}" }`,
  `{ nkey: "${nkeyOk.getPublicKey()}" }`,
];

// ---------------------------------------------------------------------------------------------
// Scanning.

interface Haystack {
  where: string;
  text: string;
}
interface Leak {
  secret: string;
  form: string;
  where: string;
  context: string;
}

function scan(haystacks: Haystack[]): Leak[] {
  const leaks: Leak[] = [];
  for (const h of haystacks) {
    const lower = h.text.toLowerCase();
    for (const p of planted) {
      for (const form of p.forms) {
        const at = lower.indexOf(form.toLowerCase());
        if (at < 0) continue;
        leaks.push({
          secret: p.name,
          form,
          where: h.where,
          context: h.text.slice(Math.max(0, at - 60), at + form.length + 20).replace(/\s+/g, " "),
        });
        break; // one leak per secret and haystack is enough to name it
      }
    }
  }
  return leaks;
}

/** Text of a byte buffer, and of its decompressed content when it is gzip. */
function bytesToText(b: Uint8Array): string[] {
  const buf = Buffer.from(b.buffer, b.byteOffset, b.byteLength);
  const out = [buf.toString("utf8"), buf.toString("latin1")];
  if (buf[0] === 0x1f && buf[1] === 0x8b) {
    try {
      out.push(gunzipSync(buf).toString("utf8"));
    } catch {
      // a gzip chunk that is not a whole document: reassembled per partition instead
    }
  }
  return out;
}

/** Every file's content and every file and folder name under `root`. */
function walk(root: string): Haystack[] {
  const out: Haystack[] = [];
  const visit = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, e.name);
      const rel = relative(root, path);
      out.push({ where: `name of ${rel}`, text: rel });
      if (e.isDirectory()) visit(path);
      else if (e.isFile())
        for (const text of bytesToText(readFileSync(path))) out.push({ where: `content of ${rel}`, text });
    }
  };
  visit(root);
  return out;
}

/** Every item of the table: keys and plain attributes, binary attributes raw and gunzipped, and each partition's chunked history document reassembled and decoded. */
async function dynamoHaystacks(ddb: DynamoDBClient, table: string): Promise<Haystack[]> {
  const out: Haystack[] = [];
  const items: Record<string, AttributeValue>[] = [];
  let start: Record<string, AttributeValue> | undefined;
  do {
    const r = await ddb.send(
      new ScanCommand({ TableName: table, ConsistentRead: true, ...(start ? { ExclusiveStartKey: start } : {}) }),
    );
    items.push(...(r.Items ?? []));
    start = r.LastEvaluatedKey;
  } while (start);
  const byPartition = new Map<string, Record<string, AttributeValue>[]>();
  for (const it of items) {
    const pk = JSON.stringify(it.pk ?? null);
    const where = `DynamoDB ${table} item ${pk} ${JSON.stringify(it.sk ?? null)}`;
    const plain = JSON.stringify(it, (_k, v: unknown) => (v instanceof Uint8Array ? `<${v.byteLength} bytes>` : v));
    out.push({ where: `${where} (keys and attributes)`, text: plain });
    for (const [name, v] of Object.entries(it))
      if (v.B) for (const text of bytesToText(v.B)) out.push({ where: `${where} attribute ${name}`, text });
    byPartition.set(pk, [...(byPartition.get(pk) ?? []), it]);
  }
  for (const [pk, list] of byPartition) {
    const head = list.find((i) => i.sk?.S === "HEAD");
    if (!head?.data?.B) continue;
    const set = head.chunkSet?.S;
    const chunks = set
      ? list.filter((i) => i.sk?.S?.startsWith(set)).sort((a, b) => (a.sk!.S! < b.sk!.S! ? -1 : 1))
      : [];
    const gz = Buffer.concat([head.data.B, ...chunks.map((c) => c.data?.B ?? new Uint8Array())]);
    try {
      out.push({ where: `DynamoDB ${table} ${pk} history document`, text: gunzipSync(gz).toString("utf8") });
    } catch (e) {
      out.push({
        where: `DynamoDB ${table} ${pk} history document (undecodable: ${(e as Error).message})`,
        text: gz.toString("latin1"),
      });
    }
  }
  return out;
}

/** Everything SNS delivered to the queue so far (the raw SQS bodies: SNS envelope, message, attributes), deleted once read. */
async function sqsHaystacks(sqs: SQSClient, url: string): Promise<Haystack[]> {
  const out: Haystack[] = [];
  for (;;) {
    const r = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: url,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 0,
        VisibilityTimeout: 60,
        MessageAttributeNames: ["All"],
      }),
    );
    const msgs = r.Messages ?? [];
    if (!msgs.length) return out;
    for (const m of msgs) {
      out.push({
        where: `SQS message ${m.MessageId}`,
        text: `${m.Body ?? ""}\n${JSON.stringify(m.MessageAttributes ?? {})}`,
      });
      try {
        const env = JSON.parse(m.Body ?? "") as { Message?: string; Subject?: string };
        out.push({
          where: `SQS message ${m.MessageId} (SNS message)`,
          text: `${env.Subject ?? ""}\n${env.Message ?? ""}`,
        });
      } catch {
        // raw delivery: the body is the message
      }
    }
    await sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: url,
        Entries: msgs.map((m, i) => ({ Id: `d${i}`, ReceiptHandle: m.ReceiptHandle! })),
      }),
    );
  }
}

const report = (leaks: Leak[]) =>
  leaks.map((l) => `${l.secret} as ${JSON.stringify(l.form)} in ${l.where}: ...${l.context}...`);

// ---------------------------------------------------------------------------------------------
// Running the real CLI.

interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** `node bin/lookout.js ...` with exactly `env` (no TTY), from `cwd`. For `watch`, `stopWhen` ends it with SIGTERM (our own child, by PID). */
function lookout(
  args: string[],
  env: Record<string, string>,
  cwd: string,
  o: { stopWhen?: () => boolean; maxMs?: number } = {},
): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [BIN, ...args], {
      cwd,
      env: { PATH: process.env.PATH ?? "", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    p.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    p.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const started = Date.now();
    const maxMs = o.maxMs ?? 60_000;
    const tick = setInterval(() => {
      if (p.exitCode !== null || p.signalCode !== null) return;
      if (Date.now() - started > maxMs) p.kill("SIGKILL");
      else if (o.stopWhen?.()) p.kill("SIGTERM");
    }, 200);
    p.on("error", (e) => (clearInterval(tick), reject(e)));
    p.on("close", (code) => {
      clearInterval(tick);
      resolve({ code, stdout, stderr });
    });
  });
}

/** A blind run in any output: the finding's id or summary, or a `--verbose` run line with status unknown. */
const isBlind = (out: string) => /monitor_blind|monitor is blind|\b(meta|streams): unknown\b/i.test(out);

// ---------------------------------------------------------------------------------------------

const versions = serversUnderTest();

describe("secret scan: no credential leaves the process in any form (issue 11)", () => {
  let moto: MotoServer;
  let bundle: string;
  beforeAll(async () => {
    moto = await MotoServer.start();
    const o = esbuildOptions("meta", mkdtempSync(join(tmpdir(), "lookout-scan-bundle-")));
    await build(o);
    bundle = o.outfile;
  });
  afterAll(async () => {
    await moto?.stop();
  });

  describe.each(versions.map((v) => [v.version, v] as [string, ServerBinary]))("nats-server %s", (version, binary) => {
    let cluster: NatsCluster;
    let urls: string[];
    let inputs: string;
    let nkeyOkFile: string;
    let nkeyBadFile: string;
    let credsPath: string;
    let contextFile: string;
    let contextUrlFile: string;
    const running: BundleProcess[] = [];

    beforeAll(async () => {
      cluster = await NatsCluster.start({ binary, extraUsers: [{ account: "SYS", users: sysUsers }] });
      urls = cluster.urls;
      // Inputs the operator writes (the nkey and creds files hold secrets by design): never scanned.
      inputs = mkdtempSync(join(tmpdir(), `lookout-scan-inputs-${version}-`));
      nkeyOkFile = join(inputs, "ok.nk");
      nkeyBadFile = join(inputs, "bad.nk");
      credsPath = join(inputs, "user.creds");
      writeFileSync(nkeyOkFile, `${seedOf(nkeyOk)}\n`, { mode: 0o600 });
      writeFileSync(nkeyBadFile, `${seedOf(nkeyBad)}\n`, { mode: 0o600 });
      writeFileSync(credsPath, credsFile(credsJwt, seedOf(credsUser)), { mode: 0o600 });
      // `nats` context files, as `nats context save` writes them (selected by path through NATS_CONTEXT).
      contextFile = join(inputs, "scan-password.json");
      contextUrlFile = join(inputs, "scan-url.json");
      writeFileSync(
        contextFile,
        JSON.stringify({ description: "scan", url: urls.join(","), user: URL_USER, password: S.contextPassword }),
        { mode: 0o600 },
      );
      writeFileSync(
        contextUrlFile,
        JSON.stringify({ description: "scan", url: withUserinfo(userinfo(URL_USER, S.contextUrlPassword)) }),
        { mode: 0o600 },
      );
    });
    afterAll(async () => {
      for (const p of running) await p.stop();
      await cluster?.stop();
    });

    const withUserinfo = (info: string) => urls.map((u) => u.replace("nats://", `nats://${info}`)).join(",");

    /** A credential form: environment variables, a `nats` section for the --config file, command-line flags. */
    interface Form {
      name: string;
      env: Record<string, string>;
      nats?: object;
      args?: string[];
    }
    /** Credential forms that log in as a system-account user: the run must see the cluster. */
    const loginForms = (): Form[] => [
      {
        name: "URL user info (percent-encoded password)",
        env: { NATS_URL: withUserinfo(userinfo(URL_USER, S.urlPasswordOk)) },
      },
      {
        name: "NATS_USER/NATS_PASSWORD",
        env: { NATS_URL: urls.join(","), NATS_USER: ENV_USER, NATS_PASSWORD: S.envPasswordOk },
      },
      { name: "NATS_NKEY", env: { NATS_URL: urls.join(","), NATS_NKEY: nkeyOkFile } },
      {
        name: "--user/--password",
        env: {},
        args: ["--server", urls.join(","), "--user", FLAG_USER, "--password", S.flagPasswordOk],
      },
    ];
    /** Credential forms the servers refuse (or nothing listens): blind runs, where reasons echo what they were given. */
    const failForms = (): Form[] => [
      { name: "URL user info, wrong password", env: { NATS_URL: withUserinfo(userinfo(URL_USER, S.urlPasswordBad)) } },
      {
        name: "URL user info, wrong percent-encoded password",
        env: { NATS_URL: withUserinfo(userinfo(URL_USER, S.urlPasswordBadEncoded)) },
      },
      { name: "URL user info, unknown token", env: { NATS_URL: withUserinfo(userinfo(S.urlToken)) } },
      {
        name: "URL user info, nothing listening (the issue's reproduction)",
        env: { NATS_URL: `nats://${userinfo(REFUSED_USER, S.refusedPassword)}127.0.0.1:1` },
      },
      {
        name: "URL user info in --config nats.servers, wrong password",
        env: {},
        nats: { servers: urls.map((u) => u.replace("nats://", `nats://${userinfo(URL_USER, S.configUrlPassword)}`)) },
      },
      {
        name: "NATS_USER/NATS_PASSWORD, wrong password",
        env: { NATS_URL: urls.join(","), NATS_USER: ENV_USER, NATS_PASSWORD: S.envPasswordBad },
      },
      { name: "NATS_TOKEN, unknown token", env: { NATS_URL: urls.join(","), NATS_TOKEN: S.envToken } },
      { name: "NATS_NKEY, unknown seed", env: { NATS_URL: urls.join(","), NATS_NKEY: nkeyBadFile } },
      { name: "NATS_CREDS, JWT the server does not trust", env: { NATS_URL: urls.join(","), NATS_CREDS: credsPath } },
      {
        name: "--server with user info, wrong password",
        env: {},
        args: ["--server", withUserinfo(userinfo(URL_USER, S.flagUrlPassword))],
      },
      {
        name: "--user/--password, wrong password",
        env: {},
        args: ["-s", urls.join(","), "--user", FLAG_USER, "--password", S.flagPasswordBad],
      },
      { name: "nats context with user/password, wrong password", env: { NATS_CONTEXT: contextFile } },
      { name: "nats context url with user info, wrong password", env: { NATS_CONTEXT: contextUrlFile } },
    ];
    /**
     * Forms whose outcome this test does not judge (a login, a blind run or a configuration error):
     * whatever the monitor does with them, it must not echo them.
     */
    const otherForms = (): Form[] => [
      // The `nats` CLI logs in with user info on an address without a scheme.
      {
        name: "user info on an address without a scheme",
        env: {
          NATS_URL: urls.map((u) => `${userinfo(BARE_USER, S.barePassword)}${u.replace("nats://", "")}`).join(","),
        },
      },
      {
        name: "user info in a URL that does not parse",
        env: { NATS_URL: `nats://${userinfo(URL_USER, S.invalidUrlPassword)}127.0.0.1:99999` },
      },
      { name: "NATS_USER alone (a token to the nats CLI)", env: { NATS_URL: urls.join(","), NATS_USER: S.loneUser } },
    ];

    /** A fresh folder the process may write to: its working directory, HOME (so a default state folder lands here), history, JSON lines. */
    function sandbox(name: string) {
      const root = mkdtempSync(join(tmpdir(), `lookout-scan-${version}-${name}-`));
      const dirs = {
        root,
        cwd: join(root, "cwd"),
        home: join(root, "home"),
        history: join(root, "history"),
        notices: join(root, "notices.jsonl"),
      };
      for (const d of [dirs.cwd, dirs.home, dirs.history]) mkdirSync(d, { recursive: true });
      return dirs;
    }
    const baseEnv = (home: string) => ({ HOME: home, NO_COLOR: "1" });
    let configs = 0;
    /** A --config file (an input the operator wrote: it is not scanned). */
    const configIn = (doc: object) => {
      const f = join(inputs, `config-${++configs}.json`);
      writeFileSync(f, JSON.stringify(doc));
      return f;
    };
    const fileConfig = (box: ReturnType<typeof sandbox>, form: Form) =>
      configIn({
        ...(form.nats ? { nats: form.nats } : {}),
        notify: [{ kind: "terminal" }, { kind: "jsonl", file: box.notices }],
        slices: { meta: { every: "1s" }, streams: { every: "1s" } },
        timeouts: { connect: "2s", request: "2s" },
      });
    const io = (what: string, r: Ran): Haystack[] => [
      { where: `${what} stdout`, text: r.stdout },
      { where: `${what} stderr`, text: r.stderr },
    ];
    let watches = 0;
    /** A short `lookout watch` (about `ms`), stopped with SIGTERM. */
    const watch = (box: ReturnType<typeof sandbox>, form: Form, ms: number) => {
      const t0 = Date.now();
      // History of its own, so an alert the checks above left firing is new to it and shows.
      const history = join(box.root, `watch-history-${++watches}`);
      return lookout(
        ["watch", "--config", fileConfig(box, form), "--history", history, "--verbose", ...(form.args ?? [])],
        { ...baseEnv(box.home), ...form.env },
        box.cwd,
        { stopWhen: () => Date.now() - t0 > ms },
      );
    };

    it("logs in through URL user info, NATS_USER/NATS_PASSWORD, an nkey seed and --user/--password, sees the cluster, and writes none of them anywhere", async () => {
      const box = sandbox("login");
      const hay: Haystack[] = [];
      for (const form of loginForms()) {
        for (const format of FORMATS) {
          const r = await lookout(
            [
              "check",
              "--format",
              format,
              "--config",
              fileConfig(box, form),
              "--history",
              box.history,
              ...(form.args ?? []),
            ],
            { ...baseEnv(box.home), ...form.env },
            box.cwd,
          );
          hay.push(...io(`check --format ${format} (${form.name})`, r));
          expect
            .soft(
              isBlind(r.stdout + r.stderr),
              `${form.name}, --format ${format}: the login must work and the run see the cluster:\n${r.stdout}${r.stderr}`,
            )
            .toBe(false);
          expect
            .soft(r.code, `${form.name}, --format ${format}: exit code (3 = unknown)\n${r.stdout}${r.stderr}`)
            .not.toBe(3);
        }
      }
      // A short watch with user info in the URL: its banner, its verbose lines, the terminal and JSON lines notifiers.
      const w = await watch(box, loginForms()[0]!, 5_000);
      hay.push(...io("watch (URL user info)", w));
      expect.soft(w.stdout + w.stderr, "watch printed something").not.toBe("");
      expect
        .soft(isBlind(w.stdout + w.stderr), `watch with URL user info must see the cluster:\n${w.stdout}${w.stderr}`)
        .toBe(false);
      const files = walk(box.root);
      expect
        .soft(
          files.some((h) => h.where.startsWith("content of history/")),
          "history files were written",
        )
        .toBe(true);
      hay.push(...files);
      expect(report(scan(hay))).toEqual([]);
    }, 240_000);

    it("refused and failed logins in every credential form are blind runs that echo no credential, in every format, in history and JSON lines; nor do forms it may take or reject", async () => {
      const box = sandbox("fail");
      const hay: Haystack[] = [];
      for (const form of failForms()) {
        for (const format of FORMATS) {
          const r = await lookout(
            [
              "check",
              "--format",
              format,
              "--config",
              fileConfig(box, form),
              "--history",
              box.history,
              ...(form.args ?? []),
            ],
            { ...baseEnv(box.home), ...form.env },
            box.cwd,
          );
          hay.push(...io(`check --format ${format} (${form.name})`, r));
          // The run must have gone through the blind path, where reasons quote what the monitor was given.
          if (format === "json") {
            expect.soft(isBlind(r.stdout), `${form.name}: a blind run\n${r.stdout}${r.stderr}`).toBe(true);
            expect.soft(r.code, `${form.name}: exit 3`).toBe(3);
          }
        }
      }
      for (const form of otherForms()) {
        for (const format of FORMATS) {
          const r = await lookout(
            [
              "check",
              "--format",
              format,
              "--config",
              fileConfig(box, form),
              "--history",
              box.history,
              ...(form.args ?? []),
            ],
            { ...baseEnv(box.home), ...form.env },
            box.cwd,
          );
          hay.push(...io(`check --format ${format} (${form.name})`, r));
        }
      }
      for (const form of [failForms()[0]!, failForms()[5]!, failForms()[9]!, otherForms()[0]!]) {
        const w = await watch(box, form, 4_000);
        expect.soft(w.stdout + w.stderr, `watch (${form.name}) printed something`).not.toBe("");
        hay.push(...io(`watch (${form.name})`, w));
      }
      const notices = readFileSync(box.notices, "utf8");
      expect.soft(notices, "the blind alerts reached the JSON lines notifier").toContain("monitor_blind");
      const files = walk(box.root);
      expect
        .soft(
          files.some((h) => h.where.startsWith("content of history/") && h.text.includes("monitor_blind")),
          "the blind alerts are in the history files",
        )
        .toBe(true);
      hay.push(...files);
      expect(report(scan(hay))).toEqual([]);
    }, 300_000);

    it("through DynamoDB history and the SNS notifier (moto): no item, key or delivered message holds a credential", async () => {
      const cc = clientConfig(moto.env);
      const ddb = new DynamoDBClient(cc);
      const sns = new SNSClient(cc);
      const sqs = new SQSClient(cc);
      const tag = version.replace(/\./g, "-");
      const table = `lookout-scan-cli-${tag}`;
      await createHistoryTable(ddb, table);
      const topicArn = await createTopic(sns, `lookout-scan-cli-${tag}`);
      const queue = await createQueue(sqs, `lookout-scan-cli-${tag}`);
      await subscribeQueue(sns, topicArn, queue.arn);
      const box = sandbox("aws");
      const aws = {
        AWS_ACCESS_KEY_ID: moto.env.credentials.accessKeyId,
        AWS_SECRET_ACCESS_KEY: moto.env.credentials.secretAccessKey,
        AWS_REGION: moto.env.region,
        AWS_EC2_METADATA_DISABLED: "true",
      };
      const hay: Haystack[] = [];
      const run = async (form: Form, label?: string) => {
        const config = configIn({
          ...(label ? { cluster: label } : {}),
          ...(form.nats ? { nats: form.nats } : {}),
          history: { kind: "dynamodb", table, endpoint: moto.endpoint, region: moto.env.region },
          notify: [
            { kind: "sns", topicArn, endpoint: moto.endpoint, region: moto.env.region },
            { kind: "jsonl", file: box.notices },
          ],
          timeouts: { connect: "2s", request: "2s" },
        });
        const r = await lookout(
          ["check", "--format", "json", "--config", config, ...(form.args ?? [])],
          { ...baseEnv(box.home), ...aws, ...form.env },
          box.cwd,
        );
        hay.push(...io(`check (${form.name}${label ? `, cluster ${label}` : ""})`, r));
        return r;
      };
      for (const form of loginForms()) {
        const r = await run(form);
        expect.soft(isBlind(r.stdout + r.stderr), `${form.name} must log in:\n${r.stdout}${r.stderr}`).toBe(false);
      }
      let n = 0;
      const judged = new Set(failForms().map((f) => f.name));
      for (const form of [...failForms(), ...otherForms()]) {
        // Without a label (the history key is whatever the monitor derives), then with one of its
        // own, so each form raises a fresh blind alert whose notice travels through SNS.
        await run(form);
        const r = await run(form, `scan-fail-${++n}`);
        if (judged.has(form.name))
          expect.soft(isBlind(r.stdout), `${form.name}: a blind run\n${r.stdout}${r.stderr}`).toBe(true);
      }
      const delivered = await sqsHaystacks(sqs, queue.url);
      expect
        .soft(
          delivered.some((h) => h.text.includes("monitor_blind")),
          "blind notices were delivered through SNS",
        )
        .toBe(true);
      const items = await dynamoHaystacks(ddb, table);
      expect
        .soft(
          items.some((h) => h.where.endsWith("history document") && h.text.includes("monitor_blind")),
          "history documents were decoded",
        )
        .toBe(true);
      hay.push(...delivered, ...items, ...walk(box.root));
      ddb.destroy();
      sns.destroy();
      sqs.destroy();
      expect(report(scan(hay))).toEqual([]);
    }, 300_000);

    it("the Lambda bundle with credentials from Secrets Manager: logs, results, SNS messages and DynamoDB items hold none of them", async () => {
      const cc = clientConfig(moto.env);
      const ddb = new DynamoDBClient(cc);
      const sns = new SNSClient(cc);
      const sqs = new SQSClient(cc);
      const sm = new SecretsManagerClient(cc);
      const tag = version.replace(/\./g, "-");
      const table = `lookout-scan-lambda-${tag}`;
      await createHistoryTable(ddb, table);
      const topicArn = await createTopic(sns, `lookout-scan-lambda-${tag}`);
      const queue = await createQueue(sqs, `lookout-scan-lambda-${tag}`);
      await subscribeQueue(sns, topicArn, queue.arn);
      const hay: Haystack[] = [];
      /** The secret's value; whether it logs in (undefined: no claim); servers and label of LOOKOUT_CONFIG. */
      interface Case {
        what: string;
        value: object;
        logsIn: boolean | undefined;
        servers?: string[];
        label?: boolean;
      }
      const cases: Case[] = [
        { what: "user/password", value: { user: SM_USER, password: S.smPasswordOk }, logsIn: true },
        { what: "wrong password", value: { user: SM_USER, password: S.smPasswordBad }, logsIn: false },
        { what: "unknown token", value: { token: S.smToken }, logsIn: false },
        { what: "unknown nkey seed", value: { nkey: seedOf(smNkeyBad) }, logsIn: false },
        {
          what: "creds the server does not trust",
          value: { creds: credsFile(smCredsJwt, seedOf(smCredsUser)) },
          logsIn: false,
        },
        // No label: the history key is whatever the function derives from its configuration.
        {
          what: "wrong password, no cluster label",
          value: { user: SM_USER, password: S.smPasswordBad },
          logsIn: false,
          label: false,
        },
        {
          what: "user info in LOOKOUT_CONFIG servers",
          value: { user: SM_USER, password: S.smPasswordOk },
          logsIn: undefined,
          servers: urls.map((u) => u.replace("nats://", `nats://${userinfo(SM_USER, S.lambdaConfigUrlPassword)}`)),
          label: false,
        },
      ];
      let n = 0;
      for (const { what, value, logsIn, servers, label } of cases) {
        const arn = (
          await sm.send(
            new CreateSecretCommand({ Name: `nats-lookout/scan-${tag}-${++n}`, SecretString: JSON.stringify(value) }),
          )
        ).ARN!;
        const fn = await BundleProcess.start(
          bundle,
          {
            // A label of its own per secret, so each blind run raises (and pages) a fresh alert.
            [LAMBDA_ENV.config]: JSON.stringify({
              nats: { servers: servers ?? urls },
              ...(label === false ? {} : { cluster: `scan-sm-${n}` }),
              timeouts: { connect: "2s", request: "2s" },
            }),
            [LAMBDA_ENV.table]: table,
            [LAMBDA_ENV.topicArn]: topicArn,
            [LAMBDA_ENV.secretArn]: arn,
            POWERTOOLS_SERVICE_NAME: "nats-lookout-scan",
            POWERTOOLS_LOG_LEVEL: "DEBUG",
            AWS_ENDPOINT_URL: moto.endpoint,
            AWS_REGION: moto.env.region,
            AWS_ACCESS_KEY_ID: moto.env.credentials.accessKeyId,
            AWS_SECRET_ACCESS_KEY: moto.env.credentials.secretAccessKey,
            AWS_EC2_METADATA_DISABLED: "true",
            // The function's private scratch space: it holds the nkey/creds files by design, not scanned.
            TMPDIR: mkdtempSync(join(inputs, "lambda-tmp-")),
          },
          "lookout-meta",
        );
        running.push(fn);
        const results: Invocation[] = [];
        for (let i = 0; i < 2; i++)
          results.push(
            await fn.invoke({
              slice: "meta",
              scheduledTime: new Date().toISOString(),
              executionId: `scan-${n}-${i}`,
              attempt: "1",
              scheduleArn: "arn:aws:scheduler:us-east-1:123456789012:schedule/lookout/scan",
            }),
          );
        await fn.stop();
        hay.push(
          { where: `Lambda (${what}) stdout and stderr`, text: fn.output },
          { where: `Lambda (${what}) invocation results`, text: JSON.stringify(results) },
        );
        if (logsIn === true)
          expect
            .soft(
              results.map((r) => (r.ok ? r.result.status : `${r.error.name}: ${r.error.message}`)),
              `Lambda (${what}) sees the cluster`,
            )
            .toEqual(["ok", "ok"]);
        else if (logsIn === false)
          expect
            .soft(
              results.every((r) => !r.ok && r.error.name === "BlindError"),
              `Lambda (${what}) is blind: ${JSON.stringify(results.map((r) => (r.ok ? r.result.status : r.error.message)))}`,
            )
            .toBe(true);
      }
      const delivered = await waitFor(
        "the blind pages in SQS",
        async () => {
          const got = await sqsHaystacks(sqs, queue.url);
          return got.length ? got : undefined;
        },
        10_000,
        250,
      ).catch(() => [] as Haystack[]);
      expect
        .soft(
          delivered.some((h) => h.text.includes("monitor_blind")),
          "blind pages were delivered through SNS",
        )
        .toBe(true);
      const items = await dynamoHaystacks(ddb, table);
      expect
        .soft(
          items.some((h) => h.where.endsWith("history document") && h.text.includes("monitor_blind")),
          "history documents were decoded",
        )
        .toBe(true);
      hay.push(...delivered, ...items);
      for (const c of [ddb, sns, sqs, sm]) c.destroy();
      expect(report(scan(hay))).toEqual([]);
    }, 300_000);
  });
});
