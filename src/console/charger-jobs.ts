// The charger screen's firmware and log job tabs: a small form to start a firmware update
// (UpdateFirmware) or a log upload to the CSMS (GetLog / GetDiagnostics with ?upload=csms), and each
// job's progress as steps (Downloading → Downloaded → Installing → Installed; Uploading → Uploaded),
// a failure marked on the step it failed at. The live feed's job.status message rereads the open tab
// (live.ts), so the steps move without a reload; an uploaded log's file can be downloaded.

export const CHARGER_JOBS = String.raw`
  var JOBS_SHOWN = 10;
  var FIRMWARE_STEPS = ['Downloading', 'Downloaded', 'Installing', 'Installed'];
  /** Where each firmware status puts a job: the step it reached, done or not, or failed there. */
  var FIRMWARE_AT = {
    Accepted: [-1], DownloadScheduled: [0], Downloading: [0], DownloadPaused: [0], Downloaded: [1, 'done'], SignatureVerified: [1, 'done'],
    InstallScheduled: [1, 'done'], Installing: [2], InstallRebooting: [2], Installed: [3, 'done'],
    DownloadFailed: [0, 'failed'], InvalidSignature: [1, 'failed'], InstallVerificationFailed: [1, 'failed'], InstallationFailed: [2, 'failed'],
  };
  var LOG_STEPS = ['Uploading', 'Uploaded'];
  var LOG_AT = { Accepted: [-1], Idle: [-1], Uploading: [0], Uploaded: [1, 'done'], UploadFailed: [0, 'failed'], UploadFailure: [0, 'failed'],
    BadMessage: [0, 'failed'], NotSupportedOperation: [0, 'failed'], PermissionDenied: [0, 'failed'], AcceptedCanceled: [-1] };
  /** A job's steps as a list: done ones ticked, the current one marked for assistive technology too. */
  function progressSteps(steps, at) {
    var ol = h('ol', 'steps');
    var reached = at ? at[0] : -1, how = at ? at[1] : undefined;
    steps.forEach(function (name, i) {
      var kind = i < reached || (i === reached && how === 'done') ? 'done' : i === reached ? (how === 'failed' ? 'failed' : 'current') : 'todo';
      var li = h('li', kind, name + (kind === 'done' ? ' ✓' : kind === 'failed' ? ' ✗' : kind === 'current' ? ' …' : ''));
      if (kind === 'current' || kind === 'failed') li.setAttribute('aria-current', 'step');
      add(ol, li);
    });
    ol.setAttribute('aria-label', 'Progress: ' + steps.map(function (s, i) { return s + ' ' + ol.children[i].className; }).join(', '));
    return ol;
  }
  function field(label, input) { return add(h('label'), document.createTextNode(label + ' '), input); }
  /** An input holding a value to start from (admin-common.ts's textInput shows a placeholder instead). */
  function valueInput(name, type, value) {
    var input = h('input');
    input.name = name; input.type = type || 'text'; input.autocomplete = 'off';
    if (value !== undefined) input.value = value;
    return input;
  }
  function optionalInt(text, name) { return text === '' ? undefined : int(text, name, 0); }
  /** A job tab: a form that starts a job, and the newest jobs (spec.card(item, reload) each) read again whenever asked. */
  function jobTab(body, chargerId, spec) {
    var items = null, busy = false, again = false;
    var form = h('form', 'command job-form');
    var line = h('p', 'note editor-status');
    line.setAttribute('aria-live', 'polite');
    var send = h('button', null, spec.startLabel);
    send.type = 'submit';
    if (!mayCommand()) { send.disabled = true; send.title = 'This token has no command scope'; }
    var inputs = spec.fields();
    add(form, h('h4', null, spec.formTitle));
    inputs.forEach(function (f) { add(form, field(f[0], f[1])); });
    add(form, send);
    var list = h('div', 'jobs');
    add(body, form, line, list);
    form.addEventListener('submit', function (e) {
      e.preventDefault();
      var values = {};
      inputs.forEach(function (f) { values[f[1].name] = f[1].value.trim(); });
      var command;
      try { command = spec.build(values); } catch (error) { line.textContent = error.message; return; }
      send.disabled = true;
      line.textContent = 'Sending ' + command.action + '…';
      commandCall(chargerId, command.action, command.payload, command.query).then(function (out) {
        send.disabled = false;
        line.textContent = out.ok ? command.action + ': the charger answered ' + out.result.status + ' at ' + clock(new Date().toISOString()) + '.'
          : command.action + ' was not sent: ' + out.message + '.';
        load();
      });
    });
    function load() {
      if (busy) { again = true; return; }
      busy = true;
      read('/chargers/' + enc(chargerId) + spec.path + '?limit=' + JOBS_SHOWN).then(function (json) {
        items = json[spec.list];
        render();
      }, function (error) { line.textContent = 'Reading the jobs failed: ' + error.message; })
        .finally(function () { busy = false; if (again) { again = false; load(); } });
    }
    function render() {
      list.replaceChildren();
      if (!items) { add(list, h('p', 'note', 'Loading…')); return; }
      if (items.length === 0) { add(list, h('p', 'note', 'None yet.')); return; }
      items.forEach(function (item) { add(list, spec.card(item, load)); });
      add(list, add(h('div', 'pager'), h('span', 'note', 'The newest ' + items.length + ', updated ' + clock(new Date().toISOString())),
        button('Reload', load)));
    }
    render();
    load();
    return { reload: load };
  }

  // ---- Firmware ---------------------------------------------------------------------------
  tabView({ key: 'firmware', title: 'Firmware jobs', mount: function (body, chargerId) {
    var v16 = state.charger && state.charger.protocol === 'ocpp1.6';
    return jobTab(body, chargerId, {
      path: '/firmware-jobs', list: 'firmwareJobs', formTitle: 'Start a firmware update', startLabel: 'Start update',
      fields: function () {
        return [['Firmware location (URL)', valueInput('location', 'url')], ['Retrieve at (empty: now)', valueInput('retrieve', 'datetime-local')],
          ['Retries (optional)', valueInput('retries', 'number')], ['Retry interval, s (optional)', valueInput('interval', 'number')]];
      },
      build: function (f) {
        var location = required(f.location, 'Firmware location');
        var at = f.retrieve ? new Date(f.retrieve) : new Date();
        if (isNaN(at.getTime())) throw new Error('Retrieve at is not a date');
        var payload = v16 ? { location: location, retrieveDate: at.toISOString() }
          : { requestId: Math.floor(Math.random() * 2147483646) + 1, firmware: { location: location, retrieveDateTime: at.toISOString() } };
        var retries = optionalInt(f.retries, 'Retries'), interval = optionalInt(f.interval, 'Retry interval');
        if (retries !== undefined) payload.retries = retries;
        if (interval !== undefined) payload.retryInterval = interval;
        return { action: 'UpdateFirmware', payload: payload };
      },
      card: function (j) {
        var history = (j.history || []).map(function (x) { return x.status + ' ' + clock(x.at) + (x.ignored ? ' (ignored: ' + x.ignored + ')' : ''); });
        var card = add(h('div', 'job o-' + j.outcome),
          add(h('p', 'job-head'), h('strong', null, 'Job ' + j.jobId), document.createTextNode(' ' + j.action + (j.requestId !== null ? ' (request ' + j.requestId + ')' : '') + ' · ' + j.status + ' · '),
            h('span', 'chip outcome', j.outcome)),
          progressSteps(FIRMWARE_STEPS, FIRMWARE_AT[j.status]),
          add(h('p', 'note'), document.createTextNode('From '), h('code', null, j.location),
            document.createTextNode(' · retrieve ' + time(j.retrieveAt) + (j.retries !== null ? ' · ' + j.retries + ' retries' : '') +
              (j.bootedVersion ? ' · booted ' + j.bootedVersion + ' at ' + time(j.bootedAt) : ''))),
          h('p', 'note history', history.length ? history.join(' → ') : 'No status notification yet.'));
        card.dataset.job = String(j.jobId);
        return card;
      },
    });
  } }, 'certificates');

  // ---- Logs -------------------------------------------------------------------------------
  tabView({ key: 'logs', title: 'Log uploads', mount: function (body, chargerId) {
    var v16 = state.charger && state.charger.protocol === 'ocpp1.6';
    return jobTab(body, chargerId, {
      path: '/logs', list: 'logs', formTitle: v16 ? 'Ask for diagnostics (uploaded to this CSMS)' : 'Ask for a log (uploaded to this CSMS)', startLabel: 'Request upload',
      fields: function () {
        if (v16) return [];
        var type = h('select');
        type.name = 'logType';
        ['DiagnosticsLog', 'SecurityLog'].forEach(function (o) { add(type, h('option', null, o)); });
        return [['Log type', type]];
      },
      build: function (f) {
        if (v16) return { action: 'GetDiagnostics', payload: {}, query: '?upload=csms' };
        return { action: 'GetLog', payload: { logType: f.logType, requestId: Math.floor(Math.random() * 2147483646) + 1, log: {} }, query: '?upload=csms' };
      },
      card: function (l) {
        var card = add(h('div', 'job'),
          add(h('p', 'job-head'), h('strong', null, 'Request ' + l.requestId), document.createTextNode(' ' + l.action + (l.logType ? ' ' + l.logType : '') +
            ' at ' + time(l.requestedAt) + ' · answer ' + (l.answer && l.answer.status ? l.answer.status : '—') + ' · status ' + orDash(l.status))),
          progressSteps(LOG_STEPS, LOG_AT[l.status || (l.file ? 'Uploaded' : 'Accepted')]),
          l.file ? add(h('p', 'note'), document.createTextNode('File: '), downloadButton(chargerId, l)) : h('p', 'note', 'No file uploaded yet.'));
        card.dataset.request = String(l.requestId);
        return card;
      },
    });
  } }, 'monitors');
`;
