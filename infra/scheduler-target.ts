// EventBridge Scheduler -> Lambda with the narrowest grant: `lambda:InvokeFunction` on the function's
// own ARN. The stock LambdaInvoke grants `<arn>` and `<arn>:*` (every version and alias), a wildcard
// the schedule never needs: it invokes the unqualified function.
import * as iam from "aws-cdk-lib/aws-iam";
import type * as lambda from "aws-cdk-lib/aws-lambda";
import { LambdaInvoke } from "aws-cdk-lib/aws-scheduler-targets";
import type { ScheduleTargetBaseProps } from "aws-cdk-lib/aws-scheduler-targets";

export class ExactLambdaInvoke extends LambdaInvoke {
  constructor(
    private readonly fn: lambda.IFunction,
    props: ScheduleTargetBaseProps,
  ) {
    super(fn, props);
  }

  protected override addTargetActionToRole(role: iam.IRole): void {
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ["lambda:InvokeFunction"], resources: [this.fn.functionArn] }),
    );
  }
}
