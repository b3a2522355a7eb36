// With --hosts-path, kubefwd writes the service names to a file no resolver reads: connection strings
// handed to an assistant must then use the IP, and say why.
import type { KubefwdBackend } from '../backend.js';

/** The hosts file the names went to when it is not the system's (the names do not resolve), else undefined. */
export const namesOnlyIn = async (api: KubefwdBackend): Promise<string | undefined> => {
  const info = await api.info().catch(() => undefined);
  return info?.hostsFile && !info.hostsFile.system ? info.hostsFile.path : undefined;
};

export const byIpNote = (hostsFile: string): string =>
  `Note: kubefwd writes these names to ${hostsFile} (--hosts-path), not to the system's hosts file, so they do not resolve here: connect by IP (below).`;
