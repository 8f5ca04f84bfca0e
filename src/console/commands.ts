// The console's command forms: the payload each action takes in the charger's OCPP version. A form
// is sent any number of times; each answer is listed beside it, newest first. A charger that is
// offline (or held Pending) gets a clear message and the offer to queue the command until it can take
// it (?queue=true with a TTL); the charger's queued commands are listed with their status.

export const COMMANDS = String.raw`
  var ANSWERS_KEPT = 5;
  var QUEUE_TTLS = [[900, '15 minutes'], [3600, '1 hour'], [86400, '1 day'], [604800, '1 week']];
  function int(text, name, min) {
    var n = Number(text);
    if (text === '' || !Number.isInteger(n) || n < min) throw new Error(name + ' must be a whole number, at least ' + min);
    return n;
  }
  function required(text, name) {
    if (!text) throw new Error(name + ' is required');
    return text;
  }
  function commandSpecs(v16) {
    var trig16 = ['StatusNotification', 'Heartbeat', 'MeterValues', 'BootNotification', 'FirmwareStatusNotification', 'DiagnosticsStatusNotification'];
    var trig201 = ['StatusNotification', 'Heartbeat', 'MeterValues', 'TransactionEvent', 'BootNotification', 'FirmwareStatusNotification', 'LogStatusNotification'];
    var where = v16 ? 'Connector' : 'EVSE';
    return [
      { title: 'Reset', fields: [{ name: 'type', label: 'Type', options: v16 ? ['Soft', 'Hard'] : ['OnIdle', 'Immediate'] }],
        build: function (f) { return { action: 'Reset', payload: { type: f.type } }; } },
      { title: 'Remote start', fields: [{ name: 'token', label: v16 ? 'idTag' : 'idToken (ISO14443)' }, { name: 'where', label: where, value: '1' }],
        build: function (f) {
          if (v16) return { action: 'RemoteStartTransaction', payload: { idTag: required(f.token, 'idTag'), connectorId: int(f.where, where, 1) } };
          return { action: 'RequestStartTransaction', payload: {
            idToken: { idToken: required(f.token, 'idToken'), type: 'ISO14443' },
            remoteStartId: Math.floor(Math.random() * 2147483646) + 1,
            evseId: int(f.where, where, 1) } };
        } },
      { title: 'Remote stop', fields: [{ name: 'tx', label: 'Transaction id', stop: true }],
        build: function (f) {
          if (v16) return { action: 'RemoteStopTransaction', payload: { transactionId: int(f.tx, 'Transaction id', 0) } };
          return { action: 'RequestStopTransaction', payload: { transactionId: required(f.tx, 'Transaction id') } };
        } },
      { title: 'Unlock connector', fields: v16 ? [{ name: 'connector', label: 'Connector', value: '1' }]
          : [{ name: 'evse', label: 'EVSE', value: '1' }, { name: 'connector', label: 'Connector', value: '1' }],
        build: function (f) {
          if (v16) return { action: 'UnlockConnector', payload: { connectorId: int(f.connector, 'Connector', 1) } };
          return { action: 'UnlockConnector', payload: { evseId: int(f.evse, 'EVSE', 1), connectorId: int(f.connector, 'Connector', 1) } };
        } },
      { title: 'Trigger message', fields: [{ name: 'message', label: 'Message', options: v16 ? trig16 : trig201 },
          { name: 'where', label: (v16 ? where : 'EVSE/connector') + ' (optional)', value: '' }],
        build: function (f) {
          var payload = { requestedMessage: f.message };
          if (v16) {
            if (f.where !== '') payload.connectorId = int(f.where, where, 1);
            return { action: 'TriggerMessage', payload: payload };
          }
          // 2.0.1 takes "EVSE" or "EVSE/connector"; a StatusNotification is per connector, so it
          // always names one (F06.FR.13), connector 1 of EVSE 1 unless told otherwise.
          var parts = f.where.split('/');
          if (f.where !== '' || f.message === 'StatusNotification') {
            payload.evse = { id: int(parts[0] || '1', where, 1) };
            if (parts.length > 1 || f.message === 'StatusNotification') payload.evse.connectorId = int(parts[1] || '1', 'Connector', 1);
          }
          return { action: 'TriggerMessage', payload: payload };
        } },
      { title: 'Change availability', fields: [{ name: 'status', label: 'To', options: ['Operative', 'Inoperative'] },
          { name: 'where', label: where + ' (0: whole charger)', value: '0' }],
        build: function (f) {
          var n = int(f.where, where, 0);
          if (v16) return { action: 'ChangeAvailability', payload: { connectorId: n, type: f.status } };
          var payload = { operationalStatus: f.status };
          if (n > 0) payload.evse = { id: n };
          return { action: 'ChangeAvailability', payload: payload };
        } },
    ];
  }
  function commandForms(charger) {
    var box = h('div', 'commands');
    if (!charger.protocol) { add(box, h('p', 'note', 'This charger has not connected yet, so its OCPP version is not known.')); return box; }
    state.stopInput = null;
    if (!mayCommand()) add(box, h('p', 'warn', 'This token has no command scope: the API will refuse what is sent here.'));
    commandSpecs(charger.protocol === 'ocpp1.6').forEach(function (spec) { add(box, commandForm(charger.id, spec)); });
    return box;
  }
  /** One action's form; its answers are listed in it, below the Send button, and the form stays usable. */
  function commandForm(chargerId, spec) {
    var form = h('form', 'command');
    var inputs = {};
    add(form, h('h4', null, spec.title));
    spec.fields.forEach(function (f) {
      var input;
      if (f.options) {
        input = h('select');
        f.options.forEach(function (o) { add(input, h('option', null, o)); });
      } else {
        input = h('input');
        input.value = f.value || '';
        input.autocomplete = 'off';
        if (f.stop) state.stopInput = input;
      }
      input.name = f.name;
      inputs[f.name] = input;
      add(form, add(h('label'), document.createTextNode(f.label + ' '), input));
    });
    var send = h('button', null, 'Send');
    if (!mayCommand()) { send.disabled = true; send.title = 'This token has no command scope'; }
    send.type = 'submit';
    var answers = h('div', 'answers');
    answers.setAttribute('aria-live', 'polite');
    add(form, send, answers);
    form.addEventListener('submit', function (e) {
      e.preventDefault();
      var values = {};
      Object.keys(inputs).forEach(function (k) { values[k] = inputs[k].value.trim(); });
      var command;
      try { command = spec.build(values); } catch (error) { show(answer(answers).firstChild, 'bad', error.message); return; }
      var out = answer(answers);
      // Known offline (as of the last poll): say so and offer the queue, rather than a request the API refuses.
      if (state.charger && state.charger.id === chargerId && !state.charger.connected) {
        show(out.firstChild, 'bad', new Date().toLocaleTimeString() + ' ' + command.action + ' was not sent: the charger is offline.');
        add(out, queueOffer(chargerId, command));
        return;
      }
      send.disabled = true;
      show(out.firstChild, 'wait', 'Sending ' + command.action + ' ' + JSON.stringify(command.payload) + '…');
      call('POST', '/chargers/' + enc(chargerId) + '/commands/' + command.action, command.payload)
        .then(function (res) { showAnswer(out, chargerId, command, res); })
        .catch(function (error) { show(out.firstChild, 'bad', command.action + ' failed: ' + error.message); })
        .finally(function () { send.disabled = false; refreshNow(); });
    });
    return form;
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
    var note = res.status === 401 ? 'the token was refused' : res.status === 403 ? 'this token may not send commands' : 'HTTP ' + res.status;
    show(out, 'bad', at + ' ' + command.action + ' failed (' + note + '): ' + errorText(res));
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
