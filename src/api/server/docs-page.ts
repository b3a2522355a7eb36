// The offline API docs page: one self-contained HTML document (no CDN, no fonts, no fetch) that
// embeds the OpenAPI document and renders it with a few lines of inline script.

const escapeJsonForHtml = (json: string): string =>
  json
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');

/** The routes that need no key, read from the document itself so the page and the server agree. */
const openPaths = (doc: object): string[] => {
  const paths = (doc as { paths?: Record<string, Record<string, { security?: unknown[] }>> }).paths ?? {};
  return Object.entries(paths)
    .filter(([, ops]) =>
      Object.values(ops).some((op) => Array.isArray(op.security) && op.security.length === 0),
    )
    .map(([path]) => path);
};

const html = (s: string): string => s.replace(/[<>&"]/g, (c) => `&#${c.charCodeAt(0)};`);

// Mostly an HTML and JavaScript template (the offline docs page).
export const docsPage = (doc: object, version: string): string => `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>kubefwd API Documentation</title>
<style>
  :root { --accent: #3b82f6; --fg: #1f2937; --muted: #6b7280; --bg: #f9fafb; --line: #e5e7eb; }
  body { font: 14px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--fg); background: var(--bg); margin: 0; }
  header { background: var(--accent); color: #fff; padding: 16px 24px; }
  header h1 { margin: 0; font-size: 20px; } header p { margin: 4px 0 0; opacity: .9; }
  main { max-width: 1100px; margin: 0 auto; padding: 16px 24px 48px; }
  h2 { border-bottom: 2px solid var(--line); padding-bottom: 4px; margin-top: 32px; text-transform: capitalize; }
  details { background: #fff; border: 1px solid var(--line); border-radius: 6px; margin: 8px 0; }
  summary { cursor: pointer; padding: 8px 12px; display: flex; gap: 12px; align-items: baseline; }
  .m { font: 700 12px ui-monospace, monospace; padding: 2px 6px; border-radius: 4px; color: #fff; min-width: 52px; text-align: center; }
  .get { background: #10b981; } .post { background: var(--accent); } .delete { background: #ef4444; }
  code, pre { font: 12px ui-monospace, SFMono-Regular, Menlo, monospace; }
  .p { font-weight: 600; } .s { color: var(--muted); }
  .body { padding: 0 16px 12px; } pre { background: #f3f4f6; padding: 8px; border-radius: 4px; overflow: auto; max-height: 400px; }
  table { border-collapse: collapse; width: 100%; } td, th { border-bottom: 1px solid var(--line); padding: 4px 8px; text-align: left; vertical-align: top; }
  .lock { color: var(--muted); font-size: 12px; }
</style>
</head>
<body>
<header><h1>kubefwd API</h1><p>Version ${version.replace(/[<>&"]/g, '')} · OpenAPI document: <a style="color:#fff" href="/openapi.yaml">/openapi.yaml</a> · routes marked 🔒 need <code>Authorization: Bearer &lt;key&gt;</code>; open: ${openPaths(
  doc,
)
  .map((p) => `<code>${html(p)}</code>`)
  .join(', ')}</p></header>
<main id="root"></main>
<script type="application/json" id="spec">${escapeJsonForHtml(JSON.stringify(doc))}</script>
<script>
(function () {
  var spec = JSON.parse(document.getElementById('spec').textContent);
  var root = document.getElementById('root');
  function el(tag, attrs, children) {
    var e = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    (children || []).forEach(function (c) { e.appendChild(typeof c === 'string' ? document.createTextNode(c) : c); });
    return e;
  }
  function resolve(s, depth) {
    if (!s || depth > 6) return s;
    if (s.$ref) { var name = s.$ref.split('/').pop(); return resolve(spec.components.schemas[name], depth + 1); }
    var out = Array.isArray(s) ? [] : {};
    Object.keys(s).forEach(function (k) { out[k] = typeof s[k] === 'object' && s[k] !== null ? resolve(s[k], depth + 1) : s[k]; });
    return out;
  }
  var byTag = {};
  Object.keys(spec.paths).forEach(function (path) {
    Object.keys(spec.paths[path]).forEach(function (method) {
      var op = spec.paths[path][method];
      var tag = (op.tags && op.tags[0]) || 'other';
      (byTag[tag] = byTag[tag] || []).push({ path: path, method: method, op: op });
    });
  });
  Object.keys(byTag).forEach(function (tag) {
    root.appendChild(el('h2', {}, [tag]));
    byTag[tag].forEach(function (r) {
      var body = el('div', { class: 'body' }, []);
      if (r.op.description) body.appendChild(el('p', {}, [r.op.description]));
      var params = r.op.parameters || [];
      if (params.length) {
        var rows = params.map(function (p) {
          return el('tr', {}, [el('td', {}, [el('code', {}, [p.name])]), el('td', {}, [p.in]), el('td', {}, [p.required ? 'required' : '']), el('td', {}, [(p.schema && (p.schema.type || '')) + (p.description ? ' — ' + p.description : '')])]);
        });
        body.appendChild(el('table', {}, [el('tr', {}, [el('th', {}, ['parameter']), el('th', {}, ['in']), el('th', {}, ['']), el('th', {}, ['type'])])].concat(rows)));
      }
      var rb = r.op.requestBody && r.op.requestBody.content && r.op.requestBody.content['application/json'];
      if (rb) { body.appendChild(el('p', { class: 'p' }, ['Request body'])); body.appendChild(el('pre', {}, [JSON.stringify(resolve(rb.schema, 0), null, 2)])); }
      Object.keys(r.op.responses || {}).forEach(function (code) {
        var res = r.op.responses[code];
        var c = res.content && (res.content['application/json'] || res.content['text/event-stream']);
        body.appendChild(el('p', { class: 'p' }, [code + ' ', el('span', { class: 's' }, [res.description || ''])]));
        if (c && c.schema && code < 300) body.appendChild(el('pre', {}, [JSON.stringify(resolve(c.schema, 0), null, 2)]));
      });
      var secured = !r.op.security || r.op.security.length > 0;
      root.appendChild(el('details', {}, [
        el('summary', {}, [el('span', { class: 'm ' + r.method }, [r.method.toUpperCase()]), el('code', {}, [r.path]), el('span', { class: 's' }, [r.op.summary || '']), el('span', { class: 'lock' }, [secured ? '🔒' : ''])]),
        body,
      ]));
    });
  });
})();
</script>
</body>
</html>
`;
