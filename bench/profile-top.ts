// Prints the functions with the most self time in V8 `.cpuprofile` files, e.g. the engine's from
// `BENCH_CPU_PROF=/tmp/prof npm run bench -- --only 5x3 --repeat 1`:
//
//   node --import tsx bench/profile-top.ts /tmp/prof/*.cpuprofile [--top 25] [--from S] [--idle]
//
// --from S skips the first S seconds of the profile (start-up), e.g. to see a steady idle state;
// --idle also lists V8's "(idle)" and "(program)" pseudo-functions' share.

import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}

interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const { values, positionals } = parseArgs({
  options: { top: { type: 'string', default: '25' }, from: { type: 'string', default: '0' }, idle: { type: 'boolean', default: false } },
  allowPositionals: true,
});
const fromMicros = Number(values.from) * 1e6;

for (const file of positionals) {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const selfMicros = new Map<string, number>();
  let total = 0;
  let elapsed = 0;
  profile.samples.forEach((id, i) => {
    const delta = profile.timeDeltas[i] ?? 0;
    elapsed += delta;
    if (elapsed < fromMicros) return;
    const frame = byId.get(id)?.callFrame;
    if (!values.idle && (frame?.functionName === '(idle)' || frame?.functionName === '(program)')) return;
    const name = frame ? `${frame.functionName || '(anonymous)'} ${frame.url.replace(/^.*\/(src|node_modules)\//, '$1/')}:${frame.lineNumber + 1}` : '?';
    selfMicros.set(name, (selfMicros.get(name) ?? 0) + delta);
    total += delta;
  });
  console.log(`\n${file}: ${(total / 1e6).toFixed(2)} s sampled${values.idle ? '' : ' (without idle and program)'} over ${((elapsed - fromMicros) / 1e6).toFixed(1)} s`);
  const ranked = [...selfMicros].sort((a, b) => b[1] - a[1]).slice(0, Number(values.top));
  for (const [name, micros] of ranked) console.log(`${((100 * micros) / total).toFixed(1).padStart(5)} %  ${(micros / 1e3).toFixed(0).padStart(6)} ms  ${name}`);
}
