// Process entry: the only place besides cli/ commands that touches process.exit.
import { main } from './main.js';

process.exitCode = await main(process.argv.slice(2));
