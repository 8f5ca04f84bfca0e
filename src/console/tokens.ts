// The console's API token screen (#/tokens, admin): every token with its scopes and when it was
// last used; create one (its secret shown once, with a copy button, and then gone from the page:
// the API keeps only its hash); revoke one after a confirmation (it stops working at once).

export const TOKENS = String.raw`
  state.tokens = { built: false, list: [], shown: null, say: null };
  var SCOPE_HELP = { read: 'read: see everything', command: 'command: also send commands and local lists', admin: 'admin: also tags, chargers, tokens, audit log' };
  function loadTokens() {
    buildTokens();
    if (!mayAdmin()) return Promise.resolve();
    return read('/tokens').then(function (r) {
      var s = state.tokens;
      var text = JSON.stringify(r.apiTokens);
      s.list = r.apiTokens;
      if (s.shown !== text) { s.shown = text; renderTokens(); }
    });
  }
  function tokenAnswer(kind, text) { state.tokens.say(kind, text); }
  function buildTokens() {
    var s = state.tokens;
    if (s.built) return;
    s.built = true;
    var form = h('form', 'edit token-form');
    form.autocomplete = 'off';
    var name = textInput('name', 'text', 'who or what uses it, e.g. billing export');
    name.required = true; name.maxLength = 100;
    var scopes = add(h('fieldset', 'scopes'), h('legend', null, 'Scopes'));
    var boxes = ['read', 'command', 'admin'].map(function (scope) {
      var c = textInput('scope', 'checkbox');
      c.value = scope; c.checked = scope === 'read';
      add(scopes, labelled(SCOPE_HELP[scope], c));
      return c;
    });
    var secretBox = h('div', 'secret-box');
    s.say = answerBox();
    var submit = h('button', null, 'Create token');
    submit.type = 'submit';
    form.addEventListener('submit', function (e) {
      e.preventDefault();
      var chosen = boxes.filter(function (c) { return c.checked; }).map(function (c) { return c.value; });
      if (chosen.length === 0) { tokenAnswer('bad', 'Choose at least one scope.'); return; }
      submit.disabled = true;
      call('POST', '/tokens', { name: name.value.trim(), scopes: chosen }).then(function (res) {
        if (!res.ok) { tokenAnswer('bad', res.status + ' ' + errorText(res)); return; }
        var t = res.json.apiToken;
        tokenAnswer('ok', 'Created token ' + t.id + ' (' + t.name + '), scopes ' + t.scopes.join(', ') + '.');
        secretOnce(secretBox, 'The token "' + t.name + '": use it as a Bearer token.', res.json.token);
        res.json.token = null; res.text = null;
        form.reset(); boxes[0].checked = true;
        refreshNow();
      }, function (error) { tokenAnswer('bad', error.message); }).finally(function () { submit.disabled = false; });
    });
    add(form, labelled('Name', name), scopes, submit);
    $('tokens').replaceChildren(
      scoped('no-admin', h('p', 'note', 'API tokens are an admin matter: this token has no admin scope.')),
      scoped('admin', add(h('div'), h('div', 'token-list'),
        h('h3', null, 'Create a token'), form, secretBox, s.say.box)));
  }
  function revokeToken(t, reset) {
    call('DELETE', '/tokens/' + enc(t.id)).then(function (res) {
      tokenAnswer(res.ok ? 'ok' : 'bad', res.ok ? 'Revoked ' + t.id + ' (' + t.name + '): it is refused from now on.' : res.status + ' ' + errorText(res));
      reset();
      refreshNow();
    }, function (error) { reset(); tokenAnswer('bad', error.message); });
  }
  function renderTokens() {
    var box = $('tokens').querySelector('.token-list');
    var list = state.tokens.list;
    box.replaceChildren();
    if (list.length === 0) { add(box, h('p', 'note', 'No token has been created (the API_TOKEN secret is not listed).')); return; }
    var t = table(['Name', 'Id', 'Scopes', 'Created', 'Last used', 'State', ''], 'tokens cards');
    list.forEach(function (x) {
      var tr = row([x.name, h('span', 'mono', x.id), x.scopes.join(', '), time(x.createdAt), x.lastUsedAt ? time(x.lastUsedAt) : 'never',
        x.revokedAt ? 'revoked ' + time(x.revokedAt) : 'active',
        x.revokedAt ? '' : confirmButton('Revoke', 'Revoke ' + x.name + '?', 'Every script or person using it is refused at once.', function (b, reset) { revokeToken(x, reset); })],
        x.revokedAt ? 'revoked' : null);
      tr.setAttribute('data-token', x.id);
      add(t.tBodies[0], tr);
    });
    add(box, scroller(labelCards(t)));
  }
`;
