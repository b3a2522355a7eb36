// `npm run bench`: runs the bench sections, prints their tables and writes one JSON result file
// under bench/results/ (gitignored). Usage:
//   node dist/bench/main.js [--quick] [--only transport,...] [--set key=value ...] [--out FILE]
// Benchmarks are not tests: nothing here fails a build; goals are reported as met / not met.
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BenchOptions, Section, SectionResult } from './lib/runner.js';
import { clientsSection } from './clients/section.js';
import { kubeletTransportSection, transportSection } from './transport/section.js';
import { engineSection } from './engine/section.js';
import { metricsSection } from './metrics/section.js';
import { tuiSection } from './tui/section.js';
import { startupSection } from './startup/section.js';
import { webSection } from './web/section.js';

const SECTIONS: Section[] = [
  transportSection,
  kubeletTransportSection,
  clientsSection,
  engineSection,
  metricsSection,
  tuiSection,
  startupSection,
  webSection,
];

interface Args {
  quick: boolean;
  only: string[] | undefined;
  settings: Record<string, string>;
  out: string | undefined;
}

const parseArgs = (argv: readonly string[]): Args => {
  const a: Args = { quick: false, only: undefined, settings: {}, out: undefined };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const next = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${arg} needs a value`);
      return v;
    };
    if (arg === '--quick') a.quick = true;
    else if (arg === '--only') a.only = next().split(',');
    else if (arg === '--out') a.out = next();
    else if (arg === '--set') {
      const [k, ...v] = next().split('=');
      if (k === undefined || v.length === 0) throw new Error('--set needs key=value');
      a.settings[k] = v.join('=');
    } else if (arg === '--help') {
      console.log(
        `Usage: node dist/bench/main.js [--quick] [--only ${SECTIONS.map((s) => s.name).join(',')}] [--set key=value] [--out FILE]`,
      );
      process.exit(0);
    } else throw new Error(`unknown argument ${arg}`);
  }
  return a;
};

const main = async (): Promise<void> => {
  const args = parseArgs(process.argv.slice(2));
  const options: BenchOptions = {
    quick: args.quick,
    settings: args.settings,
    log: (m) => console.error(`[bench] ${m}`),
  };
  const started = new Date();
  const loadBefore = loadavg().map((x) => Math.round(x * 10) / 10);
  const t0 = performance.now();
  const sections: Record<string, SectionResult & { seconds: number }> = {};
  for (const section of SECTIONS) {
    if (args.only !== undefined && !args.only.includes(section.name)) continue;
    options.log(`section ${section.name}: ${section.description}`);
    const s0 = performance.now();
    const result = await section.run(options);
    sections[section.name] = { ...result, seconds: Math.round((performance.now() - s0) / 100) / 10 };
    for (const t of result.tables) console.log(`\n${t}`);
    for (const g of result.goals ?? [])
      console.log(`${g.met ? 'MET    ' : 'NOT MET'}  ${g.goal}: ${g.detail}`);
  }
  const record = {
    started: started.toISOString(),
    seconds: Math.round((performance.now() - t0) / 100) / 10,
    machine: {
      node: process.version,
      platform: process.platform,
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model,
      memMiB: Math.round(totalmem() / 1048576),
    },
    // Other work on the machine distorts every figure; recorded so runs can be compared honestly.
    loadAverage: { before: loadBefore, after: loadavg().map((x) => Math.round(x * 10) / 10) },
    quick: args.quick,
    settings: args.settings,
    sections,
  };
  const here = dirname(fileURLToPath(import.meta.url));
  // dist/bench/main.js → <repo>/bench/results
  const outFile =
    args.out ??
    join(
      resolve(here, '..', '..', 'bench', 'results'),
      `bench-${started.toISOString().replace(/[:.]/g, '-')}.json`,
    );
  mkdirSync(dirname(outFile), { recursive: true });
  writeFileSync(outFile, JSON.stringify(record, null, 2) + '\n');
  console.log(
    `\nload average (1/5/15 min) before ${loadBefore.join(' ')}, after ${record.loadAverage.after.join(' ')}`,
  );
  console.log(`results: ${outFile} (${record.seconds} s)`);
};

main().catch((err: unknown) => {
  console.error('bench failed:', err);
  process.exit(1);
});
