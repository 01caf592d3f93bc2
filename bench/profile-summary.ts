// Reads a V8 .cpuprofile (node --cpu-prof) and sums self time per function, so a missed budget
// can be traced to the code that spends it.
import { readFileSync } from "node:fs";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface HotFunction {
  name: string;
  where: string;
  selfMs: number;
  share: number;
}

export function hotFunctions(file: string, top = 25): { totalMs: number; hot: HotFunction[] } {
  const p = JSON.parse(readFileSync(file, "utf8")) as CpuProfile;
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const self = new Map<string, { name: string; where: string; us: number }>();
  let total = 0;
  p.samples.forEach((id, i) => {
    const us = p.timeDeltas[i] ?? 0;
    const n = byId.get(id);
    if (!n) return;
    total += us;
    const f = n.callFrame;
    const where = `${f.url.replace(/^file:\/\//, "").replace(/.*\/(node_modules|lib|bench)\//, "$1/")}:${f.lineNumber + 1}`;
    const key = `${f.functionName}@${where}`;
    const e = self.get(key) ?? { name: f.functionName || "(anonymous)", where, us: 0 };
    e.us += us;
    self.set(key, e);
  });
  const hot = [...self.values()]
    .sort((a, b) => b.us - a.us)
    .slice(0, top)
    .map((e) => ({ name: e.name, where: e.where, selfMs: e.us / 1000, share: total ? e.us / total : 0 }));
  return { totalMs: total / 1000, hot };
}
