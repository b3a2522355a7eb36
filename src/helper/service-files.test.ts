import { describe, expect, it } from 'vitest';
import { launchdPlist, parseExecStart, serveArgs, systemdUnit } from './service-files.js';

const spec = {
  socketPath: '/run/kubefwd/helper.sock',
  hostsPath: '/etc/hosts',
  uid: 1000,
  gid: 1000,
};
const command = ['/opt/node 20/bin/node', '/usr/lib/node_modules/kubefwd/bin/kubefwd', ...serveArgs(spec)];

describe('service files', () => {
  it('the systemd unit runs the helper by absolute path, and its ExecStart parses back', () => {
    const unit = systemdUnit({ ...spec, command });
    expect(unit).toContain('[Service]');
    expect(unit).toContain('WantedBy=multi-user.target');
    expect(unit).toContain('NoNewPrivileges=yes');
    expect(parseExecStart(unit)).toEqual(command);
    expect(parseExecStart(systemdUnit({ ...spec, command: ['/a"b', '50%'] }))).toEqual(['/a"b', '50%']);
    expect(unit).toContain('ReadWritePaths="/etc" "/run/kubefwd"\n');
    // A hosts file and a socket in one folder: it is named once.
    const oneDir = { socketPath: '/tmp/k.sock', hostsPath: '/tmp/hosts', uid: 1, gid: 1, command };
    expect(systemdUnit(oneDir)).toContain('ReadWritePaths="/tmp"\n');
  });

  it('the launchd plist lists the same arguments, XML-escaped', () => {
    const plist = launchdPlist({ ...spec, command: [...command, 'a<b&c'] });
    expect(plist).toContain('<string>com.kubefwd.helper</string>');
    expect(plist).toContain('<string>/opt/node 20/bin/node</string>');
    expect(plist).toContain('<string>a&lt;b&amp;c</string>');
    expect(plist).toContain('<key>RunAtLoad</key>');
    expect(plist).toContain('<string>--uid</string>\n    <string>1000</string>');
  });
});
