#!/usr/bin/env node
// `npm run gen:mcp-catalog`: captures what the MCP SDK server answers to the stdio handshake and
// writes src/mcp/stdio/catalog-data.generated.ts (see src/mcp/stdio/catalog.ts). Run it after
// changing a tool, resource or prompt; test/mcp/catalog.test.ts fails until it has been run.
import { writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { captureCatalog, catalogModuleSource } = await import(join(root, 'dist/src/mcp/stdio/capture.js'));
const file = join(root, 'src/mcp/stdio/catalog-data.generated.ts');
const catalog = await captureCatalog();
writeFileSync(file, catalogModuleSource(catalog));
console.log(
  `${file}: ${catalog.versions.length} protocol versions, ${Object.keys(catalog.lists).length} lists`,
);
