// The bench framework: a section measures one area and returns figures + tables; main.ts runs the
// selected sections, writes one JSON result file and prints the tables. New areas (engine start
// time for 500 services, metrics on/off, TUI render time) are new files that export a Section.

export interface BenchOptions {
  /** Fewer trials and smaller sizes (a smoke run, not a measurement). */
  quick: boolean;
  /** Free-form per-section options from the command line (--set key=value). */
  settings: Record<string, string>;
  log(message: string): void;
}

export interface SectionResult {
  /** Machine-readable figures, written to the JSON result file. */
  data: unknown;
  /** Human-readable tables, printed and stored in the JSON as text. */
  tables: string[];
  /** Goals the section checks (e.g. "tunnel ≥ 0.5× direct"), with whether this run met them. */
  goals?: { goal: string; met: boolean; detail: string }[];
}

export interface Section {
  name: string;
  description: string;
  run(options: BenchOptions): Promise<SectionResult>;
}
