// Placeholder until the SNS notifier lands (issue 5).
import type { NotifierConfig } from "../config/config.ts";
import type { Notifier } from "./notifier.ts";
export class SnsNotifier {
  static fromConfig(_c: Extract<NotifierConfig, { kind: "sns" }>): Notifier {
    throw new Error("the SNS notifier is not built yet");
  }
}
