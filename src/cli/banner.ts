// kubefwd's start banner: printed unless the TUI owns the screen, the command is `mcp`, or logs
// are JSON (machines do not want art).
export const banner = (version: string): string =>
  [
    ' _          _           __             _',
    '| | ___   _| |__   ___ / _|_      ____| |',
    "| |/ / | | | '_ \\ / _ \\ |_\\ \\ /\\ / / _` |",
    '|   <| |_| | |_) |  __/  _|\\ V  V / (_| |',
    '|_|\\_\\\\__,_|_.__/ \\___|_|   \\_/\\_/ \\__,_|',
    '',
    `Version ${version}`,
    'https://kubefwd.com',
    '',
    '',
  ].join('\n');
