// The console's audit log screen (#/audit, admin): who changed what, when, newest first, a page at a
// time (GET /audit), with the filters the API offers: actor (token id, Access user or email), method,
// path prefix and a time range; the live feed tickets every opening console asks for are left out
// unless asked for. A token's id is shown with its name when the token list knows it.

export const AUDIT = String.raw`
  var AUDIT_PAGE = 50;
  var TICKETS_PATH = '/api/v1/live/tickets';
  state.audit = { built: false, entries: [], names: {}, filters: {}, paging: newPaging(), shown: null, tickets: false };
  function auditQuery() {
    var s = state.audit;
    var q = '/audit?limit=' + AUDIT_PAGE;
    Object.keys(s.filters).forEach(function (k) { if (s.filters[k]) q += '&' + k + '=' + enc(s.filters[k]); });
    var cursor = pageCursor(s.paging);
    return cursor ? q + '&cursor=' + enc(cursor) : q;
  }
  function loadAudit() {
    buildAudit();
    if (!mayAdmin()) return Promise.resolve();
    var query = auditQuery();
    return Promise.all([read(query), read('/tokens').catch(function () { return null; })]).then(function (r) {
      if (query !== auditQuery()) return;
      var s = state.audit;
      if (r[1]) r[1].apiTokens.forEach(function (t) { s.names[t.id] = t.name; });
      s.entries = r[0].entries; s.paging.next = r[0].nextCursor;
      var text = query + JSON.stringify(r[0]);
      if (s.shown !== text) { s.shown = text; renderAudit(); }
    });
  }
  function buildAudit() {
    var s = state.audit;
    if (s.built) return;
    s.built = true;
    var form = h('form', 'filters');
    form.setAttribute('role', 'search'); form.autocomplete = 'off';
    var actor = textInput('actor', 'search', 'token id or email');
    var method = choice('method', [['', 'any'], ['POST', 'POST'], ['PUT', 'PUT'], ['PATCH', 'PATCH'], ['DELETE', 'DELETE']]);
    var path = textInput('path', 'search', '/api/v1/id-tags');
    var from = textInput('from', 'date');
    var to = textInput('to', 'date');
    var apply = function () {
      s.filters = {
        actor: actor.value.trim(), method: method.value, path: path.value.trim(),
        // Whole days in the operator's time zone: from the start of "from" to the end of "to".
        from: from.value ? new Date(from.value + 'T00:00').toISOString() : '',
        to: to.value ? new Date(new Date(to.value + 'T00:00').getTime() + DAY_MS).toISOString() : '',
      };
      s.paging = newPaging();
      refreshNow();
    };
    form.addEventListener('submit', function (e) { e.preventDefault(); apply(); });
    method.addEventListener('change', apply);
    // Every console that opens asks for a live feed ticket (a POST): hidden unless asked for, they would fill the pages.
    var tickets = textInput('tickets', 'checkbox');
    tickets.addEventListener('change', function () { s.tickets = tickets.checked; renderAudit(); });
    var submit = h('button', null, 'Filter');
    submit.type = 'submit';
    add(form, labelled('Who', actor), labelled('Method', method), labelled('Path starting', path), labelled('From', from), labelled('To', to), submit,
      labelled('Show live feed tickets', tickets));
    $('audit').replaceChildren(
      scoped('no-admin', h('p', 'note', 'The audit log is for admins: this token has no admin scope.')),
      scoped('admin', add(h('div'), form, h('div', 'audit-list'), h('div', 'pager audit-pager'))));
  }
  /** Who: an Access user's email, else a token's name and id (API_TOKEN is "root"). */
  function auditActor(a) {
    if (a.email) return a.email;
    if (a.kind === 'token' && a.id === 'root') return 'API_TOKEN (root)';
    var name = state.audit.names[a.id];
    return (name ? name + ' · ' : '') + a.kind + ' ' + a.id;
  }
  function renderAudit() {
    var s = state.audit;
    var box = $('audit').querySelector('.audit-list');
    box.replaceChildren();
    var entries = s.tickets ? s.entries : s.entries.filter(function (e) { return e.path !== TICKETS_PATH; });
    var hidden = s.entries.length - entries.length;
    if (hidden) add(box, h('p', 'note', hidden + ' live feed ticket' + (hidden === 1 ? '' : 's') + ' (a console opening) not shown on this page.'));
    if (entries.length === 0) add(box, h('p', 'note', 'No entry matches.'));
    else {
      var t = table(['When', 'Who', 'What', 'Path', 'Answer', 'Request id'], 'audit cards');
      entries.forEach(function (e) {
        var tr = row([time(e.at), auditActor(e.actor), e.method + ' ' + (e.route || '—'), h('span', 'mono', e.path),
          h('span', e.status >= 400 ? 'warn' : null, String(e.status)), h('span', 'mono', e.requestId)], e.status >= 400 ? 'refused' : null);
        add(t.tBodies[0], tr);
      });
      add(box, scroller(labelCards(t)));
    }
    renderPager($('audit').querySelector('.audit-pager'), s.paging, s.entries.length, refreshNow);
  }
`;
