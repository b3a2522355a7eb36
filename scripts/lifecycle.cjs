// npm lifecycle scripts, written so that installing the package runs no build (it ships dist/
// built) and works on every system:
// - prepare: builds dist/ in a git checkout only (`npm ci` there installs and builds); in an
//   installed package it does nothing.
// - preinstall: on Windows only. npm makes kubefwd.cmd from the first line of bin/kubefwd, which is
//   `#!/bin/sh` (the launcher that finds Node without PATH on Linux and macOS); Windows has no
//   /bin/sh, so there the shim must start Node. npm links bins after preinstall, so the shim sees
//   the rewritten line. npm 11 runs a package's install scripts only when allowed
//   (`npm install -g --allow-scripts=kubefwd`, as the README says for Windows); elsewhere nothing is
//   lost when it skips them.
const { spawnSync } = require('node:child_process');
const { existsSync, readFileSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');

const root = join(__dirname, '..');
const checkout = existsSync(join(root, 'tsconfig.build.json'));
const event = process.env.npm_lifecycle_event;

if (event === 'prepare' && checkout) {
  const npm = process.env.npm_execpath;
  const run = npm
    ? spawnSync(process.execPath, [npm, 'run', 'build'], { cwd: root, stdio: 'inherit' })
    : spawnSync('npm', ['run', 'build'], { cwd: root, stdio: 'inherit', shell: true });
  process.exitCode = run.status ?? 1;
} else if (event === 'preinstall' && !checkout && process.platform === 'win32') {
  const launcher = join(root, 'bin', 'kubefwd');
  writeFileSync(launcher, readFileSync(launcher, 'utf8').replace(/^#!.*/, '#!/usr/bin/env node'));
}
