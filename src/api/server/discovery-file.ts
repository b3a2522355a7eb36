// The API key and where the discovery file `<home>/.kubefwd/api.json` lives, through which
// `kubefwd mcp` and `kubefwd tui` find the daemon without configuration. Writing and removing it is
// os/discovery-file.ts's job (root writes into the user's home there, safely).
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { DISCOVERY_FILE_DIR, DISCOVERY_FILE_NAME } from '../../contract/api.js';

export interface ResolvedKey {
  key: string;
  /** "env": KUBEFWD_API_KEY; "generated": 16 random bytes as hex. */
  source: 'env' | 'generated';
}

/** KUBEFWD_API_KEY when set (non-empty), else 32 random hex characters. */
export const resolveApiKey = (env: Record<string, string | undefined> = process.env): ResolvedKey => {
  const k = env.KUBEFWD_API_KEY?.trim();
  if (k) return { key: k, source: 'env' };
  return { key: randomBytes(16).toString('hex'), source: 'generated' };
};

export const discoveryPath = (home: string): string => join(home, DISCOVERY_FILE_DIR, DISCOVERY_FILE_NAME);
