// A destination for digests. Destinations come from the configuration only;
// nothing in a record can add one or change where one points.
import type { Digest } from "../digest.js";

export interface Channel {
  /** Stable name, stored with each spooled job: smtp, webhook-1, slack-1. */
  readonly id: string;
  /** For logs: never a secret (webhook paths are cut). */
  readonly label: string;
  /**
   * Resolves when the destination accepted the digest (with a warning when it
   * took it only in part, e.g. some mail recipients refused); rejects with the
   * reason otherwise.
   */
  send(digest: Digest): Promise<void | { warning: string }>;
  close?(): void;
}

export class DeliveryError extends Error {}
