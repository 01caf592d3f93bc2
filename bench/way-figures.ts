/** Medians over the measured rounds of one way of collecting; requests and bytes of the last round. */
export interface WayFigures {
  wallMs: number;
  cpuMs: number;
  wallRunsMs: number[];
  requests: number;
  bytesReceived: number;
  bytesDecoded: number;
}
