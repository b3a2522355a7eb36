// The built CLI where any user can run it, for tests that start it as another user (nobody): the
// checkout may live in a directory others cannot enter (root's home is 0700), and a process of
// another user cannot load a single file from there. So bin/, dist/, package.json and node_modules
// are mirrored into a world-readable temp directory — as hard links (no bytes copied) when the temp
// directory is on the same filesystem, else as copies — once per test file (removeWorldReadableMirror in its afterAll).
import { spawnSync } from 'node:child_process';
import { accessSync, chmodSync, constants, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, parse } from 'node:path';

const PARTS = ['bin', 'dist', 'package.json', 'node_modules'];

/** Whether every directory above `path` lets others through, and others can read `path`. */
const othersCanRead = (path: string): boolean => {
  const { root } = parse(path);
  for (let p = dirname(path); ; p = dirname(p)) {
    const r = spawnSync('stat', ['-c', '%a', p], { encoding: 'utf8' });
    const mode = parseInt(r.stdout.trim() || '0', 8);
    if ((mode & 0o001) === 0) return false;
    if (p === root) break;
  }
  try {
    accessSync(path, constants.R_OK);
  } catch {
    return false;
  }
  return true;
};

let mirror: { root: string; cleanup(): void } | undefined;

/**
 * A repository root from which any user can run `bin/kubefwd`: `repoRoot` itself when others can
 * already read it, else a mirror.
 */
export const worldReadableRoot = (repoRoot: string): string => {
  if (othersCanRead(join(repoRoot, 'dist'))) return repoRoot;
  if (mirror) return mirror.root;
  const root = mkdtempSync(join(tmpdir(), 'kubefwd-cli-'));
  chmodSync(root, 0o755);
  for (const part of PARTS) {
    const from = join(repoRoot, part);
    // -a keeps modes; -l links instead of copying (fails across filesystems: then copy).
    const linked = spawnSync('cp', ['-al', from, root]);
    if (linked.status !== 0) {
      const copied = spawnSync('cp', ['-a', from, root], { encoding: 'utf8' });
      if (copied.status !== 0) throw new Error(`cannot mirror ${from} to ${root}: ${copied.stderr}`);
    }
  }
  mirror = { root, cleanup: () => rmSync(root, { recursive: true, force: true }) };
  return root;
};

/** Removes the mirror, if one was made (call from afterAll of a test file that ran the CLI as another user). */
export const removeWorldReadableMirror = (): void => {
  mirror?.cleanup();
  mirror = undefined;
};
