// The console's OCPP 2.1 data that the API keeps and no other module shows. On a 2.1 charger's screen, tabs:
// Installed tariffs (GET …/tariffs/installed; "Ask the charger" POSTs it, which sends GetTariffs: command
// scope), Dynamic schedules (its Dynamic profiles and the values kept for each, GET …/charging-profiles/{id}/dynamic),
// Battery swaps (GET …/battery-swaps) and VAT validations (the VatNumberValidation requests, kept as reports).
// On a 2.1 transaction (charger and transaction screens): the charger's own cost, priority charging and the
// payment terminal's settlements. In the transaction lists: the energy a bidirectional charger exported.
// NotifyWebPaymentStarted is sent from the command panel; the CSMS keeps nothing of it but the journal.

export const V21 = String.raw`
  /** A list's energy cell: the energy charged, and the energy fed back where the charger reports an export register. */
  function energyCell(x) {
    if (x.energyExportWh === null || x.energyExportWh === undefined) return kwh(x.energyWh);
    return kwh(x.energyWh) + ' · exported ' + kwh(x.energyExportWh);
  }

  // ---- Installed tariffs: the record, and the charger asked (GetTariffs) ---------------------------
  function heldTariffTable(tariffs) {
    if (tariffs.length === 0) {
      return h('p', 'note', 'No tariff recorded on this charger: none was set from here (SetDefaultTariff, ChangeTransactionTariff) and the charger has not reported any. Ask the charger to be sure.');
    }
    var t = table(['Charger\'s tariff id', 'CSMS tariff', 'Kind', 'EVSE', 'Transaction', 'Id tokens', 'Valid from', 'Known from']);
    tariffs.forEach(function (x) {
      add(t.tBodies[0], row([h('span', 'mono', x.ocppTariffId), x.tariff ? tariffRef(x.tariff) : 'not one of this CSMS\'s', x.kind,
        x.evseId === null ? '—' : String(x.evseId), orDash(x.transactionId), x.idTokens ? x.idTokens.join(', ') : '—', time(x.validFrom),
        x.source + ' at ' + time(x.recordedAt)]));
    });
    return scroller(t);
  }
  tabView({ key: 'tariffs21', title: 'Installed tariffs', only: ['ocpp2.1'], mount: function (body, chargerId) {
    var path = '/chargers/' + enc(chargerId) + '/tariffs/installed';
    var line = h('p', 'note editor-status');
    line.setAttribute('aria-live', 'polite');
    var list = h('div', 'held-tariffs');
    var ask = button('Ask the charger (GetTariffs)', function () {
      ask.disabled = true;
      line.className = 'note editor-status';
      line.textContent = 'Asking the charger…';
      call('POST', path).then(function (res) {
        if (!res.ok) { show(line, 'bad', 'GetTariffs was not sent: HTTP ' + res.status + ' ' + errorText(res) + '.'); return; }
        var a = res.json.asked;
        if (a.ok) line.textContent = 'GetTariffs: ' + a.result.status + ' at ' + clock(new Date().toISOString()) + '.';
        else show(line, 'bad', 'GetTariffs was not answered (' + a.status + ' ' + a.error.code + ': ' + a.error.message + '): the record below is as it was.');
        list.replaceChildren(heldTariffTable(res.json.tariffs));
      }, function (error) { show(line, 'bad', 'GetTariffs failed: ' + error.message); })
        .finally(function () { ask.disabled = !mayCommand(); });
    });
    if (!mayCommand()) ask.disabled = true;
    add(body, add(h('div', 'editor-bar'), ask, button('Reload', function () { load(); })), line,
      h('p', 'note', 'What the CSMS last knew the charger holds: set from here, or reported when asked. Reading it sends nothing.'), list);
    function load() {
      list.replaceChildren(h('p', 'note', 'Loading the installed tariffs…'));
      return read(path).then(function (json) { list.replaceChildren(heldTariffTable(json.tariffs)); },
        function (error) { list.replaceChildren(h('p', 'result bad', 'Installed tariffs: ' + error.message)); });
    }
    load();
    return { reload: load };
  } }, 'connections');

  // ---- Dynamic schedules: each Dynamic profile and the values the CSMS keeps for it ------------------
  var UPDATE_FIELDS = ['limit', 'limit_L2', 'limit_L3', 'dischargeLimit', 'dischargeLimit_L2', 'dischargeLimit_L3',
    'setpoint', 'setpoint_L2', 'setpoint_L3', 'setpointReactive', 'setpointReactive_L2', 'setpointReactive_L3'];
  function updateText(u) {
    return UPDATE_FIELDS.filter(function (k) { return u[k] !== undefined; }).map(function (k) { return k + ' ' + u[k]; }).join(', ') || '—';
  }
  function dynamicAnswer(a) {
    if (!a) return 'not sent: kept for the charger\'s next pull';
    if (a.status === null) return 'no answer' + (a.error ? ' (' + a.error.code + ': ' + a.error.message + ')' : '') + ' at ' + time(a.answeredAt);
    var info = a.statusInfo && a.statusInfo.reasonCode ? ' (' + a.statusInfo.reasonCode + ')' : '';
    return a.status + info + ' at ' + time(a.answeredAt);
  }
  tabView({ key: 'dynamic', title: 'Dynamic schedules', only: ['ocpp2.1'], mount: function (body, chargerId) {
    var base = '/chargers/' + enc(chargerId);
    var box = h('div', 'dynamic-box');
    add(body, add(h('div', 'editor-bar'), button('Reload', function () { load(); })),
      h('p', 'note', 'The values of each profile of kind Dynamic, as last set (PUT …/charging-profiles/{id}/dynamic or UpdateDynamicSchedule): sent when set, and answered to the charger\'s pulls.'), box);
    function load() {
      box.replaceChildren(h('p', 'note', 'Loading the dynamic profiles…'));
      return read(base + '/charging-profiles').then(function (json) {
        var dynamic = (json.chargingProfiles || []).filter(function (p) { return p.profile.chargingProfileKind === 'Dynamic'; });
        // A profile nobody set values for answers 404 NoDynamicValues: said in its row, not as a failure.
        return Promise.all(dynamic.map(function (p) {
          return read(base + '/charging-profiles/' + enc(p.profileId) + '/dynamic').then(function (d) { return { values: d.dynamicSchedule }; },
            function (error) { return error.status === 404 ? { values: null } : { error: error.message }; });
        })).then(function (found) {
          if (dynamic.length === 0) {
            box.replaceChildren(h('p', 'note', 'No profile of kind Dynamic installed, as far as the charger\'s answers tell: there are no dynamic values to show.'));
            return;
          }
          var t = table(['Profile', 'EVSE', 'Purpose', 'Update interval', 'Values', 'Set', 'Charger\'s answer']);
          dynamic.forEach(function (p, i) {
            var f = found[i], d = f.values;
            var interval = p.profile.dynUpdateInterval !== undefined ? p.profile.dynUpdateInterval + ' s' : '—';
            var values = f.error ? h('span', 'bad', 'Not read: ' + f.error) : d ? h('span', 'tech', updateText(d.scheduleUpdate)) : 'none set yet';
            add(t.tBodies[0], row([String(p.profileId), String(p.evseId), p.purpose, interval, values, d ? time(d.setAt) : '—', d ? dynamicAnswer(d.chargerAnswer) : '—']));
          });
          box.replaceChildren(scroller(t));
        });
      }).catch(function (error) { box.replaceChildren(h('p', 'result bad', 'Dynamic schedules: ' + error.message)); });
    }
    load();
    return { reload: load };
  } }, 'connections');

  // ---- Battery swaps and VAT validations: lists, a page at a time ---------------------------------
  function batteriesText(list) {
    if (!list || list.length === 0) return '—';
    return h('span', 'tech', list.map(function (b) {
      return 'EVSE ' + b.evseId + ' ' + b.serialNumber + ' SoC ' + b.soC + ' %, SoH ' + b.soH + ' %' + (b.vendorInfo ? ' (' + b.vendorInfo + ')' : '');
    }).join('; '));
  }
  tabView({ key: 'battery-swaps', title: 'Battery swaps', path: '/battery-swaps', list: 'batterySwaps', only: ['ocpp2.1'],
    empty: 'No battery swap recorded: none was requested from here (RequestBatterySwap) and the charger reported none.',
    head: ['Received', 'Request', 'Event', 'Id token', 'Token / answer', 'Batteries'],
    cells: function (s) {
      var verdict = s.eventType === 'Requested' ? 'charger ' + orDash(s.answer) : orDash(s.authorization);
      return [time(s.receivedAt), String(s.requestId), s.eventType, h('span', 'mono', s.idToken.idToken + ' (' + s.idToken.type + ')'), verdict, batteriesText(s.batteryData)];
    } }, 'connections');
  tabView({ key: 'vat', title: 'VAT validations', list: 'reports', only: ['ocpp2.1'],
    url: function (id) { return '/chargers/' + enc(id) + '/reports?action=VatNumberValidation&'; },
    note: 'The VAT numbers drivers gave at this charger for a company receipt (VatNumberValidation), newest first. What the CSMS answered to each is in the message journal.',
    empty: 'No VAT number validation asked by this charger.',
    head: ['Received', 'VAT number', 'EVSE'],
    cells: function (r) {
      return [time(r.receivedAt), h('span', 'mono', orDash(r.payload.vatNumber)), r.payload.evseId === undefined ? '—' : String(r.payload.evseId)];
    } }, 'connections');

  // ---- A 2.1 transaction's payment: the charger's cost, priority charging, settlements --------------
  function companyText(c) { return c ? [c.name, c.city, c.country].filter(Boolean).join(', ') : '—'; }
  /** Appends what only a 2.1 transaction has to its cost box (nothing for other versions). */
  function renderPayment21(box, tx) {
    if (tx.protocol !== 'ocpp2.1') return;
    var part = add(h('div', 'payment21'), h('h4', null, 'OCPP 2.1: the charger\'s cost, priority charging and payment'));
    var cc = tx.chargerCost;
    add(part, add(h('dl', 'payment-facts'), // not tx-facts: one dl.tx-facts per transaction screen
      fact('Charger\'s cost', cc ? money(cc.exclTax, cc.currency || '').trim() + ' excl. VAT, ' + money(cc.inclTax, cc.currency || '').trim() + ' incl. VAT · ' +
        (cc.final ? 'final' : 'running') + ' (event ' + cc.seqNo + ', ' + time(cc.receivedAt) + ')' : 'none sent by the charger'),
      fact('Priority charging', priorityText(tx.priorityCharging))));
    var list = tx.settlements || [];
    if (list.length === 0) {
      add(part, h('p', 'note', 'No settlement recorded: no payment terminal at the charger reported one (NotifySettlement).'));
    } else {
      var t = table(['Settled', 'Status', 'Amount', 'PSP reference', 'Receipt', 'VAT number', 'Company', 'Received'], 'settlements');
      list.forEach(function (s) {
        // The receipt URL is the charger's text: shown, never made a link.
        add(t.tBodies[0], row([time(s.settledAt), s.status + (s.statusInfo ? ' (' + s.statusInfo + ')' : ''), String(s.amount), h('span', 'mono', s.pspRef),
          h('span', 'tech', [s.receiptId, s.receiptUrl].filter(Boolean).join(' ') || '—'), orDash(s.vatNumber), companyText(s.vatCompany), time(s.receivedAt)]));
      });
      add(part, scroller(t));
    }
    add(box, part);
  }
  function priorityText(p) {
    if (!p || p.changes.length === 0) return 'not used';
    return (p.active ? 'on' : 'off') + ' · ' + p.changes.map(function (c) { return (c.activated ? 'on' : 'off') + ' at ' + time(c.at); }).join(', ');
  }
`;
