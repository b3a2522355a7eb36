// Process entry: runs the command and exits with its code. Exiting explicitly (rather than waiting
// for the event loop to drain) means a forgotten keep-alive agent can never hang a finished command.
import { main } from './main.js';
import { endWithoutTerminalReset } from './terminal-gone.js';

// Output whose reader went away (`kubefwd … | tee log`, where the same Ctrl-C ends tee) fails with
// EPIPE, and every write after it with ERR_STREAM_DESTROYED. Unhandled, the first would kill kubefwd
// in the middle of its shutdown, leaving its hosts block behind; the lines are lost, nothing else.
for (const stream of [process.stdout, process.stderr]) stream.on('error', () => undefined);
endWithoutTerminalReset();

const code = await main(process.argv.slice(2));
process.exit(code);
