// Process entry: runs the command and exits with its code. Exiting explicitly (rather than waiting
// for the event loop to drain) means a forgotten keep-alive agent can never hang a finished command.
import { main } from './main.js';

const code = await main(process.argv.slice(2));
process.exit(code);
