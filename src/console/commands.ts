// The console's command panel: every CSMS-initiated action of the charger's OCPP version in a picker
// (the common ones first), each with a form generated from its request schema (schema-form.ts, from
// GET /protocols/{version}/commands: no hand-made form per action), started from a small table of
// default values. The form is sent any number of times; each answer is listed beside it, newest first,
// and the API's issues are shown next to the fields they name. A charger that is offline (or held
// Pending) gets a clear message and the offer to queue the command until it can take it (?queue=true
// with a TTL); the charger's queued commands are listed with their status. A call the command route
// refuses as a credential change is offered through the admin security-commands route.

export const COMMANDS = String.raw`
  var ANSWERS_KEPT = 5;
  var QUEUE_TTLS = [[900, '15 minutes'], [3600, '1 hour'], [86400, '1 day'], [604800, '1 week']];
  /** What an operator sends most, first in the picker, in this order (the rest follow by name). */
  var COMMON_ACTIONS = ['Reset', 'RemoteStartTransaction', 'RequestStartTransaction', 'RemoteStopTransaction', 'RequestStopTransaction',
    'UnlockConnector', 'TriggerMessage', 'ChangeAvailability'];
  function randomId() { return Math.floor(Math.random() * 2147483646) + 1; }
  /** The values a form starts with, per version and action: values only, the fields come from the schema. */
  var COMMAND_DEFAULTS = {
    'ocpp1.6': {
      Reset: { type: 'Soft' }, RemoteStartTransaction: { connectorId: 1 }, UnlockConnector: { connectorId: 1 },
      TriggerMessage: { requestedMessage: 'StatusNotification' }, ChangeAvailability: { connectorId: 0, type: 'Operative' },
      SetChargingProfile: { connectorId: 1 }, GetCompositeSchedule: { connectorId: 1, duration: 3600 },
    },
    'ocpp2.0.1': {
      Reset: { type: 'OnIdle' }, UnlockConnector: { evseId: 1, connectorId: 1 },
      RequestStartTransaction: function () { return { evseId: 1, remoteStartId: randomId(), idToken: { type: 'ISO14443' } }; },
      // A StatusNotification is per connector, so 2.0.1 names one (F06.FR.13).
      TriggerMessage: { requestedMessage: 'StatusNotification', evse: { id: 1, connectorId: 1 } },
      ChangeAvailability: { operationalStatus: 'Operative' }, SetChargingProfile: { evseId: 1 }, GetCompositeSchedule: { evseId: 1, duration: 3600 },
    },
  };
  /** Values drawn again after each send that reached the charger: a request's id must not repeat (2.0.1 F01 remoteStartId). */
  var FRESH_EACH_SEND = { RequestStartTransaction: { remoteStartId: randomId } };
  function freshValues(action, formEl) {
    var fresh = FRESH_EACH_SEND[action] || {};
    Object.keys(fresh).forEach(function (name) {
      var input = formEl.querySelector('[name="' + name + '"]');
      if (input) input.value = String(fresh[name]());
    });
  }
  function commandDefaults(protocol, action) {
    // 2.1 keeps 2.0.1's messages: the same starting values serve it.
    var d = (COMMAND_DEFAULTS[protocol === 'ocpp2.1' ? 'ocpp2.0.1' : protocol] || {})[action];
    return typeof d === 'function' ? d() : JSON.parse(JSON.stringify(d || {}));
  }
  /** Each version's actions and request schemas, read once per page (the API's answer is cacheable too). */
  var commandSchemas = {};
  function loadCommandSchemas(protocol) {
    if (!commandSchemas[protocol]) {
      commandSchemas[protocol] = read('/protocols/' + enc(protocol) + '/commands').then(function (json) { return json.actions; });
      commandSchemas[protocol].catch(function () { delete commandSchemas[protocol]; });
    }
    return commandSchemas[protocol];
  }
  /** JSON with object keys sorted, to compare two payloads whatever their key order. */
  function canonicalJson(x) {
    if (Array.isArray(x)) return '[' + x.map(canonicalJson).join(',') + ']';
    if (x && typeof x === 'object') return '{' + Object.keys(x).sort().map(function (k) { return JSON.stringify(k) + ':' + canonicalJson(x[k]); }).join(',') + '}';
    return JSON.stringify(x);
  }
  function commandForms(charger) {
    var box = h('div', 'commands');
    state.commandPanel = null;
    if (!charger.protocol) { add(box, h('p', 'note', 'This charger has not connected yet, so its OCPP version is not known.')); return box; }
    if (!mayCommand()) add(box, h('p', 'warn', 'This token has no command scope: the API will refuse what is sent here.'));
    var loading = add(box, h('p', 'note', 'Loading the commands of OCPP ' + version(charger.protocol) + '…')).lastChild;
    loadCommandSchemas(charger.protocol).then(function (actions) { loading.replaceWith(commandPanel(charger, actions)); },
      function (error) { show(loading, 'bad', 'Could not load the commands of OCPP ' + version(charger.protocol) + ': ' + error.message); });
    return box;
  }
  /** The action picker, the generated form of the action picked (or its JSON), Send, and the answers, newest first. */
  function commandPanel(charger, actions) {
    var chargerId = charger.id, protocol = charger.protocol;
    var schemas = {};
    actions.forEach(function (a) { schemas[a.action] = a.request; });
    var form = h('form', 'command');
    form.noValidate = true; // the API judges the values, and says which field is wrong
    var picker = h('select');
    picker.id = 'command-action';
    var common = COMMON_ACTIONS.filter(function (a) { return schemas[a]; });
    var others = actions.map(function (a) { return a.action; }).filter(function (a) { return common.indexOf(a) < 0; }).sort();
    [['Common', common], ['All others', others]].forEach(function (g) {
      var group = h('optgroup'); group.label = g[0];
      g[1].forEach(function (a) { add(group, h('option', null, a)); });
      add(picker, group);
    });
    var pickLabel = add(h('label', 'pick'), document.createTextNode('Action '), picker);
    var asJson = h('input'); asJson.type = 'checkbox';
    var jsonLabel = add(h('label', 'check'), asJson, document.createTextNode(' Edit as JSON'));
    var body = h('div', 'command-body');
    var send = h('button', null, 'Send');
    send.type = 'submit';
    if (!mayCommand()) { send.disabled = true; send.title = 'This token has no command scope'; }
    var answers = h('div', 'answers');
    answers.setAttribute('aria-live', 'polite');
    add(form, add(h('div', 'command-head'), pickLabel, jsonLabel), body, send, answers);
    var current = { action: null, form: null, json: null };
    function build(action, value) {
      current.action = action; current.json = null; asJson.checked = false;
      picker.value = action;
      current.form = schemaForm(schemas[action], value === undefined ? commandDefaults(protocol, action) : value);
      body.replaceChildren(h('h4', null, action), current.form.el);
    }
    function payload() { return current.json ? JSON.parse(current.json.value) : current.form.value(); }
    picker.addEventListener('change', function () { build(picker.value); });
    asJson.addEventListener('change', function () {
      if (asJson.checked) {
        var text;
        try { text = JSON.stringify(current.form.value(), null, 2); } catch (e) { asJson.checked = false; show(answer(answers).firstChild, 'bad', e.message); return; }
        current.json = h('textarea', 'json');
        current.json.rows = 12; current.json.value = text; current.json.setAttribute('aria-label', current.action + ' payload as JSON');
        body.replaceChildren(h('h4', null, current.action + ' (JSON)'), current.json);
        current.json.focus();
        return;
      }
      var parsed;
      try { parsed = JSON.parse(current.json.value); } catch (e) { asJson.checked = true; show(answer(answers).firstChild, 'bad', 'Not JSON: ' + e.message); return; }
      var json = current.json;
      build(current.action, parsed);
      // The form shows what its schema names; JSON it cannot hold (an extra field) stays as JSON.
      if (canonicalJson(current.form.value()) !== canonicalJson(parsed)) {
        current.json = json; asJson.checked = true;
        body.replaceChildren(h('h4', null, current.action + ' (JSON)'), json);
        show(answer(answers).firstChild, 'bad', 'The form cannot show all of this JSON (a field it does not know, or an empty value): keep editing it as JSON.');
      }
    });
    form.addEventListener('submit', function (e) {
      e.preventDefault();
      var command;
      try { command = { action: current.action, payload: payload() }; } catch (error) { show(answer(answers).firstChild, 'bad', error.message); return; }
      if (current.form && !current.json) current.form.showIssues([]);
      var out = answer(answers);
      // Known offline (as of the last poll): say so and offer the queue, rather than a request the API refuses.
      if (state.charger && state.charger.id === chargerId && !state.charger.connected) {
        show(out.firstChild, 'bad', new Date().toLocaleTimeString() + ' ' + command.action + ' was not sent: the charger is offline.');
        add(out, queueOffer(chargerId, command));
        return;
      }
      send.disabled = true;
      var shown = current.form;
      show(out.firstChild, 'wait', 'Sending ' + command.action + ' ' + JSON.stringify(command.payload) + '…');
      call('POST', '/chargers/' + enc(chargerId) + '/commands/' + command.action, command.payload)
        .then(function (res) {
          showAnswer(out, chargerId, command, res);
          var issues = res.json && res.json.error && res.json.error.issues;
          if (issues && shown === current.form && !current.json) shown.showIssues(issues);
          if (res.ok && shown === current.form && !current.json) freshValues(command.action, shown.el);
          if (res.ok && /ChargingProfile$/.test(command.action)) chargingChanged();
        })
        .catch(function (error) { show(out.firstChild, 'bad', command.action + ' failed: ' + error.message); })
        .finally(function () { send.disabled = !mayCommand(); refreshNow(); });
    });
    build(common[0] || others[0]);
    // The stop shortcut of a running transaction (transactions.ts) picks the stop action and fills it in.
    state.commandPanel = { chargerId: chargerId, pick: function (action, value) { if (schemas[action]) { build(action, value); picker.focus(); } } };
    return form;
  }
  /** A running transaction's stop, ready to send (picked from the transactions list). */
  function fillStop(transactionId) {
    var p = state.commandPanel;
    if (!p || !state.charger || p.chargerId !== state.charger.id) return;
    if (state.charger.protocol === 'ocpp1.6') p.pick('RemoteStopTransaction', { transactionId: Number(transactionId) });
    else p.pick('RequestStopTransaction', { transactionId: String(transactionId) });
  }
  /** A new entry at the top of a form's answers (the oldest beyond ANSWERS_KEPT dropped). */
  function answer(answers) {
    var entry = add(h('div', 'answer'), h('pre', 'result wait'));
    answers.insertBefore(entry, answers.firstChild);
    while (answers.children.length > ANSWERS_KEPT) answers.lastChild.remove();
    return entry;
  }
  var QUEUEABLE = ['ChargerOffline', 'ChargerPending'];
  function showAnswer(entry, chargerId, command, res) {
    var out = entry.firstChild;
    var at = new Date().toLocaleTimeString();
    if (res.ok) {
      var result = res.json && res.json.result !== undefined ? res.json.result : res.json;
      var status = result && typeof result.status === 'string' ? result.status + ' ' : '';
      show(out, 'ok', at + ' ' + command.action + ': ' + status + '\n' + JSON.stringify(result, null, 2));
      return;
    }
    var code = res.json && res.json.error ? res.json.error.code : null;
    if (res.status === 409 && QUEUEABLE.indexOf(code) >= 0) {
      show(out, 'bad', at + ' ' + command.action + ' was not sent: ' + (code === 'ChargerOffline'
        ? 'the charger is offline (' + res.json.error.message + ').'
        : 'the charger\'s boot is Pending; it takes commands once Accepted.'));
      add(entry, queueOffer(chargerId, command));
      return;
    }
    if (res.status === 403 && code === 'CredentialChangeRefused' && !entry.viaAdminRoute) {
      show(out, 'bad', at + ' ' + command.action + ' was not sent: ' + res.json.error.message);
      if (/security-commands/.test(res.json.error.message)) add(entry, securityOffer(entry, chargerId, command));
      return;
    }
    var note = res.status === 401 ? 'the token was refused' : res.status === 403 ? 'this token may not send it' : 'HTTP ' + res.status;
    var issues = res.json && res.json.error && Array.isArray(res.json.error.issues) ? res.json.error.issues : [];
    show(out, 'bad', at + ' ' + command.action + (res.status === 400 ? ' was not sent (' : ' failed (') + note + '): ' + errorText(res) +
      issues.map(function (i) { return '\n· ' + (i.path || 'the payload') + ' ' + i.message; }).join(''));
  }
  /**
   * A call that changes the charger's credentials or whom it trusts goes only through the admin route
   * (POST /chargers/{id}/security-commands): offered, not taken silently, and audited there like any change.
   */
  function securityOffer(entry, chargerId, command) {
    var scopes = state.whoami && state.whoami.scopes;
    var go = button('Send it through the admin security route', function () {
      go.remove();
      entry.viaAdminRoute = true;
      show(entry.firstChild, 'wait', 'Sending ' + command.action + ' through the admin security route…');
      call('POST', '/chargers/' + enc(chargerId) + '/security-commands', { action: command.action, payload: command.payload })
        .then(function (res) { showAnswer(entry, chargerId, command, res); },
          function (error) { show(entry.firstChild, 'bad', command.action + ' failed: ' + error.message); })
        .finally(refreshNow);
    });
    if (scopes && scopes.indexOf('admin') < 0) { go.disabled = true; go.title = 'This needs the admin scope'; }
    return add(h('div', 'queue-offer'), go);
  }
  /** "Queue until it reconnects": the same command with ?queue=true and the TTL chosen. */
  function queueOffer(chargerId, command) {
    var box = h('div', 'queue-offer');
    var ttl = h('select');
    ttl.setAttribute('aria-label', 'Keep it queued for');
    QUEUE_TTLS.forEach(function (t) { var o = h('option', null, t[1]); o.value = String(t[0]); add(ttl, o); });
    ttl.value = '3600';
    var go = button('Queue until it reconnects', function () {
      go.disabled = true;
      call('POST', '/chargers/' + enc(chargerId) + '/commands/' + command.action + '?queue=true&ttlSeconds=' + enc(ttl.value), command.payload)
        .then(function (res) {
          if (res.status === 202) {
            var q = res.json.command;
            box.replaceChildren(h('p', 'result ok', 'Queued as ' + q.id + ' until ' + time(q.expiresAt) + ': sent when the charger reconnects (see Queued commands).'));
            refreshNow();
          } else {
            go.disabled = false;
            add(box, h('p', 'result bad', 'Not queued: ' + errorText(res)));
          }
        }, function (error) { go.disabled = false; add(box, h('p', 'result bad', 'Not queued: ' + error.message)); });
    });
    return add(box, add(h('label'), document.createTextNode('Keep it for '), ttl), go);
  }

  // ---- Queued commands: status and answer of each, newest first ---------------------------------
  var QUEUED_STATUS = { queued: 'waiting', sent: 'sent, awaiting its answer', succeeded: 'answered', failed: 'failed', expired: 'expired unsent' };
  function renderQueued(box) {
    box.replaceChildren();
    if (state.queued.length === 0) { add(box, h('p', 'note', 'No queued command.')); return; }
    var t = table(['Queued', 'Action', 'Status', 'Expires', 'Answer'], 'queued');
    state.queued.forEach(function (q) {
      var outcome = q.result ? JSON.stringify(q.result) : q.error ? q.error.code + ': ' + q.error.message : '—';
      add(t.tBodies[0], row([time(q.createdAt), q.action, QUEUED_STATUS[q.status] || q.status, time(q.expiresAt), h('code', 'frame', outcome)], 'q-' + q.status));
    });
    add(box, scroller(t));
  }
`;
