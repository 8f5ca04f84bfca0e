// The console's charger registration screen (#/register, admin): register a charger ahead of its
// first boot (PUT /chargers/{id}) with its Security Profile and, for profiles 1 and 2, the Basic-auth
// password it will connect with (typed, or generated here and then shown once, never again); change a
// connected charger's password (POST /chargers/{id}/password: the charger is told first); delete a
// charger, saying first what deletion does to its data (DELETE /chargers/{id}); import many from CSV
// with the per-row report (passwords are never imported: the API refuses that column).

export const CHARGERS_ADMIN = String.raw`
  state.register = { built: false, say: null };
  var PROFILE_WORDS = [
    ['0', '0: no authentication (a closed network only)'],
    ['1', '1: Basic auth password, plain ws'],
    ['2', '2: Basic auth password over TLS'],
    ['3', '3: client certificate (mTLS)'],
  ];
  /** A random password of 20 letters and digits: what a 1.6 AuthorizationKey holds at most (2.0.1 takes 16-40). */
  function newPassword() {
    var alphabet = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789';
    var out = '';
    while (out.length < 20) {
      crypto.getRandomValues(new Uint8Array(40)).forEach(function (b) { if (b < 228 && out.length < 20) out += alphabet[b % alphabet.length]; });
    }
    return out;
  }
  /** A password field (never shown as text) and its Generate button; taken() empties it and says whether it was generated. */
  function passwordField() {
    var input = textInput('password', 'password', '16-40 printable characters (16-20 for OCPP 1.6)');
    input.autocomplete = 'new-password';
    var generated = null;
    input.addEventListener('input', function () { generated = null; });
    return {
      input: input,
      generate: button('Generate a password', function () { generated = newPassword(); input.value = generated; input.focus(); }),
      taken: function () { var was = generated !== null && generated === input.value; input.value = ''; generated = null; return was; },
    };
  }
  function registerAnswer(kind, text) { state.register.say(kind, text); }
  /** A form of a charger id, a password field and a submit button. */
  function chargerForm(cls, placeholder, buttonText) {
    var form = h('form', 'edit ' + cls);
    form.autocomplete = 'off';
    var id = textInput('chargerId', 'text', placeholder);
    id.required = true; id.maxLength = 48;
    var submit = h('button', null, buttonText);
    submit.type = 'submit';
    return { form: form, id: id, password: passwordField(), submit: submit };
  }
  /**
   * Sends a request with the password field's password, if any: it leaves the form at once (after an
   * error it is typed or generated again); a generated one is shown once, when the API took it.
   */
  function sendPassword(method, path, body, field, submit, okText, secretLabel) {
    if (field.input.value) body.password = field.input.value;
    var generated = field.taken();
    submit.disabled = true;
    call(method, path, body).then(function (res) {
      if (!res.ok) { registerAnswer('bad', res.status + ' ' + errorText(res)); return; }
      registerAnswer('ok', okText(res, body.password !== undefined));
      if (generated) secretOnce(state.register.secretBox, secretLabel, body.password);
    }, function (error) { registerAnswer('bad', error.message); }).finally(function () { body = null; submit.disabled = false; });
  }
  function buildRegister() {
    var s = state.register;
    if (s.built) return;
    s.built = true;
    var box = $('register');
    s.say = answerBox();
    var secretBox = s.secretBox = h('div', 'secret-box');

    // Register
    var reg = chargerForm('register-form', 'the charger\'s identity, e.g. CP-0042', 'Register');
    var form = reg.form, id = reg.id, password = reg.password, submit = reg.submit;
    var profile = choice('securityProfile', PROFILE_WORDS);
    profile.value = '1';
    form.addEventListener('submit', function (e) {
      e.preventDefault();
      var chargerId = id.value.trim();
      var profileNumber = Number(profile.value);
      sendPassword('PUT', '/chargers/' + enc(chargerId), { securityProfile: profileNumber }, password, submit, function (res, withPassword) {
        return (res.status === 201 ? 'Registered ' : 'Updated ') + chargerId + ', Security Profile ' + profileNumber + (withPassword ? ', with a password' : '') +
          (res.json.closedConnections ? '; ' + res.json.closedConnections + ' connection(s) closed' : '') + '.';
      }, 'The password of ' + chargerId + ': set it on the charger (its Basic-auth password).');
    });
    add(form,
      labelled('Charger id', id), labelled('Security Profile', profile), labelled('Password', password.input),
      add(h('div', 'row-actions'), password.generate, submit),
      h('p', 'note', 'Registering again changes its profile or password (its connections without them are closed). ' +
        'A password is never shown again: a generated one is shown once, after registering.'));

    // Change the password of a connected charger: sent to it first (POST /chargers/{id}/password)
    var rotate = chargerForm('password-form', 'a connected charger', 'Send the new password');
    var change = rotate.form, changeId = rotate.id, newPass = rotate.password, send = rotate.submit;
    change.addEventListener('submit', function (e) {
      e.preventDefault();
      var chargerId = changeId.value.trim();
      sendPassword('POST', '/chargers/' + enc(chargerId) + '/password', {}, newPass, send, function (res) {
        return chargerId + ' took the new password' + (res.json.rebootRequired ? ' (it must reboot to use it)' : '') +
          '; the old one works until it first connects with the new one.';
      }, 'The new password of ' + chargerId + '.');
    });
    add(change, labelled('Charger id', changeId), labelled('New password', newPass.input), add(h('div', 'row-actions'), newPass.generate, send),
      h('p', 'note', 'The charger is told first (1.6 AuthorizationKey, 2.0.1 BasicAuthPassword); it must be connected.'));

    // Delete
    var del = h('form', 'edit delete-form');
    del.autocomplete = 'off';
    var delId = textInput('deleteId', 'text', 'charger id');
    var force = textInput('force', 'checkbox');
    var go = confirmButton('Delete', 'Delete this charger?', 'Its registration, credentials, queued commands and stored state go, and its connection is closed; ' +
      'its transactions, billing records and the audit log stay.', function (b, reset) {
      var chargerId = delId.value.trim();
      call('DELETE', '/chargers/' + enc(chargerId) + (force.checked ? '?force=true' : '')).then(function (res) {
        var d = res.ok && res.json.deleted;
        registerAnswer(res.ok ? 'ok' : 'bad', res.ok
          ? 'Deleted ' + chargerId + (d.disconnected ? ' (disconnected)' : '') + '; ' + d.queuedCommandsDropped + ' queued command(s) dropped' +
            (d.runningTransactions.length ? ', ' + d.runningTransactions.length + ' running transaction(s) left unfinished' : '') + '.'
          : res.status + ' ' + errorText(res));
      }, function (error) { registerAnswer('bad', error.message); }).finally(reset);
    });
    del.addEventListener('submit', function (e) { e.preventDefault(); });
    add(del, labelled('Charger id', delId), labelled('Even while a transaction runs', force), go,
      h('p', 'note', 'Deleting removes its registration and credentials (profile, password, boot facts), what describes its installation ' +
        '(reported configuration, charging profiles, reservations, certificate inventory, firmware jobs, a tariff assigned to it alone) and its stored ' +
        'state (queued commands, message journal, local list version), and closes its connection. Kept: its transactions, meter values, costs, ' +
        'charge detail records, security events, connection history and the audit log. Registered again later, it starts clean.'));

    box.replaceChildren(scoped('no-admin', h('p', 'note', 'Registering and deleting chargers needs the admin scope.')), scoped('admin', add(h('div'),
      h('h3', null, 'Register a charger'), form,
      h('h3', null, 'Change a connected charger\'s password'), change, secretBox, s.say.box,
      h('h3', null, 'Delete a charger'), del,
      h('h3', null, 'Import chargers from CSV'),
      importForm('/chargers/import', 'id, securityProfile (0-3; a password cannot be imported: set it here after)', 'id,securityProfile\nCP-0042,0', null))));
  }
  function loadRegister() {
    buildRegister();
    return Promise.resolve();
  }
`;
