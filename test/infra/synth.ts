// Synthesizes the real CDK app per environment file, or the construct with test props, and helps
// read the template without relying on hashed logical ids.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { App, Duration, Stack } from "aws-cdk-lib";
import { Template } from "aws-cdk-lib/assertions";
import { loadEnvironment, readEnvironment, type EnvironmentSettings } from "../../infra/environment-file.ts";
import { NatsLookout } from "../../infra/lookout-construct.ts";
import type { NatsLookoutProps } from "../../infra/lookout-props.ts";
import { LookoutStack } from "../../infra/stack.ts";

export type Resources = Record<
  string,
  {
    Type: string;
    Properties?: Record<string, unknown>;
    DeletionPolicy?: string;
    UpdateReplacePolicy?: string;
    Metadata?: Record<string, unknown>;
  }
>;

/** A fresh app; `bundle: false` skips esbuild (template-only tests run faster). */
export function testApp(bundle: boolean): App {
  return new App({
    outdir: mkdtempSync(join(tmpdir(), "lookout-cdk-")),
    context: {
      "aws:cdk:enable-asset-metadata": true,
      "aws:cdk:enable-path-metadata": true,
      ...(bundle ? {} : { "aws:cdk:bundling-stacks": [] }),
    },
  });
}

export interface Synthesized {
  stack: LookoutStack;
  template: Template;
  json: { Resources: Resources; Outputs?: Record<string, unknown> };
  settings: EnvironmentSettings;
  outdir: string;
}

/** The app's stack for `infra/environments/<name>.json`, as `cdk synth -c env=<name>` builds it. */
export function synthEnvironment(name: string, opts: { bundle?: boolean } = {}): Synthesized {
  const app = testApp(opts.bundle ?? false);
  const settings = loadEnvironment(name);
  const stack = new LookoutStack(app, settings);
  const template = Template.fromStack(stack);
  return { stack, template, json: template.toJSON() as Synthesized["json"], settings, outdir: app.outdir };
}

/** The stack for an environment document given inline (variants the files do not cover). */
export function synthDocument(doc: unknown, name = "test"): Synthesized {
  const app = testApp(false);
  const settings = readEnvironment(doc, name);
  const stack = new LookoutStack(app, settings);
  const template = Template.fromStack(stack);
  return { stack, template, json: template.toJSON() as Synthesized["json"], settings, outdir: app.outdir };
}

/** The construct alone in a bare stack, with props as a team would pass them. */
export function synthConstruct(props: NatsLookoutProps): {
  construct: NatsLookout;
  template: Template;
  json: Synthesized["json"];
} {
  const app = testApp(false);
  const stack = new Stack(app, "Test", { env: { account: "123456789012", region: "us-east-1" } });
  const construct = new NatsLookout(stack, "Lookout", props);
  const template = Template.fromStack(stack);
  return { construct, template, json: template.toJSON() as Synthesized["json"] };
}

/** Minimal valid construct props. */
export const baseProps = (over: Partial<NatsLookoutProps> = {}): NatsLookoutProps => ({
  natsServers: ["tls://nats.example.com:4222"],
  slices: { meta: { every: Duration.minutes(1) } },
  ...over,
});

export const ofType = (json: Synthesized["json"], type: string): [string, Resources[string]][] =>
  Object.entries(json.Resources).filter(([, r]) => r.Type === type);

/** The single resource of a type whose properties satisfy `pick`; fails loudly otherwise. */
export function only(
  json: Synthesized["json"],
  type: string,
  pick: (p: Record<string, unknown>) => boolean = () => true,
): [string, Resources[string]] {
  const found = ofType(json, type).filter(([, r]) => pick(r.Properties ?? {}));
  if (found.length !== 1) throw new Error(`expected exactly one ${type} matching, found ${found.length}`);
  return found[0]!;
}

/** Logical id of the Lambda function of a slice (found by its description, not its hash). */
export const functionIdOf = (json: Synthesized["json"], slice: string): string =>
  only(
    json,
    "AWS::Lambda::Function",
    (p) => typeof p.Description === "string" && p.Description.startsWith(`nats-lookout ${slice} slice`),
  )[0];

export const idByPath = (json: Synthesized["json"], type: string, pathEnd: string): string => {
  const found = ofType(json, type).filter(([, r]) =>
    (typeof r.Metadata?.["aws:cdk:path"] === "string" ? r.Metadata["aws:cdk:path"] : "").endsWith(pathEnd),
  );
  if (found.length !== 1) throw new Error(`expected one ${type} at */${pathEnd}, found ${found.length}`);
  return found[0]![0];
};
