// What the stream checks of one run share. A check is a small function of one stream's view, its
// resolved thresholds and this context; it pushes what it finds into `out`. The context is built
// per run by judgeStreams (lib/checks/streams.ts): nothing here outlives the run.
import type { StreamThresholdConfig } from "../../config/config.ts";
import type { Finding } from "../../findings/finding.ts";
import type { StreamsSnapshot, StreamView } from "../../snapshot/streams.ts";
import type { ResolvedThresholds } from "../../thresholds/monitor-keys.ts";
import type { MirrorMark } from "./mirror-stall.ts";
import type { UpstreamIndex } from "./upstream-index.ts";
import type { UpstreamLeaders } from "./upstream-unheard.ts";

export interface StreamRun {
  readonly snap: StreamsSnapshot;
  readonly config: StreamThresholdConfig;
  /** This run's findings, in the order the checks produce them. */
  readonly out: Finding[];
  /** Every stream this run saw, for checks that look at another stream (a mirror's source). */
  readonly index: UpstreamIndex;
  /** Read from the previous observation. */
  readonly before: Readonly<StreamMemory>;
  /** Written for the next observation. */
  readonly after: StreamMemory;
}

/** What stream checks remember between runs (see StreamsObservation for what each part means). */
export interface StreamMemory {
  /** By `<stream key>|<peer>`: since when a follower has gone unheard (servers before 2.11.9). */
  unheard: Record<string, number>;
  /** By stream key: leaders of streams with upstreams (servers before 2.11.9). */
  upstreams: UpstreamLeaders;
  /** By mirror stream key: JETSTREAM_015's mark of its source. */
  mirrors: Record<string, MirrorMark>;
}

/** One check: a stream's view, its thresholds (values and where each came from), the run. */
export type StreamCheck = (view: StreamView, thresholds: Readonly<ResolvedThresholds>, run: StreamRun) => void;
