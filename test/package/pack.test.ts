// The package as a user gets it: `npm pack` (its prepack builds dist/), the tarball installed with
// `npm install` into an empty folder, then the installed `nats-lookout check` against a real
// cluster and a user's own CDK app that imports the construct from `nats-lookout/cdk`.
import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NatsCluster, SYS_USER, waitFor } from "../../lib/testbed/cluster.ts";
import { newestServer, projectRoot } from "../../lib/testbed/servers.ts";

const run = promisify(execFile);
const versionOf = (pkg: string): string =>
  (JSON.parse(readFileSync(join(projectRoot, "node_modules", pkg, "package.json"), "utf8")) as { version: string })
    .version;
const ownVersion = (JSON.parse(readFileSync(join(projectRoot, "package.json"), "utf8")) as { version: string }).version;

interface Ran {
  code: number;
  stdout: string;
  stderr: string;
}
async function exec(file: string, args: string[], cwd: string, env: Record<string, string>): Promise<Ran> {
  try {
    const r = await run(file, args, { cwd, env, timeout: 300_000, maxBuffer: 64 << 20 });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (e) {
    const x = e as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof x.code === "number" ? x.code : -1, stdout: x.stdout ?? "", stderr: x.stderr ?? "" };
  }
}

describe("the published package", () => {
  let dir: string;
  let app: string;
  let files: string[];
  /** No credentials, no AWS profile, a home of its own: nothing from this machine leaks in. */
  let bare: Record<string, string>;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "lookout-pack-"));
    bare = { PATH: process.env.PATH ?? "", HOME: join(dir, "home"), TMPDIR: dir, LANG: "C" };
    mkdirSync(bare.HOME!);
    // npm's own cache and registry settings stay (the registry is reachable; the cache makes it fast).
    const npmEnv = {
      ...bare,
      npm_config_cache: process.env.npm_config_cache ?? join(process.env.HOME ?? "/root", ".npm"),
    };
    const packed = await exec("npm", ["pack", "--json", "--pack-destination", dir], projectRoot, npmEnv);
    expect(packed.code, packed.stderr).toBe(0);
    const [info] = JSON.parse(packed.stdout.slice(packed.stdout.indexOf("["))) as {
      filename: string;
      files: { path: string }[];
    }[];
    files = info!.files.map((f) => f.path);
    app = join(dir, "app");
    mkdirSync(app);
    writeFileSync(join(app, "package.json"), JSON.stringify({ name: "my-monitoring", private: true, type: "module" }));
    // The CDK libraries are the user's (optional peer dependencies): the versions this repository tests.
    const installed = await exec(
      "npm",
      [
        "install",
        join(dir, info!.filename),
        `aws-cdk-lib@${versionOf("aws-cdk-lib")}`,
        `constructs@${versionOf("constructs")}`,
        "--prefer-offline",
        "--no-audit",
        "--no-fund",
      ],
      app,
      npmEnv,
    );
    expect(installed.code, installed.stderr).toBe(0);
  }, 600_000);
  // The installed tree is a few hundred MB (aws-cdk-lib).
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("ships the compiled CLI, library, construct and handlers, and nothing of the repository's own", () => {
    expect(files).toEqual(
      expect.arrayContaining([
        "package.json",
        "bin/lookout.js",
        "dist/cli.js",
        "dist/lib/index.js",
        "dist/lib/index.d.ts",
        "dist/infra/cdk.js",
        "dist/infra/cdk.d.ts",
        "dist/functions/meta/index.mjs",
        "dist/functions/streams/index.mjs",
      ]),
    );
    expect(
      files.filter(
        (f) =>
          /^(test|bench|scripts|functions|lib|infra|docs)\//.test(f) || (f.endsWith(".ts") && !f.endsWith(".d.ts")),
      ),
    ).toEqual([]);
    const pkg = JSON.parse(readFileSync(join(app, "node_modules", "nats-lookout", "package.json"), "utf8")) as Record<
      string,
      Record<string, string> | undefined
    >;
    expect(pkg.private).toBeUndefined();
    expect(Object.keys(pkg.dependencies ?? {})).not.toContain("tsx");
    expect(Object.keys(pkg.peerDependencies ?? {}).sort()).toEqual(["aws-cdk-lib", "constructs"]);
  });

  it("installs both bin names, and neither needs tsx nor esbuild", async () => {
    const installed = readdirSync(join(app, "node_modules"));
    expect(installed).not.toContain("tsx");
    expect(installed).not.toContain("esbuild");
    for (const name of ["nats-lookout", "lookout"]) {
      const r = await exec(join(app, "node_modules", ".bin", name), ["--version"], app, bare);
      expect(r.stdout).toBe(`nats-lookout ${ownVersion}\n`);
      expect(r.code).toBe(0);
    }
    const help = await exec(join(app, "node_modules", ".bin", "nats-lookout"), ["--help"], app, bare);
    expect(help.stdout).toMatch(/^usage: lookout <command>/);
  });

  describe("against a real cluster", () => {
    let cluster: NatsCluster;
    beforeAll(async () => {
      cluster = await NatsCluster.start({ binary: newestServer() });
    });
    afterAll(async () => {
      await cluster?.stop();
    });

    it("the installed `nats-lookout check --format nagios` says OK with exit code 0", async () => {
      const env = {
        ...bare,
        NATS_URL: cluster.urls.join(","),
        NATS_USER: SYS_USER.user,
        NATS_PASSWORD: SYS_USER.password,
        XDG_STATE_HOME: join(dir, "state"),
      };
      const r = await waitFor("an OK check", async () => {
        const x = await exec(
          join(app, "node_modules", ".bin", "nats-lookout"),
          ["check", "--format", "nagios", "--timeout", "9s"],
          "/",
          env,
        );
        return x.code === 0 ? x : undefined;
      });
      expect(r.stdout.split("\n")[0]).toMatch(/^LOOKOUT OK: no findings \| .*meta_peers_online=3;;2:;0;3/);
    });

    it("a wrong password is UNKNOWN, exit code 3, on the first line", async () => {
      const env = {
        ...bare,
        NATS_URL: cluster.urls.join(","),
        NATS_USER: SYS_USER.user,
        NATS_PASSWORD: "wrong",
        XDG_STATE_HOME: join(dir, "state"),
      };
      const r = await exec(
        join(app, "node_modules", ".bin", "nats-lookout"),
        ["check", "--format", "nagios", "--timeout", "9s"],
        "/",
        env,
      );
      expect(r.stdout.split("\n")[0]).toMatch(/^LOOKOUT UNKNOWN: /);
      expect(r.code).toBe(3);
    });
  });

  it("a user's own CDK app synthesizes the construct from `nats-lookout/cdk`, deploying the tested handler bundles", async () => {
    writeFileSync(
      join(app, "app.mjs"),
      [
        'import { App, Duration, Stack } from "aws-cdk-lib";',
        'import { NatsLookout } from "nats-lookout/cdk";',
        "const app = new App({ outdir: process.argv[2] });",
        'const stack = new Stack(app, "Monitoring", { env: { account: "123456789012", region: "eu-west-1" } });',
        'new NatsLookout(stack, "Lookout", { natsServers: ["tls://nats.example.com:4222"], slices: { meta: { every: Duration.minutes(1) }, streams: { every: Duration.minutes(5) } } });',
        "app.synth();",
      ].join("\n"),
    );
    const out = join(dir, "cdk.out");
    const env = {
      ...bare,
      CDK_DISABLE_VERSION_CHECK: "1",
      CDK_DISABLE_CLI_TELEMETRY: "true",
      AWS_EC2_METADATA_DISABLED: "true",
    };
    const r = await exec(process.execPath, ["app.mjs", out], app, env);
    expect(r.code, r.stderr).toBe(0);
    const template = JSON.parse(readFileSync(join(out, "Monitoring.template.json"), "utf8")) as {
      Resources: Record<string, { Type: string; Properties: Record<string, unknown> & { Code?: { S3Key?: string } } }>;
    };
    const assets = JSON.parse(readFileSync(join(out, "Monitoring.assets.json"), "utf8")) as {
      files: Record<string, { source: { path: string } }>;
    };
    const fns = Object.values(template.Resources).filter((x) => x.Type === "AWS::Lambda::Function");
    expect(fns.map((f) => f.Properties.Description).sort()).toEqual([
      expect.stringMatching(/^nats-lookout meta slice/),
      expect.stringMatching(/^nats-lookout streams slice/),
    ]);
    for (const fn of fns) {
      expect(fn.Properties).toMatchObject({
        Handler: "index.handler",
        Runtime: "nodejs22.x",
        Architectures: ["arm64"],
      });
      const slice = /^nats-lookout (\w+) slice/.exec(String(fn.Properties.Description))![1]!;
      // The staged asset is the package's prebuilt handler (built by scripts/build.ts with the
      // construct's esbuild options, the bundles test/infra/bundle.test.ts checks), and it loads
      // on its own: nothing next to it in cdk.out to resolve packages from.
      const asset = assets.files[String(fn.Properties.Code?.S3Key).replace(/\.zip$/, "")]!;
      const staged = join(out, asset.source.path, "index.mjs");
      expect(
        readFileSync(staged).equals(
          readFileSync(join(app, "node_modules", "nats-lookout", "dist", "functions", slice, "index.mjs")),
        ),
      ).toBe(true);
      const loaded = await exec(
        process.execPath,
        [
          "--input-type=module",
          "-e",
          `const m = await import(${JSON.stringify(staged)}); console.log(typeof m.handler);`,
        ],
        dir,
        bare,
      );
      expect(loaded.stdout, loaded.stderr).toBe("function\n");
    }
  });
});
