// The console's tariffs screen (read-only): every tariff in words, its text for drivers shown as
// text, and where each is assigned. Editing tariffs is the API's (PUT /tariffs/{id}) for now.

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
  function renderTariffs() {
    var box = $('tariffs');
    box.replaceChildren();
    if (state.tariffs.length === 0) {
      add(box, h('p', 'note', 'No tariff yet: sessions are not priced. Tariffs are set through the API (PUT /api/v1/tariffs/{id}).'));
    } else {
      var t = table(['Tariff', 'Version', 'Currency', 'Prices', 'Text for drivers'], 'tariffs');
      state.tariffs.forEach(function (st) {
        var x = st.tariff;
        var alt = (x.tariff_alt_text || []).map(function (d) { return '[' + d.language + '] ' + d.text; }).join('\n');
        add(t.tBodies[0], row([h('span', 'mono', x.id), x.version + ' (' + time(x.last_updated) + ')', x.currency, tariffText(x), h('span', 'tech', alt || '—')]));
      });
      add(box, scroller(t));
      if (state.moreTariffs) add(box, h('p', 'note', 'Showing the first ' + MAX_PAGE + ' tariffs.'));
    }
    add(box, h('h3', null, 'Assignments (most specific first: id tag group, charger, default)'));
    if (state.assignments.length === 0) { add(box, h('p', 'note', 'No tariff is assigned.')); return; }
    var a = table(['Scope', 'For', 'Tariff', 'Since'], 'assignments');
    var order = { id_tag_group: 0, charger: 1, site: 2, default: 3 };
    state.assignments.slice().sort(function (p, q) { return (order[p.scope] - order[q.scope]) || (p.key < q.key ? -1 : p.key > q.key ? 1 : 0); })
      .forEach(function (x) {
        var who = x.scope === 'default' ? '—' : x.scope === 'charger' ? link(x.key, chargerHash(x.key), 'mono') : h('span', 'mono', x.key);
        add(a.tBodies[0], row([SCOPE_WORDS[x.scope] || x.scope, who, h('span', 'mono', x.tariffId), time(x.assignedAt)]));
      });
    add(box, scroller(a));
    if (state.moreAssignments) add(box, h('p', 'note', 'Showing the first ' + MAX_PAGE + ' assignments.'));
  }
`;
