// The console's DOM helpers: elements and text nodes only, never HTML parsing, so whatever a charger
// sends is shown as text. Tables come inside their own scrolling box, so a wide one never widens the page.

export const DOM = String.raw`
  var SVG_NS = 'http://www.w3.org/2000/svg';
  var $ = function (id) { return document.getElementById(id); };
  function h(tag, cls, text) {
    var el = document.createElement(tag);
    if (cls) el.className = cls;
    if (text !== undefined && text !== null) el.appendChild(document.createTextNode(String(text)));
    return el;
  }
  /** Appends the children given (skipping empty ones) and returns the PARENT, for nesting. */
  function add(parent) {
    for (var i = 1; i < arguments.length; i++) if (arguments[i]) parent.appendChild(arguments[i]);
    return parent;
  }
  function svg(tag, attrs, text) {
    var el = document.createElementNS(SVG_NS, tag);
    Object.keys(attrs || {}).forEach(function (k) { el.setAttribute(k, String(attrs[k])); });
    if (text !== undefined) el.appendChild(document.createTextNode(String(text)));
    return el;
  }
  function row(cells, cls) {
    var tr = h('tr', cls);
    cells.forEach(function (c) { add(tr, c instanceof Node ? add(h('td'), c) : h('td', null, c)); });
    return tr;
  }
  function table(headings, cls) {
    var tr = h('tr');
    headings.forEach(function (x) { add(tr, h('th', null, x)); });
    return add(h('table', cls), add(h('thead'), tr), h('tbody'));
  }
  /** A table in a box that scrolls sideways on its own: a narrow screen never scrolls the page. */
  function scroller(t) { return add(h('div', 'scroll'), t); }
  function button(text, onClick) {
    var b = h('button', null, text);
    b.type = 'button';
    b.addEventListener('click', function () { onClick(b); });
    return b;
  }
  /** A link to a screen of the console (a real link: keyboard, middle click and back button work). */
  function link(text, hash, cls) {
    var a = h('a', cls, text);
    a.href = hash;
    return a;
  }
  function show(out, kind, text) {
    out.className = 'result ' + kind;
    out.textContent = text;
  }
  /** Saves a Blob as a file (never shown on this origin). */
  function saveBlob(blob, name, type) {
    var url = URL.createObjectURL(new Blob([blob], { type: type }));
    var a = h('a');
    a.href = url;
    a.download = name;
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(function () { URL.revokeObjectURL(url); }, 60000);
  }
  /** Keyset paging: the cursors of the pages before this one, and the next page's (fleet, id tags, audit). */
  function newPaging() { return { cursors: [null], next: null }; }
  function pageCursor(p) { return p.cursors[p.cursors.length - 1]; }
  /** "Page N, M shown" (without the count when shown is null) and Previous / Next page, each reading again with reload. */
  function renderPager(box, p, shown, reload) {
    box.replaceChildren(h('span', 'note', 'Page ' + p.cursors.length + (shown === null ? '' : ', ' + shown + ' shown')));
    if (p.cursors.length > 1) add(box, button('Previous page', function () { p.cursors.pop(); reload(); }));
    if (p.next) add(box, button('Next page', function () { p.cursors.push(p.next); reload(); }));
  }
`;
