// GET /api/v1/docs — the API reference: one self-contained HTML page (no external scripts, styles,
// fonts or CDNs, so it works offline) whose inline script fetches ./openapi.json and renders it.
// The script builds the page with DOM nodes and text nodes only (never innerHTML), so whatever the
// document holds is shown as text. A Content-Security-Policy allows exactly this script and style.

import { servePage } from './page-policy';

const STYLE = String.raw`
:root { --fg: #1d2127; --muted: #5b6470; --bg: #fff; --panel: #f5f7f9; --line: #dde2e7; --accent: #1f6feb;
  --get: #1a7f37; --post: #0b5cad; --put: #9a6700; --delete: #c9372c; color-scheme: light dark; }
@media (prefers-color-scheme: dark) {
  :root { --fg: #e3e6ea; --muted: #9aa4af; --bg: #15181c; --panel: #1d2227; --line: #313840; --accent: #58a6ff;
    --get: #3fb950; --post: #58a6ff; --put: #d29922; --delete: #f85149; }
}
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg); background: var(--bg); }
code, .mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 0.92em; }
header { padding: 16px 24px; border-bottom: 1px solid var(--line); display: flex; gap: 16px; align-items: baseline; flex-wrap: wrap; }
header h1 { margin: 0; font-size: 1.4em; }
header .version { color: var(--muted); }
header input { margin-left: auto; min-width: 260px; padding: 6px 10px; border: 1px solid var(--line); border-radius: 6px; background: var(--panel); color: var(--fg); font: inherit; }
.layout { display: flex; align-items: flex-start; }
nav { position: sticky; top: 0; width: 270px; flex: none; max-height: 100vh; overflow: auto; padding: 16px; border-right: 1px solid var(--line); font-size: 0.9em; }
nav h2 { font-size: 0.8em; text-transform: uppercase; letter-spacing: 0.05em; color: var(--muted); margin: 16px 0 4px; }
nav a { display: block; padding: 2px 0; color: var(--fg); text-decoration: none; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
nav a:hover { color: var(--accent); }
main { flex: 1; min-width: 0; padding: 8px 24px 48px; max-width: 1100px; }
.intro { color: var(--muted); }
section.tag > h2 { border-bottom: 1px solid var(--line); padding-bottom: 4px; margin-top: 32px; }
.op { border: 1px solid var(--line); border-radius: 8px; margin: 16px 0; padding: 12px 16px; }
.op h3 { margin: 0; font-size: 1em; display: flex; gap: 10px; align-items: center; flex-wrap: wrap; }
.method { font-weight: 700; font-size: 0.8em; padding: 2px 8px; border-radius: 4px; color: #fff; }
.method.get { background: var(--get); } .method.post { background: var(--post); }
.method.put { background: var(--put); } .method.delete { background: var(--delete); }
.auth { font-size: 0.75em; color: var(--muted); border: 1px solid var(--line); border-radius: 10px; padding: 0 8px; }
.op h4 { margin: 14px 0 6px; font-size: 0.85em; text-transform: uppercase; letter-spacing: 0.04em; color: var(--muted); }
.summary { margin: 6px 0 0; font-weight: 600; }
.desc p { margin: 4px 0; }
table { border-collapse: collapse; width: 100%; font-size: 0.92em; }
th, td { text-align: left; vertical-align: top; padding: 4px 8px; border-bottom: 1px solid var(--line); }
th { color: var(--muted); font-weight: 600; }
details { margin: 4px 0; }
summary { cursor: pointer; }
.box { background: var(--panel); border-radius: 6px; padding: 8px 12px; margin: 4px 0; }
.status { font-weight: 700; font-family: ui-monospace, monospace; }
.s2 { color: var(--get); } .s4 { color: var(--put); } .s5 { color: var(--delete); }
.prop { padding: 3px 0 3px 10px; border-left: 2px solid var(--line); margin: 2px 0; }
.pname { font-weight: 600; }
.req { color: var(--delete); font-size: 0.8em; margin-left: 4px; }
.type { color: var(--accent); margin-left: 6px; }
.facts { color: var(--muted); font-size: 0.88em; margin-left: 6px; }
.note { color: var(--muted); font-size: 0.9em; }
.actions { columns: 2 320px; }
.actions details { break-inside: avoid; }
.cols { display: grid; grid-template-columns: 1fr 1fr; gap: 12px; }
@media (max-width: 800px) { nav { display: none; } .cols { grid-template-columns: 1fr; } .actions { columns: 1; } }
.hidden { display: none; }
.error { color: var(--delete); }
`;

// String.raw: the script's backslashes reach the browser as written. It must hold no backtick,
// no "${" and no closing script tag.
const SCRIPT = String.raw`
'use strict';
(function () {
  var main = document.getElementById('main');
  var nav = document.getElementById('nav');
  var filter = document.getElementById('filter');
  var doc;
  var BACKTICK = String.fromCharCode(96);

  function h(tag, cls) {
    var el = document.createElement(tag);
    if (cls) el.className = cls;
    for (var i = 2; i < arguments.length; i++) add(el, arguments[i]);
    return el;
  }
  function add(el, child) {
    if (child === null || child === undefined || child === false) return;
    if (Array.isArray(child)) { child.forEach(function (c) { add(el, c); }); return; }
    el.appendChild(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  function safeId(text) { return String(text).replace(/[^A-Za-z0-9_-]/g, '-'); }

  // Text with code spans (between backticks) and paragraphs (blank lines); everything as text nodes.
  function prose(text, cls) {
    var box = h('div', cls || 'desc');
    String(text || '').split(/\n\s*\n/).forEach(function (para) {
      var p = h('p');
      para.split(BACKTICK).forEach(function (part, i) {
        add(p, i % 2 === 1 ? h('code', null, part) : part.replace(/\*\*/g, ''));
      });
      box.appendChild(p);
    });
    return box;
  }

  function pointer(ref) {
    if (typeof ref !== 'string' || ref.indexOf('#/') !== 0) return undefined;
    return ref.slice(2).split('/').reduce(function (node, key) {
      key = key.replace(/~1/g, '/').replace(/~0/g, '~');
      return node && Object.prototype.hasOwnProperty.call(node, key) ? node[key] : undefined;
    }, doc);
  }
  function deref(obj) {
    var seen = 0;
    while (obj && typeof obj.$ref === 'string' && seen++ < 20) obj = pointer(obj.$ref) || {};
    return obj || {};
  }
  function refName(ref) { return String(ref).split('/').pop(); }

  function isNullSchema(s) { return s && s.type === 'null'; }
  function nonNull(list) { return list.filter(function (s) { return !isNullSchema(s); }); }

  function typeLabel(s) {
    if (!s || typeof s !== 'object') return 'any';
    if (s.$ref) return refName(s.$ref);
    var alts = s.anyOf || s.oneOf;
    if (alts) {
      var rest = nonNull(alts);
      var label = rest.length > 4 ? 'one of ' + rest.length + ' schemas' : rest.map(typeLabel).join(' | ');
      return rest.length < alts.length ? label + ' | null' : label;
    }
    if (s.const !== undefined) return JSON.stringify(s.const);
    var type = Array.isArray(s.type) ? s.type.join(' | ') : s.type;
    if (type === 'array') return 'array of ' + typeLabel(s.items);
    return type || 'any';
  }

  function facts(s) {
    var out = [];
    if (!s || typeof s !== 'object') return out;
    if (s.enum) out.push('one of: ' + s.enum.map(function (e) { return JSON.stringify(e); }).join(', '));
    if (s.format) out.push('format ' + s.format);
    [['minLength', 'min length'], ['maxLength', 'max length'], ['minimum', '≥'], ['exclusiveMinimum', '>'],
     ['maximum', '≤'], ['exclusiveMaximum', '<'], ['multipleOf', 'multiple of'], ['minItems', 'min items'],
     ['maxItems', 'max items'], ['pattern', 'pattern']].forEach(function (pair) {
      if (s[pair[0]] !== undefined) out.push(pair[1] + ' ' + s[pair[0]]);
    });
    if (s.default !== undefined) out.push('default ' + JSON.stringify(s.default));
    if (s.additionalProperties === false) out.push('no other properties');
    return out;
  }

  // The schema a label stands for, and whether it has fields worth unfolding.
  function inner(s) {
    if (!s || typeof s !== 'object') return undefined;
    var alts = s.anyOf || s.oneOf;
    if (alts && nonNull(alts).length === 1) return inner(nonNull(alts)[0]);
    var target = deref(s);
    if (target.type === 'array') return inner(target.items);
    if (target.properties || target.anyOf || target.oneOf || target.allOf) return target;
    return undefined;
  }

  function schemaView(s, trail) {
    trail = trail || [];
    var box = h('div');
    if (!s || typeof s !== 'object') return box;
    if (s.$ref) {
      if (trail.indexOf(s.$ref) !== -1) { add(box, h('div', 'note', '(recursive: ' + refName(s.$ref) + ')')); return box; }
      trail = trail.concat([s.$ref]);
    }
    var target = deref(s);
    if (target.description) add(box, prose(target.description, 'desc note'));
    var alts = target.anyOf || target.oneOf;
    if (alts) {
      var rest = nonNull(alts);
      if (rest.length === 1) {
        add(box, schemaView(rest[0], trail));
        return box;
      }
      add(box, h('div', 'note', (target.anyOf ? 'any of' : 'one of') + ':'));
      rest.forEach(function (alt) { add(box, fold(typeLabel(alt), alt, trail, false)); });
      return box;
    }
    if (target.type === 'array') {
      add(box, h('div', null, h('span', 'type mono', typeLabel(target)), h('span', 'facts', facts(target).join('; '))));
      if (inner(target.items)) add(box, schemaView(target.items, trail));
      return box;
    }
    if (target.properties) {
      var required = target.required || [];
      var names = Object.keys(target.properties);
      if (names.length === 0) add(box, h('div', 'note', 'an object' + (target.additionalProperties === false ? ' with no properties' : '')));
      names.forEach(function (name) { add(box, property(name, target.properties[name], required.indexOf(name) !== -1, trail)); });
      if (target.additionalProperties === false && names.length) add(box, h('div', 'note', 'no other properties'));
      return box;
    }
    add(box, h('div', null, h('span', 'type mono', typeLabel(target)), h('span', 'facts', facts(target).join('; '))));
    return box;
  }

  function property(name, s, required, trail) {
    var shown = s;
    var alts = s && (s.anyOf || s.oneOf);
    if (alts && nonNull(alts).length === 1) shown = nonNull(alts)[0];
    var target = deref(shown);
    var known = facts(target);
    if (target.type === 'array') known = known.concat(facts(deref(target.items)));
    var row = h('div', 'prop',
      h('span', 'pname mono', name), required ? h('span', 'req', 'required') : null,
      h('span', 'type mono', typeLabel(s)), h('span', 'facts', known.join('; ')));
    var description = (s && s.description) || target.description;
    if (description) add(row, prose(description, 'desc note'));
    if (inner(s)) add(row, fold('fields', target.type === 'array' ? target.items : shown, trail, false));
    return row;
  }

  function fold(label, s, trail, open) {
    var d = h('details', null, h('summary', null, label));
    if (open) d.open = true;
    var filled = false;
    // Large schemas are built when first opened.
    var fill = function () { if (!filled) { filled = true; add(d, h('div', 'box', schemaView(s, trail))); } };
    if (open) fill(); else d.addEventListener('toggle', fill);
    return d;
  }

  function parametersView(params) {
    var table = h('table', null, h('tr', null, h('th', null, 'name'), h('th', null, 'in'), h('th', null, 'type'), h('th', null, 'description')));
    params.forEach(function (p) {
      p = deref(p);
      table.appendChild(h('tr', null,
        h('td', null, h('span', 'pname mono', p.name), p.required ? h('span', 'req', 'required') : null),
        h('td', null, p.in),
        h('td', null, h('span', 'mono', typeLabel(p.schema)), h('div', 'facts', facts(deref(p.schema)).join('; '))),
        h('td', null, prose(p.description))));
    });
    return table;
  }

  function contentView(content, op) {
    var box = h('div');
    Object.keys(content || {}).forEach(function (type) {
      var schema = content[type].schema;
      if (op['x-ocpp-actions'] && schema && (schema.anyOf || (schema.properties && schema.properties.result))) {
        add(box, h('div', 'note', type + ': depends on the action and the charger’s OCPP version; see the actions below.'));
        return;
      }
      add(box, fold(type + ' — ' + typeLabel(schema), schema, [], false));
    });
    return box;
  }

  function actionsView(byVersion) {
    var box = h('div');
    Object.keys(byVersion).forEach(function (version) {
      var list = byVersion[version];
      var d = h('details', 'version', h('summary', null, 'OCPP ' + version.replace(/^ocpp/, '') + ' — ' + list.length + ' actions'));
      var grid = h('div', 'actions');
      list.forEach(function (a) {
        var item = h('details', 'action', h('summary', 'mono', a.action));
        item.setAttribute('data-search', (a.action + ' ' + version).toLowerCase());
        var filled = false;
        item.addEventListener('toggle', function () {
          if (filled) return;
          filled = true;
          add(item, h('div', 'cols',
            h('div', 'box', h('h4', null, 'Request: ' + refName(a.request.$ref)), schemaView(a.request)),
            h('div', 'box', h('h4', null, 'Response: ' + refName(a.response.$ref)), schemaView(a.response))));
        });
        grid.appendChild(item);
      });
      d.appendChild(grid);
      box.appendChild(d);
    });
    return box;
  }

  function operationView(path, method, op, pathParams) {
    var base = (doc.servers && doc.servers[0] && doc.servers[0].url) || '';
    var isPublic = Array.isArray(op.security) && op.security.length === 0;
    var id = 'op-' + safeId(op.operationId || method + path);
    var el = h('div', 'op',
      h('h3', null, h('span', 'method ' + method, method.toUpperCase()), h('code', 'path', base + path),
        h('span', 'auth', isPublic ? 'no token' : 'bearer token')),
      op.summary ? h('p', 'summary', op.summary) : null,
      op.description ? prose(op.description) : null);
    el.id = id;
    var params = (pathParams || []).concat(op.parameters || []);
    if (params.length) add(el, [h('h4', null, 'Parameters'), parametersView(params)]);
    if (op.requestBody) {
      var body = deref(op.requestBody);
      add(el, [h('h4', null, 'Request body' + (body.required ? '' : ' (optional)')),
        body.description ? prose(body.description) : null, contentView(body.content, op)]);
    }
    if (op['x-ocpp-actions']) add(el, [h('h4', null, 'Actions, per OCPP version'), actionsView(op['x-ocpp-actions'])]);
    add(el, h('h4', null, 'Responses'));
    Object.keys(op.responses || {}).forEach(function (status) {
      var r = deref(op.responses[status]);
      var first = String(r.description || '').split('\n')[0];
      var d = h('details', null, h('summary', null, h('span', 'status s' + status.charAt(0), status), ' ', first.split(BACKTICK).join('')));
      // A one-line description is the summary already.
      var more = String(r.description || '').indexOf('\n') !== -1 ? prose(r.description) : null;
      add(d, h('div', 'box', more, r.content ? contentView(r.content, op) : h('div', 'note', 'no body')));
      el.appendChild(d);
    });
    var search = [method, path, op.operationId, op.summary, (op.tags || []).join(' ')].join(' ').toLowerCase();
    el.setAttribute('data-search', search);
    return el;
  }

  function render() {
    var info = doc.info || {};
    document.title = (info.title || 'API') + ' reference';
    document.getElementById('title').textContent = info.title || 'API reference';
    document.getElementById('version').textContent = info.version ? 'version ' + info.version + ' · OpenAPI ' + doc.openapi : '';
    main.textContent = '';
    var raw = h('a', null, 'openapi.json');
    raw.setAttribute('href', './openapi.json');
    add(main, [info.summary ? h('p', 'summary', info.summary) : null, prose(info.description, 'desc intro'),
      h('p', 'note', 'Machine-readable: ', raw)]);

    var tags = (doc.tags || []).slice();
    var byTag = {};
    Object.keys(doc.paths || {}).forEach(function (path) {
      var item = doc.paths[path];
      ['get', 'put', 'post', 'delete', 'patch'].forEach(function (method) {
        var op = item[method];
        if (!op) return;
        var tag = (op.tags && op.tags[0]) || 'Other';
        if (!tags.some(function (t) { return t.name === tag; })) tags.push({ name: tag });
        (byTag[tag] = byTag[tag] || []).push(operationView(path, method, op, item.parameters));
      });
    });
    nav.textContent = '';
    tags.forEach(function (tag) {
      var ops = byTag[tag.name] || [];
      if (!ops.length) return;
      var section = h('section', 'tag', h('h2', null, tag.name), tag.description ? prose(tag.description, 'desc note') : null);
      section.id = 'tag-' + safeId(tag.name);
      add(nav, h('h2', null, tag.name));
      ops.forEach(function (opEl) {
        section.appendChild(opEl);
        var link = h('a', null, h('span', 'mono', opEl.querySelector('.method').textContent + ' '), opEl.querySelector('.path').textContent);
        link.setAttribute('href', '#' + opEl.id);
        link.setAttribute('data-for', opEl.id);
        nav.appendChild(link);
      });
      main.appendChild(section);
    });
  }

  function applyFilter() {
    var q = filter.value.trim().toLowerCase();
    document.querySelectorAll('.op').forEach(function (op) {
      var actions = op.querySelectorAll('details.action');
      var anyAction = false;
      actions.forEach(function (a) {
        var hit = !q || a.getAttribute('data-search').indexOf(q) !== -1;
        a.classList.toggle('hidden', !hit);
        if (q && hit) anyAction = true;
      });
      if (anyAction) op.querySelectorAll('details.version').forEach(function (v) { v.open = true; });
      var show = !q || op.getAttribute('data-search').indexOf(q) !== -1 || anyAction;
      op.classList.toggle('hidden', !show);
      var link = nav.querySelector('a[data-for="' + op.id + '"]');
      if (link) link.classList.toggle('hidden', !show);
    });
    document.querySelectorAll('section.tag').forEach(function (s) {
      s.classList.toggle('hidden', !s.querySelector('.op:not(.hidden)'));
    });
  }

  filter.addEventListener('input', applyFilter);
  fetch('./openapi.json', { headers: { accept: 'application/json' } })
    .then(function (res) {
      if (!res.ok) throw new Error('openapi.json answered ' + res.status);
      return res.json();
    })
    .then(function (json) { doc = json; render(); if (location.hash) { var t = document.getElementById(location.hash.slice(1)); if (t) t.scrollIntoView(); } })
    .catch(function (error) { main.textContent = ''; add(main, h('p', 'error', 'Could not load openapi.json: ' + error.message)); });
})();
`;

const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>API reference</title>
<style>${STYLE}</style>
</head>
<body>
<header>
<h1 id="title">API reference</h1>
<span class="version" id="version"></span>
<input id="filter" type="search" placeholder="Filter endpoints and OCPP actions" aria-label="Filter">
</header>
<div class="layout">
<nav id="nav" aria-label="Endpoints"></nav>
<main id="main"><p class="note">Loading openapi.json…</p>
<noscript><p>This page renders <a href="./openapi.json">openapi.json</a> with JavaScript.</p></noscript></main>
</div>
<script>${SCRIPT}</script>
</body>
</html>
`;

/** GET /api/v1/docs: documentation, served without a token. */
export const serveDocsPage = servePage({ html: PAGE, script: SCRIPT, style: STYLE, extraDirectives: ["img-src 'self' data:"] });
