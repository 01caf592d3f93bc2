// Networking for functions inside a VPC. They need NATS (the cluster's client port), DynamoDB (a
// free gateway endpoint on the subnets' route tables), and SNS plus Secrets Manager: through the
// account's existing NAT, or through interface endpoints created here (billed per AZ and hour).
// Logs and metrics need nothing: Lambda ships stdout itself, and metrics travel as EMF log lines.
import { Port, type ISecurityGroup, type ISubnet, type IVpc } from "aws-cdk-lib/aws-ec2";
import * as ec2 from "aws-cdk-lib/aws-ec2";
import { Construct } from "constructs";
import type { LookoutNetworkProps } from "./lookout-props.ts";

const DEFAULT_PORTS: Record<string, number> = { nats: 4222, tls: 4222, ws: 80, wss: 443 };

/** Client ports named by the server URLs (the scheme's default when a URL names none). */
export function natsPorts(servers: readonly string[]): number[] {
  const ports = new Set<number>();
  for (const s of servers) {
    const scheme = /^([a-z]+):\/\//i.exec(s)?.[1]?.toLowerCase() ?? "nats";
    const m = /:(\d+)\/?$/.exec(s.replace(/^[a-z]+:\/\//i, ""));
    ports.add(m ? Number(m[1]) : (DEFAULT_PORTS[scheme] ?? 4222));
  }
  return [...ports].sort((a, b) => a - b);
}

export class LookoutNetwork extends Construct {
  readonly vpc: IVpc;
  readonly subnets: ISubnet[];
  readonly securityGroups: ISecurityGroup[];
  /** The security group created for the functions, when none was given. */
  readonly securityGroup?: ec2.SecurityGroup;
  readonly dynamoDbEndpoint?: ec2.GatewayVpcEndpoint;
  /** SNS and Secrets Manager interface endpoints (awsApiAccess "endpoints"). */
  readonly interfaceEndpoints: ec2.InterfaceVpcEndpoint[] = [];

  constructor(scope: Construct, id: string, props: LookoutNetworkProps, natsServers: readonly string[]) {
    super(scope, id);
    this.vpc = props.vpc;
    this.subnets = [...props.subnets];
    if (props.securityGroups?.length) {
      this.securityGroups = [...props.securityGroups];
    } else {
      const sg = new ec2.SecurityGroup(this, "FunctionSecurityGroup", {
        vpc: props.vpc,
        description: "nats-lookout functions: NATS client ports and HTTPS to AWS APIs only",
        allowAllOutbound: false,
      });
      for (const cidr of props.natsCidrs ?? []) {
        for (const port of natsPorts(natsServers))
          sg.addEgressRule(ec2.Peer.ipv4(cidr), Port.tcp(port), `NATS client port ${port}`);
      }
      sg.addEgressRule(ec2.Peer.anyIpv4(), Port.tcp(443), "AWS APIs (DynamoDB, SNS, Secrets Manager)");
      this.securityGroup = sg;
      this.securityGroups = [sg];
    }
    if (props.dynamoDbGatewayEndpoint ?? true) {
      this.dynamoDbEndpoint = new ec2.GatewayVpcEndpoint(this, "DynamoDbEndpoint", {
        vpc: props.vpc,
        service: ec2.GatewayVpcEndpointAwsService.DYNAMODB,
        subnets: [{ subnets: this.subnets }],
      });
    }
    if (props.awsApiAccess === "endpoints") {
      for (const [name, service] of [
        ["SnsEndpoint", ec2.InterfaceVpcEndpointAwsService.SNS],
        ["SecretsManagerEndpoint", ec2.InterfaceVpcEndpointAwsService.SECRETS_MANAGER],
      ] as const) {
        // The endpoint answers; it never starts connections: no egress at all.
        const epSg = new ec2.SecurityGroup(this, `${name}SecurityGroup`, {
          vpc: props.vpc,
          description: `nats-lookout ${name}: HTTPS from the functions only`,
          allowAllOutbound: false,
        });
        const ep = new ec2.InterfaceVpcEndpoint(this, name, {
          vpc: props.vpc,
          service,
          subnets: { subnets: this.subnets },
          privateDnsEnabled: true,
          securityGroups: [epSg],
          // Reachable from the functions only, not from the whole VPC.
          open: false,
        });
        for (const sg of this.securityGroups) ep.connections.allowDefaultPortFrom(sg, "nats-lookout functions");
        this.interfaceEndpoints.push(ep);
      }
    }
  }
}
