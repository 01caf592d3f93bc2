/** What one run asked of NATS: the scale budget is held against these. */
export interface RequestStats {
  requests: number;
  /** Payload bytes received (as sent, i.e. compressed where the server compressed). */
  bytesReceived: number;
  /** Bytes after decompression: what was parsed. */
  bytesDecoded: number;
}

export const newRequestStats = (): RequestStats => ({ requests: 0, bytesReceived: 0, bytesDecoded: 0 });
