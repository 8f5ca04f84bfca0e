// The local authorization list panel of the charger screen: the list version the CSMS last sent and
// when (GET /chargers/{id}/local-list), the version the charger itself reports (GetLocalListVersion),
// the id tags a full update carries, and sending a full or a differential update (the tags named,
// added, updated or removed as the id tags now say) with the charger's answer and the entries it
// could not take. Read when the charger is shown and after each update, never on a poll.

export const LOCAL_LIST = String.raw`
  var LOCAL_LIST_SHOWN = 20;
  /** Builds the panel into box for charger c and reads its state once. */
  function localListPanel(box, c) {
    var base = '/chargers/' + enc(c.id);
    var facts = h('p', 'local-list-version note', 'Reading the list version…');
    var entries = h('div', 'local-list-entries');
    var answer = answerBox();
    var reload = function () {
      return Promise.all([read(base + '/local-list'), read('/id-tags?limit=' + LOCAL_LIST_SHOWN)]).then(function (r) {
        var l = r[0];
        facts.textContent = l.syncedAt ? 'Version ' + l.listVersion + ', sent ' + time(l.syncedAt) + ' (the version the CSMS last sent).'
          : 'No list has been sent to this charger yet (version ' + l.listVersion + ').';
        var t = table(['Id tag', 'Type', 'Status', 'Expires', 'Group'], 'local-list cards');
        r[1].idTags.forEach(function (x) {
          add(t.tBodies[0], row([h('span', 'mono', x.idTag), x.type || 'any', x.status, x.expiryDate ? time(x.expiryDate) : 'never', h('span', 'mono', orDash(x.parentIdTag))]));
        });
        entries.replaceChildren(h('p', 'note', r[1].idTags.length === 0 ? 'There is no id tag: a full update empties the list.'
          : 'A full update carries every id tag; ' + (r[1].nextCursor ? 'the first ' + LOCAL_LIST_SHOWN + ' are' : 'they are') + ' shown.'), scroller(labelCards(t)));
      }, function (error) { facts.textContent = 'The list version cannot be read: ' + error.message; });
    };
    var send = function (body, b) {
      b.disabled = true;
      answer('wait', 'Sending a ' + body.updateType.toLowerCase() + ' update…');
      call('POST', base + '/local-list', body).then(function (res) {
        if (!res.ok) { answer('bad', res.status + ' ' + errorText(res)); return; }
        var r = res.json;
        var status = r.result && r.result.status;
        var skipped = (r.skipped || []).map(function (s) { return '\n  left out ' + s.idTag + (s.type ? ' (' + s.type + ')' : '') + ': ' + s.reason; }).join('');
        answer(status === 'Accepted' ? 'ok' : 'bad', body.updateType + ' update: ' + (status || JSON.stringify(r.result)) + ', version ' + r.listVersion +
          ', ' + r.entries + ' entr' + (r.entries === 1 ? 'y' : 'ies') + skipped);
        reload();
      }, function (error) { answer('bad', error.message); }).finally(function () { b.disabled = false; });
    };
    var ask = button('Ask the charger its version', function (b) {
      b.disabled = true;
      call('POST', base + '/commands/GetLocalListVersion', {}).then(function (res) {
        answer(res.ok ? 'ok' : 'bad', res.ok ? 'The charger reports version ' + res.json.result.listVersion + '.' : res.status + ' ' + errorText(res));
      }, function (error) { answer('bad', error.message); }).finally(function () { b.disabled = false; });
    });
    var diff = h('form', 'edit local-list-diff');
    diff.autocomplete = 'off';
    var tags = textInput('idTags', 'text', 'tags, separated by spaces or commas');
    var diffSend = h('button', null, 'Send differential update');
    diffSend.type = 'submit';
    diff.addEventListener('submit', function (e) {
      e.preventDefault();
      var list = tags.value.split(/[\s,]+/).filter(Boolean);
      if (list.length === 0) { answer('bad', 'Name the tags to add, update or remove.'); return; }
      send({ updateType: 'Differential', idTags: list }, diffSend);
    });
    add(diff, labelled('Tags to update (a deleted tag is removed from the list)', tags), diffSend);
    box.replaceChildren(
      h('h3', null, 'Local authorization list'), facts,
      scoped('command', add(h('div', 'row-actions'),
        button('Send full update', function (b) { send({ updateType: 'Full' }, b); }), ask)),
      scoped('command', diff), answer.box, entries);
    reload();
  }
`;
