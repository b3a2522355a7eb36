// The installed helper as a system service: a systemd unit on Linux, a launchd daemon on macOS
// (a Windows service is not built yet). The files are plain text made by pure functions, so tests
// check them as text and can run the very command line they name. The command names Node and the
// launcher by absolute path (no PATH lookup as root).
export const SERVICE_NAME = 'kubefwd-helper';
export const LAUNCHD_LABEL = 'com.kubefwd.helper';

export interface ServiceSpec {
  /** The program and its arguments: [node, launcher, 'helper', 'serve', …]. */
  command: readonly string[];
  socketPath: string;
  hostsPath: string;
  uid: number;
  gid: number;
}

export const serveArgs = (spec: Omit<ServiceSpec, 'command'>): string[] => [
  'helper',
  'serve',
  '--socket',
  spec.socketPath,
  '--uid',
  String(spec.uid),
  '--gid',
  String(spec.gid),
  '--hosts-path',
  spec.hostsPath,
];

/** systemd's quoting: double quotes, with `\` `"` escaped and `%` doubled (a specifier otherwise). */
const systemdQuote = (a: string): string => `"${a.replace(/[\\"]/g, (c) => `\\${c}`).replace(/%/g, '%%')}"`;

export const systemdUnit = (spec: ServiceSpec): string => {
  const dir = spec.socketPath.slice(0, spec.socketPath.lastIndexOf('/')) || '/';
  const hostsDir = spec.hostsPath.slice(0, spec.hostsPath.lastIndexOf('/')) || '/';
  // The hosts file's folder and the socket's, once each (both /tmp in a trial set-up).
  const writable = [...new Set([hostsDir, dir])];
  return `# Installed by \`kubefwd helper install\`; remove with \`sudo kubefwd helper uninstall\`.
[Unit]
Description=kubefwd privileged helper (hosts file block, loopback aliases, low-port listeners)
After=network.target

[Service]
Type=simple
ExecStart=${spec.command.map(systemdQuote).join(' ')}
Restart=on-failure
RestartSec=1
# The helper needs root only for the hosts file, loopback aliases and binding ports.
NoNewPrivileges=yes
ProtectHome=read-only
ProtectSystem=full
ReadWritePaths=${writable.map(systemdQuote).join(' ')}
CapabilityBoundingSet=CAP_NET_BIND_SERVICE CAP_NET_ADMIN CAP_CHOWN CAP_FOWNER CAP_DAC_OVERRIDE
PrivateDevices=yes

[Install]
WantedBy=multi-user.target
`;
};

const xml = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

export const launchdPlist = (spec: ServiceSpec): string => `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<!-- Installed by \`kubefwd helper install\`; remove with \`sudo kubefwd helper uninstall\`. -->
<plist version="1.0">
<dict>
  <key>Label</key>
  <string>${LAUNCHD_LABEL}</string>
  <key>ProgramArguments</key>
  <array>
${spec.command.map((a) => `    <string>${xml(a)}</string>`).join('\n')}
  </array>
  <key>RunAtLoad</key>
  <true/>
  <key>KeepAlive</key>
  <true/>
  <key>StandardErrorPath</key>
  <string>/var/log/kubefwd-helper.log</string>
</dict>
</plist>
`;

export type ServiceKind = 'systemd' | 'launchd';

export const serviceKindFor = (platform: NodeJS.Platform): ServiceKind | undefined =>
  platform === 'linux' ? 'systemd' : platform === 'darwin' ? 'launchd' : undefined;

export const defaultServiceDir = (kind: ServiceKind): string =>
  kind === 'systemd' ? '/etc/systemd/system' : '/Library/LaunchDaemons';

export const serviceFileName = (kind: ServiceKind): string =>
  kind === 'systemd' ? `${SERVICE_NAME}.service` : `${LAUNCHD_LABEL}.plist`;

export const serviceFileText = (kind: ServiceKind, spec: ServiceSpec): string =>
  kind === 'systemd' ? systemdUnit(spec) : launchdPlist(spec);

/** The init system's commands that start (after install) or stop (before uninstall) the service. */
export const startCommands = (kind: ServiceKind, file: string): string[][] =>
  kind === 'systemd'
    ? [
        ['systemctl', 'daemon-reload'],
        ['systemctl', 'enable', '--now', `${SERVICE_NAME}.service`],
      ]
    : [['launchctl', 'bootstrap', 'system', file]];

export const stopCommands = (kind: ServiceKind, file: string): string[][] =>
  kind === 'systemd'
    ? [['systemctl', 'disable', '--now', `${SERVICE_NAME}.service`]]
    : [['launchctl', 'bootout', 'system', file]];

/** The program arguments back out of a unit's ExecStart line (tests run the service from it). */
export const parseExecStart = (unit: string): string[] | undefined => {
  const line = unit.split('\n').find((l) => l.startsWith('ExecStart='));
  if (line === undefined) return undefined;
  const out: string[] = [];
  for (const m of line.slice('ExecStart='.length).matchAll(/"((?:[^"\\]|\\.)*)"/g))
    out.push((m[1] ?? '').replace(/\\(.)/g, '$1').replace(/%%/g, '%'));
  return out;
};
