// The built bundles, end to end on loopback: a real 3-node cluster, DynamoDB, SNS, SQS and
// Secrets Manager on moto_server. Each BundleProcess is one Lambda instance (start = cold start).
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, GetCommand } from "@aws-sdk/lib-dynamodb";
import { CreateSecretCommand, PutSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { SNSClient } from "@aws-sdk/client-sns";
import { SQSClient } from "@aws-sdk/client-sqs";
import { createUser } from "@nats-io/nkeys";
import { connect } from "@nats-io/transport-node";
import { build } from "esbuild";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { esbuildOptions } from "../../infra/bundling.ts";
import { runMetricSpecs } from "../../infra/monitoring.ts";
import { createHistoryTable, HEAD_SORT_KEY, HISTORY_TABLE } from "../../lib/history/dynamodb-table.ts";
import { partitionKeyFor } from "../../lib/history/dynamodb-store.ts";
import { LAMBDA_ENV } from "../../lib/lambda/environment.ts";
import { NatsCluster, SYS_USER, waitFor } from "../../lib/testbed/cluster.ts";
import { MotoServer } from "../../lib/testbed/moto.ts";
import { newestServer } from "../../lib/testbed/servers.ts";
import { clientConfig, createQueue, createTopic, drain, subscribeQueue, type Delivered } from "../notify/aws.ts";
import { BundleProcess, emfMetrics, type Invocation } from "./bundle-process.ts";

const SERVICE = "nats-lookout-e2e";
const CLUSTER_LABEL = "e2e";
const TABLE = "lookout-history-e2e";
const SYS_PASSWORD = SYS_USER.password;
const nkeyUser = createUser();
const ROT_OLD = "rot-old-Pw-5521";
const ROT_NEW = "rot-new-Pw-8830";
const SEED = new TextDecoder().decode(nkeyUser.getSeed());

const event = (slice: string) => ({
  slice,
  scheduledTime: new Date().toISOString(),
  executionId: `exec-${Date.now()}`,
  attempt: "1",
  scheduleArn: "arn:aws:scheduler:us-east-1:123456789012:schedule/lookout/e2e",
});
const ok = (i: Invocation) => {
  if (!i.ok) throw new Error(`invocation failed: ${i.error.name}: ${i.error.message}`);
  return i.result;
};

describe("Lambda bundles end to end (nats-server, DynamoDB, SNS, SQS, Secrets Manager on loopback)", () => {
  let cluster: NatsCluster;
  let moto: MotoServer;
  let sm: SecretsManagerClient;
  let sqs: SQSClient;
  let history: DynamoDBDocumentClient;
  let topicArn: string;
  let pager: { url: string; arn: string };
  let everything: { url: string; arn: string };
  const bundles: Record<string, string> = {};
  const running: BundleProcess[] = [];
  let secretSeq = 0;

  beforeAll(async () => {
    [moto, cluster] = await Promise.all([
      MotoServer.start(),
      NatsCluster.start({
        binary: newestServer(),
        extraUsers: [
          {
            account: "SYS",
            users: [`{ nkey: "${nkeyUser.getPublicKey()}" }`, `{ user: "rot", password: "${ROT_OLD}" }`],
          },
        ],
      }),
    ]);
    for (const slice of ["meta", "streams"]) {
      const o = esbuildOptions(slice, mkdtempSync(join(tmpdir(), `lookout-e2e-${slice}-`)));
      await build(o);
      bundles[slice] = o.outfile;
    }
    const cc = clientConfig(moto.env);
    sm = new SecretsManagerClient(cc);
    sqs = new SQSClient(cc);
    const ddb = new DynamoDBClient(cc);
    history = DynamoDBDocumentClient.from(ddb);
    await createHistoryTable(ddb, TABLE);
    const sns = new SNSClient(cc);
    topicArn = await createTopic(sns, "lookout-alerts-e2e");
    pager = await createQueue(sqs, "pager");
    everything = await createQueue(sqs, "everything");
    await subscribeQueue(sns, topicArn, pager.arn, { severity: ["critical"] });
    await subscribeQueue(sns, topicArn, everything.arn);
  });

  afterAll(async () => {
    for (const p of running) await p.stop();
    await cluster?.stop();
    await moto?.stop();
  });

  async function newSecret(value: object): Promise<string> {
    const r = await sm.send(
      new CreateSecretCommand({ Name: `nats-lookout/e2e-${++secretSeq}`, SecretString: JSON.stringify(value) }),
    );
    return r.ARN!;
  }

  /** A fresh Lambda instance of `slice` with the stack's variables pointing at moto. */
  async function coldStart(
    slice: string,
    secretArn: string,
    servers = cluster.runningUrls(),
    extra: Record<string, string> = {},
  ): Promise<BundleProcess> {
    const config = {
      nats: { servers },
      cluster: CLUSTER_LABEL,
      thresholds: { meta: { peerSeenCritical: "4s" } },
      alerts: { resolveAfterRuns: 1 },
      timeouts: { connect: "3s", request: "3s" },
      history: { ttlDays: 3 },
    };
    const p = await BundleProcess.start(
      bundles[slice]!,
      {
        [LAMBDA_ENV.config]: JSON.stringify(config),
        [LAMBDA_ENV.table]: TABLE,
        [LAMBDA_ENV.topicArn]: topicArn,
        [LAMBDA_ENV.secretArn]: secretArn,
        POWERTOOLS_SERVICE_NAME: SERVICE,
        POWERTOOLS_LOG_LEVEL: "INFO",
        AWS_ENDPOINT_URL: moto.endpoint,
        AWS_REGION: moto.env.region,
        AWS_ACCESS_KEY_ID: moto.env.credentials.accessKeyId,
        AWS_SECRET_ACCESS_KEY: moto.env.credentials.secretAccessKey,
        AWS_EC2_METADATA_DISABLED: "true",
        TMPDIR: mkdtempSync(join(tmpdir(), "lookout-lambda-tmp-")),
        ...extra,
      },
      `lookout-${slice}`,
    );
    running.push(p);
    return p;
  }

  const head = async (slice: string) =>
    (
      await history.send(
        new GetCommand({
          TableName: TABLE,
          Key: {
            [HISTORY_TABLE.partitionKey]: partitionKeyFor({ cluster: CLUSTER_LABEL, slice: slice as "meta" }),
            [HISTORY_TABLE.sortKey]: HEAD_SORT_KEY,
          },
          ConsistentRead: true,
        }),
      )
    ).Item;

  it("healthy cluster: reads the secret, saves history, logs the run, emits every dashboard metric, leaks nothing", async () => {
    const secretArn = await newSecret({ user: SYS_USER.user, password: SYS_PASSWORD });
    const fn = await coldStart("meta", secretArn);
    const t0 = Date.now();
    const r = ok(await fn.invoke(event("meta")));
    const firstMs = Date.now() - t0;
    expect(r).toMatchObject({
      slice: "meta",
      cluster: CLUSTER_LABEL,
      status: "ok",
      findings: 0,
      bySeverity: { critical: 0, warning: 0, info: 0 },
    });

    const item = await head("meta");
    expect(item?.version).toBeGreaterThanOrEqual(1);
    const expiresAt = item![HISTORY_TABLE.ttlAttribute] as number;
    expect(expiresAt * 1000).toBeGreaterThan(Date.now() + 2.9 * 86_400_000);
    expect(expiresAt * 1000).toBeLessThan(Date.now() + 3.1 * 86_400_000);

    const lines = fn.lines;
    const finished = lines.find((l) => l.message === "run finished")!;
    expect(finished).toMatchObject({
      level: "INFO",
      service: SERVICE,
      slice: "meta",
      run: { status: "ok", cluster: CLUSTER_LABEL, findings: 0 },
    });
    expect((finished.run as { id: string }).id).toMatch(/^req-/);
    const emitted = emfMetrics(lines);
    for (const spec of runMetricSpecs(SERVICE, "meta")) {
      expect(
        emitted.filter(
          (m) =>
            m.namespace === "NatsLookout" &&
            m.name === spec.metricName &&
            JSON.stringify(m.dimensions) === JSON.stringify(spec.dimensions),
        ),
        `${spec.metricName} ${JSON.stringify(spec.dimensions)}`,
      ).toHaveLength(1);
    }
    // Only the core series by default (each costs $0.30 a month); the log line has the rest.
    expect(emitted).toHaveLength(runMetricSpecs(SERVICE, "meta").length);
    expect(
      (finished.run as { requests: { requests: number }; byCheck: object }).requests.requests,
    ).toBeGreaterThanOrEqual(1);
    expect((finished.run as { byCheck: object }).byCheck).toEqual({});
    expect(fn.output).not.toContain(SYS_PASSWORD);

    const detailed = await coldStart("meta", secretArn, cluster.runningUrls(), { [LAMBDA_ENV.detailedMetrics]: "1" });
    ok(await detailed.invoke(event("meta")));
    const all = emfMetrics(detailed.lines);
    for (const spec of runMetricSpecs(SERVICE, "meta", true)) {
      expect(
        all.filter(
          (m) => m.name === spec.metricName && JSON.stringify(m.dimensions) === JSON.stringify(spec.dimensions),
        ),
        `${spec.metricName} ${JSON.stringify(spec.dimensions)}`,
      ).toHaveLength(1);
    }
    expect(all.find((m) => m.name === "NatsRequests")!.value).toBeGreaterThanOrEqual(1);
    expect(all.map((m) => m.name)).toContain("ColdStart");

    // Warm: no second cold start, no second "cold start ready".
    ok(await fn.invoke(event("meta")));
    expect(fn.lines.filter((l) => l.message === "cold start ready")).toHaveLength(1);
    const init = fn.lines.find((l) => l.message === "cold start ready")!.initMs;
    console.log(
      `[lambda] meta bundle: import ${fn.importMs.toFixed(0)} ms, cold start init (config, secret, clients) ${String(init)} ms, first invocation ${firstMs} ms`,
    );
  });

  it("healthy cluster: the streams bundle runs too", async () => {
    const fn = await coldStart("streams", await newSecret({ user: SYS_USER.user, password: SYS_PASSWORD }));
    const r = ok(await fn.invoke(event("streams")));
    expect(r.status).toBe("ok");
    expect((await head("streams"))?.version).toBeGreaterThanOrEqual(1);
  });

  it("frozen follower: one critical page through SNS to the pager queue, resolved after the thaw", async () => {
    await drain(sqs, pager.url);
    await drain(sqs, everything.url);
    const leader = await cluster.waitForMetaLeader();
    const follower = cluster.servers.find((s) => s.name !== leader)!;
    const live = cluster.servers.filter((s) => s !== follower).map((s) => `nats://127.0.0.1:${s.port}`);
    const fn = await coldStart("meta", await newSecret({ user: SYS_USER.user, password: SYS_PASSWORD }), live);
    ok(await fn.invoke(event("meta")));

    cluster.freeze(follower.index);
    let paged: Delivered[] = [];
    try {
      await waitFor(
        "a critical meta_peer_seen page",
        async () => {
          const r = ok(await fn.invoke(event("meta")));
          paged = [...paged, ...(await drain(sqs, pager.url))];
          return r.bySeverity.critical > 0 && paged.length > 0 ? true : undefined;
        },
        60_000,
        1000,
      );
      // More runs while it lasts: still one page (the alert fires once, reminders come hours later).
      ok(await fn.invoke(event("meta")));
      paged = [...paged, ...(await drain(sqs, pager.url))];
    } finally {
      cluster.thaw(follower.index);
    }
    expect(paged).toHaveLength(1);
    expect(paged[0]!.attributes).toMatchObject({
      severity: "critical",
      check: "meta_peer_seen",
      cluster: CLUSTER_LABEL,
      state: "new",
    });
    expect(JSON.stringify(paged[0]!.doc)).toContain(follower.name);
    const all = await drain(sqs, everything.url);
    expect(all.map((d) => d.attributes.check)).toContain("meta_peer_seen");
    expect(all.every((d) => d.attributes.state === "new")).toBe(true);

    await cluster.waitForMetaLeader(60_000);
    const resolved = await waitFor(
      "the resolved page",
      async () => {
        ok(await fn.invoke(event("meta")));
        const got = await drain(sqs, pager.url);
        return got.find((d) => d.attributes.state === "resolved");
      },
      60_000,
      1000,
    );
    expect(resolved.attributes).toMatchObject({ severity: "critical", check: "meta_peer_seen" });
    expect(fn.output).not.toContain(SYS_PASSWORD);
  });

  it("caches the secret; a wrong password at the next cold start is a blind run that saves, pages, then throws", async () => {
    await drain(sqs, pager.url);
    const secretArn = await newSecret({ user: SYS_USER.user, password: SYS_PASSWORD });
    const warm = await coldStart("meta", secretArn);
    ok(await warm.invoke(event("meta")));
    const WRONG = "wrong-password-7f3a9c";
    await sm.send(
      new PutSecretValueCommand({
        SecretId: secretArn,
        SecretString: JSON.stringify({ user: SYS_USER.user, password: WRONG }),
      }),
    );
    // The warm instance still holds the credentials it read (within their max age, 5 min by default).
    expect(ok(await warm.invoke(event("meta"))).status).toBe("ok");
    const before = (await head("meta"))!.version as number;

    const cold = await coldStart("meta", secretArn);
    const r = await cold.invoke(event("meta"));
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.name).toBe("BlindError");
    expect(r.error.message).toMatch(/meta run is blind: .*(authorization|authentication)/i);
    // It saved what it could: the blind alert is in history, and it was paged before the throw.
    expect((await head("meta"))!.version).toBeGreaterThan(before);
    const pages = await drain(sqs, pager.url);
    expect(pages.map((d) => d.attributes.check)).toContain("monitor_blind");
    const finished = cold.lines.find((l) => l.message === "run finished")!;
    expect(finished).toMatchObject({ level: "ERROR", run: { status: "unknown" } });
    expect(emfMetrics(cold.lines).find((m) => m.name === "Blind")!.value).toBe(1);
    for (const p of [warm, cold]) {
      expect(p.output).not.toContain(WRONG);
      expect(p.output).not.toContain(SYS_PASSWORD);
    }
    // A page for the blind alert resolving comes once the next run sees again; put the secret back.
    await sm.send(
      new PutSecretValueCommand({
        SecretId: secretArn,
        SecretString: JSON.stringify({ user: SYS_USER.user, password: SYS_PASSWORD }),
      }),
    );
    const healed = await coldStart("meta", secretArn);
    expect(ok(await healed.invoke(event("meta"))).status).toBe("ok");
  });

  it("a rotated password is picked up by a warm instance without a redeploy, and never pages as blind", async () => {
    await drain(sqs, pager.url);
    const secretArn = await newSecret({ user: "rot", password: ROT_OLD });
    const fn = await coldStart("meta", secretArn);
    expect(ok(await fn.invoke(event("meta"))).status).toBe("ok");
    // Rotation as operators do it: the servers get the new password (config reload), then the secret.
    for (const s of cluster.servers) {
      writeFileSync(s.configFile, readFileSync(s.configFile, "utf8").replaceAll(ROT_OLD, ROT_NEW));
      s.proc!.kill("SIGHUP");
    }
    await waitFor(
      "the servers to refuse the old password",
      async () => {
        const nc = await connect({
          servers: cluster.runningUrls(),
          user: "rot",
          pass: ROT_OLD,
          reconnect: false,
          timeout: 1000,
        }).catch(() => undefined);
        if (nc) await nc.close();
        return nc ? undefined : true;
      },
      20_000,
      200,
    );
    await sm.send(
      new PutSecretValueCommand({
        SecretId: secretArn,
        SecretString: JSON.stringify({ user: "rot", password: ROT_NEW }),
      }),
    );
    // The warm instance still caches the old value (max age 5 min): the refused login makes it read again.
    const r = ok(await fn.invoke(event("meta")));
    expect(r).toMatchObject({ status: "ok", findings: 0 });
    expect(fn.lines.some((l) => l.message === "NATS credentials rotated: connecting with the new ones")).toBe(true);
    expect(await drain(sqs, pager.url)).toEqual([]);
    expect(fn.output).not.toContain(ROT_OLD);
    expect(fn.output).not.toContain(ROT_NEW);
  });

  it("an nkey seed secret is written to a private 0600 file under /tmp and authenticates", async () => {
    const lambdaTmp = mkdtempSync(join(tmpdir(), "lookout-lambda-tmp-"));
    const fn = await coldStart("meta", await newSecret({ nkey: SEED }), cluster.runningUrls(), { TMPDIR: lambdaTmp });
    expect(ok(await fn.invoke(event("meta"))).status).toBe("ok");
    const dirs = readdirSync(lambdaTmp).filter((d) => d.startsWith("nats-lookout-"));
    expect(dirs).toHaveLength(1);
    const dir = join(lambdaTmp, dirs[0]!);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(readdirSync(dir)).toEqual(["user.nk"]);
    expect(statSync(join(dir, "user.nk")).mode & 0o777).toBe(0o600);
    expect(fn.output).not.toContain(SEED);
  });

  it("a secret in the wrong shape fails the cold start by key, not value; once fixed, the same instance recovers", async () => {
    const VALUE = "p4ss-in-the-wrong-key";
    const secretArn = await newSecret({ user: SYS_USER.user, pass: VALUE });
    const fn = await coldStart("meta", secretArn);
    const r = await fn.invoke(event("meta"));
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.name).toBe("SecretError");
    expect(r.error.message).toContain(`NATS credentials secret ${secretArn}: unknown key "pass"`);
    expect(fn.output + r.error.message).not.toContain(VALUE);
    // A failed cold start is not cached: the next invocation reads the secret again.
    await sm.send(
      new PutSecretValueCommand({
        SecretId: secretArn,
        SecretString: JSON.stringify({ user: SYS_USER.user, password: SYS_PASSWORD }),
      }),
    );
    expect(ok(await fn.invoke(event("meta"))).status).toBe("ok");
  });

  it("refuses a schedule aimed at another slice", async () => {
    const fn = await coldStart("meta", await newSecret({ user: SYS_USER.user, password: SYS_PASSWORD }));
    const r = await fn.invoke(event("streams"));
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.name).toBe("ScheduleEventError");
      expect(r.error.message).toMatch(/runs the meta slice but the event asks for "streams"/);
    }
  });
});
