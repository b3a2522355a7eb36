// Where the built dashboard is: dist/web of the package, seen from this module compiled
// (dist/src/daemon → dist/web) or run from source by the tests (src/daemon → dist/web).
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const dashboardAssetsDir = (moduleUrl: string | undefined = import.meta.url): string | undefined => {
  // The standalone executable is one CommonJS bundle with no module URL and no dist/web beside it:
  // it runs without the dashboard (the page says so) instead of failing at start.
  if (moduleUrl === undefined) return undefined;
  const here = dirname(fileURLToPath(moduleUrl));
  return [join(here, '..', '..', 'web'), join(here, '..', '..', 'dist', 'web')].find((d) =>
    existsSync(join(d, 'index.html')),
  );
};
