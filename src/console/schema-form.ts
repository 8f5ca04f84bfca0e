// The console's form renderer: builds an HTML form from a JSON Schema (the request schemas of
// GET /protocols/{version}/commands, the API's own valibot schemas converted), and the payload back
// from what is typed. An object is a fieldset: its required fields are shown, each optional one is
// added on demand (so one never added is omitted, not sent empty); strings, numbers (min/max/
// multipleOf as hints), booleans, enums (a select), date-times (a local picker sent as UTC), arrays
// (items added and removed) and nested objects ($ref resolved). What the form cannot show is edited
// as JSON. The form does not judge the values: the API validates, and its issues (path + message)
// are shown next to the fields they name (showIssues).

export const SCHEMA_FORM = String.raw`
  /** Not offered as a field, to keep 2.0.1 forms readable (every object has one): edit as JSON to send one. */
  var SKIPPED_PROPERTIES = ['customData'];
  /** The schema a $ref names in the root's $defs (a schema without $ref is itself). */
  function deref(root, schema) {
    for (var i = 0; schema && schema.$ref && i < 32; i++) {
      var ref = String(schema.$ref);
      schema = ref.indexOf('#/$defs/') === 0 && root.$defs ? root.$defs[ref.slice(8)] : null;
    }
    return schema && !schema.$ref ? schema : {}; // a reference that leads nowhere (or loops): edited as JSON
  }
  /** How a schema is edited: enum, date-time, string, integer, number, boolean, object, array, or json (anything else). */
  function fieldKind(s) {
    if (Array.isArray(s.enum)) return 'enum';
    if (s.type === 'string') return s.format === 'date-time' ? 'date-time' : 'string';
    if (s.type === 'object') return s.properties ? 'object' : 'json';
    return ['integer', 'number', 'boolean', 'array'].indexOf(s.type) >= 0 ? s.type : 'json';
  }
  /** A path as the API's issues name it: "evse.id", "chargingSchedule[0].chargingSchedulePeriod[1].limit". */
  function fieldPath(base, key) { return typeof key === 'number' ? base + '[' + key + ']' : base ? base + '.' + key : key; }
  /** What a schema allows, in words, beside the field. */
  function schemaHint(s) {
    var hints = [];
    if (s.maxLength !== undefined) hints.push('up to ' + s.maxLength + ' characters');
    if (s.minimum !== undefined) hints.push('at least ' + s.minimum);
    if (s.maximum !== undefined) hints.push('at most ' + s.maximum);
    if (s.multipleOf !== undefined) hints.push('a multiple of ' + s.multipleOf);
    if (s.minItems !== undefined && s.minItems > 0) hints.push('at least ' + s.minItems);
    if (s.maxItems !== undefined) hints.push('at most ' + s.maxItems);
    if (s.format === 'date-time') hints.push('your local time, sent as UTC');
    return hints.join(', ');
  }
  /** A datetime-local value ("2026-12-01T10:30:00", local time) as RFC 3339 UTC; text that is no date is returned as typed, for the API to refuse. */
  function localToUtc(text) {
    var d = new Date(text);
    return isNaN(d.getTime()) ? text : d.toISOString().replace('.000Z', 'Z');
  }
  /** An RFC 3339 time as a datetime-local value in local time ('' when it is none). */
  function utcToLocal(iso) {
    var d = new Date(iso);
    if (typeof iso !== 'string' || isNaN(d.getTime())) return '';
    var p = function (n) { return String(n).padStart(2, '0'); };
    return d.getFullYear() + '-' + p(d.getMonth() + 1) + '-' + p(d.getDate()) + 'T' + p(d.getHours()) + ':' + p(d.getMinutes()) + ':' + p(d.getSeconds());
  }
  /** A number field's text as the payload takes it: a number, nothing when empty, else the text itself (the API says why it is wrong). */
  function numberValue(text) {
    if (text.trim() === '') return undefined;
    var n = Number(text);
    return isNaN(n) ? text : n;
  }
  /** "a.b[2]" → "a.b", "a.b" → "a", "a" → "". */
  function parentPath(path) {
    var up = path.replace(/(\.[^.[\]]*|\[\d+\])$/, '');
    return up === path ? '' : up;
  }
  var formSeq = 0;

  /**
   * A form for the schema "root" (a JSON Schema object) filled with "value". Returns { el, value(), showIssues(issues) };
   * value() is the payload (an object), and throws an Error a field's JSON cannot be read.
   */
  function schemaForm(root, value) {
    var ctx = { root: root, fields: {}, seq: ++formSeq, n: 0 };
    var node = objectNode(ctx, deref(root, root), '', null, value && typeof value === 'object' ? value : {}, true);
    ctx.fields[''] = node.el;
    return {
      el: node.el,
      value: function () { return node.get() || {}; },
      showIssues: function (issues) { showFieldIssues(ctx, node.el, issues); },
    };
  }
  /** One field of the schema: { el, get } where get() is its value, undefined for none. */
  function fieldNode(ctx, schema, path, label, value, required) {
    var s = deref(ctx.root, schema);
    var kind = fieldKind(s);
    if (kind === 'object') return objectNode(ctx, s, path, label, value && typeof value === 'object' ? value : {}, required);
    if (kind === 'array') return arrayNode(ctx, s, path, label, Array.isArray(value) ? value : []);
    var id = 'sf' + ctx.seq + '-' + (++ctx.n);
    var input;
    if (kind === 'enum') {
      input = h('select');
      s.enum.forEach(function (o) { add(input, h('option', null, o)); });
      if (value !== undefined) input.value = String(value);
    } else if (kind === 'boolean') {
      input = h('input');
      input.type = 'checkbox';
      input.checked = value === true;
    } else if (kind === 'json') {
      input = h('textarea');
      input.rows = 2;
      input.value = value === undefined ? '' : JSON.stringify(value);
    } else {
      input = h('input');
      input.autocomplete = 'off';
      if (kind === 'date-time') { input.type = 'datetime-local'; input.step = '1'; input.value = utcToLocal(value); }
      else if (kind === 'string') input.value = value === undefined ? '' : String(value);
      else {
        input.type = 'number';
        input.step = s.multipleOf !== undefined ? String(s.multipleOf) : kind === 'integer' ? '1' : 'any';
        if (s.minimum !== undefined) input.min = String(s.minimum);
        if (s.maximum !== undefined) input.max = String(s.maximum);
        input.value = value === undefined || value === null ? '' : String(value);
      }
    }
    input.id = id;
    input.name = path;
    var hint = schemaHint(s);
    var labelEl = add(h('label', null, label === null ? path : label), h('span', 'hint', (kind === 'json' ? 'JSON' : s.type || '') + (hint ? ', ' + hint : '')));
    labelEl.htmlFor = id;
    var el = add(h('div', 'field' + (kind === 'boolean' ? ' check' : '')), labelEl, input);
    ctx.fields[path] = el;
    return { el: el, get: function () {
      if (kind === 'enum') return input.value;
      if (kind === 'boolean') return input.checked;
      var text = input.value;
      if (kind === 'integer' || kind === 'number') return numberValue(text);
      if (text === '') return undefined;
      if (kind === 'date-time') return localToUtc(text);
      if (kind !== 'json') return text;
      try { return JSON.parse(text); } catch (e) { throw new Error(path + ': not JSON (' + e.message + ')'); }
    } };
  }
  /** An object: a fieldset (the root a plain box) with its required fields, and a button per optional one that adds it. */
  function objectNode(ctx, s, path, label, value, required) {
    var el = path === '' ? h('div', 'schema-form') : add(h('fieldset', 'object'), h('legend', null, label));
    var body = add(el, h('div', 'fields')).lastChild;
    var optional = h('div', 'optional');
    var children = {};
    var req = s.required || [];
    var names = Object.keys(s.properties).filter(function (k) { return SKIPPED_PROPERTIES.indexOf(k) < 0 || value[k] !== undefined; });
    function place(name, initial) {
      var child = fieldNode(ctx, s.properties[name], fieldPath(path, name), name, initial, req.indexOf(name) >= 0);
      children[name] = child;
      if (req.indexOf(name) < 0) {
        var remove = button('Remove ' + name, function () {
          delete children[name]; child.el.remove(); offer.hidden = false; offer.focus();
        });
        remove.className = 'linkish remove';
        add(child.el, remove);
        var offer = optional.querySelector('[data-name="' + name + '"]');
        offer.hidden = true;
      }
      // Fields in the schema's order, wherever they were added.
      var next = null;
      for (var i = names.indexOf(name) + 1; i < names.length && !next; i++) if (children[names[i]]) next = children[names[i]].el;
      body.insertBefore(child.el, next);
      return child;
    }
    names.forEach(function (name) {
      if (req.indexOf(name) >= 0) return;
      var offer = button('+ ' + name, function () { var c = place(name, undefined); var f = c.el.querySelector('input, select, textarea, button'); if (f) f.focus(); });
      offer.className = 'add';
      offer.dataset.name = name;
      offer.title = 'Add the optional field ' + fieldPath(path, name);
      add(optional, offer);
    });
    names.forEach(function (name) { if (req.indexOf(name) >= 0 || value[name] !== undefined) place(name, value[name]); });
    if (optional.children.length) add(el, add(h('div', 'optional-row'), h('span', 'note', 'Optional:'), optional));
    ctx.fields[path] = el;
    return { el: el, get: function () {
      var out = {};
      names.forEach(function (name) {
        if (!children[name]) return;
        var v = children[name].get();
        if (v !== undefined) out[name] = v;
      });
      return Object.keys(out).length || required ? out : undefined;
    } };
  }
  /** An array: its items (at least minItems), each removable, and "Add" up to maxItems. */
  function arrayNode(ctx, s, path, label, value) {
    var el = add(h('fieldset', 'array'), h('legend', null, label + (schemaHint(s) ? ' (' + schemaHint(s) + ')' : '')));
    var list = add(el, h('ol', 'items')).lastChild;
    var items = [];
    var more = button('Add ' + label + ' item', function () { addItem(undefined); renumber(); var f = items[items.length - 1].el.querySelector('input, select, textarea'); if (f) f.focus(); });
    more.className = 'add';
    function renumber() {
      // Paths follow positions: rebuilding keeps each item's values and gives issues the right place.
      var values = items.map(function (it) { try { return it.node.get(); } catch (e) { return undefined; } });
      list.replaceChildren(); items = [];
      Object.keys(ctx.fields).forEach(function (k) { if (k.indexOf(path + '[') === 0) delete ctx.fields[k]; });
      values.forEach(function (v) { addItem(v); });
      more.disabled = s.maxItems !== undefined && items.length >= s.maxItems;
      items.forEach(function (it) { it.remove.disabled = items.length <= (s.minItems || 0); });
    }
    function addItem(v) {
      var i = items.length;
      var node = fieldNode(ctx, s.items || {}, fieldPath(path, i), label + ' ' + (i + 1), v, true);
      var li = add(h('li'), node.el);
      var remove = button('Remove ' + label + ' ' + (i + 1), function () { items.splice(items.indexOf(item), 1); renumber(); more.focus(); });
      remove.className = 'linkish remove';
      add(li, remove);
      var item = { el: li, node: node, remove: remove };
      items.push(item);
      add(list, li);
    }
    var start = Math.max(value.length, s.minItems || 0);
    for (var i = 0; i < start; i++) addItem(value[i]);
    renumber();
    add(el, more);
    ctx.fields[path] = el;
    return { el: el, get: function () {
      var out = items.map(function (it) { return it.node.get(); }).filter(function (v) { return v !== undefined; });
      return out.length ? out : undefined;
    } };
  }
  /**
   * The API's issues next to the fields they name: each at the deepest field its path reaches
   * ("chargingProfile.id" is required → at chargingProfile.id; a field the form lacks → its object).
   */
  function showFieldIssues(ctx, rootEl, issues) {
    rootEl.querySelectorAll('.issue').forEach(function (x) { x.remove(); });
    rootEl.querySelectorAll('[aria-invalid]').forEach(function (x) { x.removeAttribute('aria-invalid'); });
    (issues || []).forEach(function (issue) {
      var path = String(issue.path || '');
      var at = path;
      while (at && !ctx.fields[at]) at = parentPath(at);
      var host = ctx.fields[at] || rootEl;
      var note = h('p', 'issue', (path || 'the payload') + ' ' + issue.message);
      note.id = 'issue' + ctx.seq + '-' + (++ctx.n);
      var input = at === path ? host.querySelector(':scope > input, :scope > select, :scope > textarea') : null;
      if (input) { input.setAttribute('aria-invalid', 'true'); input.setAttribute('aria-describedby', note.id); }
      if (host.classList.contains('field')) add(host, note);
      else host.insertBefore(note, host.tagName === 'FIELDSET' ? host.children[1] || null : host.firstChild);
    });
  }
`;
