// Prints the plain closing line CI reads: "N passed, N failed, N skipped", after one "failed: …"
// line per failure (file, test, the error's first line). CI shows only the tail of its output, and
// vitest's own failure report comes well before it; .ci/run repeats these lines at the very end.
import { relative } from 'node:path';
import type { Reporter, TestModule } from 'vitest/node';

interface ErrorLike {
  message?: unknown;
}

const firstLine = (errors: ReadonlyArray<ErrorLike> | undefined): string => {
  const message = errors?.[0]?.message;
  return typeof message === 'string' ? (message.split('\n')[0] ?? '').slice(0, 200) : '';
};

export default class ClosingLineReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>, unhandledErrors: ReadonlyArray<unknown>): void {
    let passed = 0;
    let skipped = 0;
    const failures = unhandledErrors.map((e) => `failed: unhandled error: ${firstLine([e as ErrorLike])}`);
    for (const mod of testModules) {
      const file = relative(process.cwd(), mod.moduleId);
      let failedHere = 0;
      for (const test of mod.children.allTests()) {
        const result = test.result();
        if (result.state === 'passed') passed++;
        else if (result.state === 'failed') {
          failedHere++;
          failures.push(`failed: ${file} > ${test.fullName}: ${firstLine(result.errors)}`);
        } else skipped++;
      }
      // A file that failed without a failing test (it did not load, or a beforeAll/afterAll hook
      // threw and its tests were skipped) still counts as a failure.
      if (failedHere === 0 && mod.state() === 'failed') {
        failures.push(`failed: ${file}: ${firstLine(mod.errors())}`);
      }
    }
    const lines = failures.length > 0 ? `\n${failures.join('\n')}` : '';
    process.stdout.write(`${lines}\n${passed} passed, ${failures.length} failed, ${skipped} skipped\n`);
  }
}
