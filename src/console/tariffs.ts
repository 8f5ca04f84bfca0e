// The console's tariffs screen: every tariff in words, its text for drivers shown as text, with Edit
// (tariff-editor.ts) and Delete; where each is assigned (default, a charger, an id tag group), with
// a form to assign one and a button to remove an assignment.

export const TARIFFS = String.raw`
  function loadTariffs() {
    return Promise.all([read('/tariffs?limit=' + MAX_PAGE), read('/tariff-assignments?limit=' + MAX_PAGE)]).then(function (r) {
      state.tariffs = r[0].tariffs;
      state.moreTariffs = r[0].nextCursor !== null;
      state.assignments = r[1].assignments;
      state.moreAssignments = r[1].nextCursor !== null;
      renderTariffs();
    });
  }
  var SCOPE_WORDS = { default: 'Default (every charger)', charger: 'Charger', id_tag_group: 'Id tag group', site: 'Site' };
  // Where PUT/DELETE /tariff-assignments/… puts each scope.
  var SCOPE_PATHS = { default: function () { return '/default'; }, charger: function (k) { return '/chargers/' + enc(k); }, id_tag_group: function (k) { return '/id-tag-groups/' + enc(k); } };
  function renderTariffs() {
    var box = $('tariffs');
    box.replaceChildren();
    if (state.tariffs.length === 0) {
      add(box, h('p', 'note', 'No tariff yet: sessions are not priced. Create one below.'));
    } else {
      var t = table(['Tariff', 'Version', 'Currency', 'Prices', 'Text for drivers', ''], 'tariffs');
      state.tariffs.forEach(function (st) {
        var x = st.tariff;
        var alt = (x.tariff_alt_text || []).map(function (d) { return '[' + d.language + '] ' + d.text; }).join('\n');
        var edit = button('Edit', function () { editTariff(x); $('tariff-form').scrollIntoView({ block: 'nearest' }); $('tf-currency').focus(); });
        edit.setAttribute('aria-label', 'Edit tariff ' + x.id);
        var del = button(state.tariffConfirm === x.id ? 'Confirm delete' : 'Delete', function (b) { deleteTariff(x.id, b); });
        del.setAttribute('aria-label', 'Delete tariff ' + x.id);
        add(t.tBodies[0], row([h('span', 'mono', x.id), x.version + ' (' + time(x.last_updated) + ')', x.currency, tariffText(x), h('span', 'tech', alt || '—'),
          add(h('span', 'row-actions'), edit, del)]));
      });
      add(box, scroller(t));
      if (state.moreTariffs) add(box, h('p', 'note', 'Showing the first ' + MAX_PAGE + ' tariffs.'));
    }
    renderTariffChoices();
    add(box, h('h3', null, 'Assignments (most specific first: id tag group, charger, default)'));
    if (state.assignments.length === 0) { add(box, h('p', 'note', 'No tariff is assigned.')); return; }
    var a = table(['Scope', 'For', 'Tariff', 'Since', ''], 'assignments');
    var order = { id_tag_group: 0, charger: 1, site: 2, default: 3 };
    state.assignments.slice().sort(function (p, q) { return (order[p.scope] - order[q.scope]) || (p.key < q.key ? -1 : p.key > q.key ? 1 : 0); })
      .forEach(function (x) {
        var who = x.scope === 'default' ? '—' : x.scope === 'charger' ? link(x.key, chargerHash(x.key), 'mono') : h('span', 'mono', x.key);
        var remove = SCOPE_PATHS[x.scope] ? button('Remove', function (b) { unassignTariff(x, b); }) : null;
        if (remove) remove.setAttribute('aria-label', 'Remove the ' + (SCOPE_WORDS[x.scope] || x.scope) + ' assignment' + (x.key ? ' of ' + x.key : ''));
        add(a.tBodies[0], row([SCOPE_WORDS[x.scope] || x.scope, who, h('span', 'mono', x.tariffId), time(x.assignedAt), remove || '']));
      });
    add(box, scroller(a));
    if (state.moreAssignments) add(box, h('p', 'note', 'Showing the first ' + MAX_PAGE + ' assignments.'));
  }
  /** The assignment form's tariff choices, kept as chosen when the list is read again. */
  function renderTariffChoices() {
    var select = $('ta-tariff'), chosen = select.value;
    select.replaceChildren();
    state.tariffs.forEach(function (st) { var o = h('option', null, st.tariff.id); o.value = st.tariff.id; add(select, o); });
    if (chosen) select.value = chosen;
  }
  function unassignTariff(x, b) {
    b.disabled = true;
    call('DELETE', '/tariff-assignments' + SCOPE_PATHS[x.scope](x.key)).then(function (res) {
      show($('tariff-actions'), res.ok ? 'ok' : 'bad', res.ok ? 'Removed the assignment of ' + x.tariffId + '.' : 'Not removed: ' + errorText(res));
      refreshNow();
    }, function (error) { show($('tariff-actions'), 'bad', 'Not removed: ' + error.message); b.disabled = false; });
  }
  function setupTariffAssign() {
    var scope = $('ta-scope');
    var follow = function () { $('ta-key-row').hidden = scope.value === 'default'; };
    scope.addEventListener('change', follow);
    follow();
    $('ta-form').addEventListener('submit', function (e) {
      e.preventDefault();
      var out = $('ta-result'), tariffId = $('ta-tariff').value, key = $('ta-key').value.trim();
      $('ta-key').removeAttribute('aria-invalid');
      if (!tariffId) { show(out, 'bad', 'Create a tariff first.'); return; }
      if (scope.value !== 'default' && !key) { $('ta-key').setAttribute('aria-invalid', 'true'); show(out, 'bad', 'Say which ' + (scope.value === 'charger' ? 'charger' : 'id tag group') + '.'); return; }
      show(out, 'wait', 'Assigning…');
      call('PUT', '/tariff-assignments' + SCOPE_PATHS[scope.value](key), { tariffId: tariffId }).then(function (res) {
        show(out, res.ok ? 'ok' : 'bad', res.ok ? 'Assigned ' + tariffId + ' to ' + (scope.value === 'default' ? 'every charger (default)' : key) + ': sessions that start from now are priced with it.' : 'Not assigned: ' + errorText(res));
        if (!res.ok && res.json && res.json.error && /Charger|IdTag/.test(res.json.error.code)) $('ta-key').setAttribute('aria-invalid', 'true');
        refreshNow();
      }, function (error) { show(out, 'bad', 'Not assigned: ' + error.message); });
    });
  }
`;
