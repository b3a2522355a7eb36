// The dashboard's entry point (bundled by scripts/build-web.mjs into dist/web/app.js).
import { render } from 'preact';
import { App } from './app.js';

render(<App />, document.getElementById('app')!);
