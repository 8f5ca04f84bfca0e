// The site screen's forms (site-detail.ts): set or clear the external limit (PUT / DELETE
// …/external-limit, the command scope: a building meter's token need not administer), add or
// replace a circuit (PUT …/circuits/{id}) and put a charger on the site (PUT …/chargers/{id}),
// both admin. The API checks the whole site as it would be: its error (the field it names) is said
// under the forms and nothing changes. Built once per site, so what the operator types survives
// the screen's reads; only the circuit choices follow the site.

export const SITE_FORMS = String.raw`
  var PHASE_ROTATIONS = ['RST', 'RTS', 'SRT', 'STR', 'TRS', 'TSR'];
  /** A site change with a JSON body: the API's answer said, the site read again when it was taken. */
  function siteSubmit(form, submit, method, path, body, okText) {
    submit.disabled = true;
    return call(method, path, body).then(function (res) {
      state.site.say(res.ok ? 'ok' : 'bad', res.ok ? okText(res) : res.status + ' ' + errorText(res));
      if (res.ok) { form.reset(); siteChanged(); }
    }, function (error) { state.site.say('bad', error.message); }).finally(function () { submit.disabled = false; });
  }
  function submitButton(text) { var b = h('button', null, text); b.type = 'submit'; return b; }
  function siteForms() {
    // The external limit: command scope.
    var external = h('form', 'edit site-external-form');
    external.autocomplete = 'off';
    var x = { amps: numberInput('amps', 'A per phase'), kw: numberInput('kw', 'kW in total'), until: textInput('until', 'datetime-local') };
    var setLimit = submitButton('Set external limit');
    external.addEventListener('submit', function (e) {
      e.preventDefault();
      var body = { amps: siteNumber(x.amps), kw: siteNumber(x.kw), until: fromLocalInput(x.until.value) };
      siteSubmit(external, setLimit, 'PUT', sitePath('/external-limit'), body, function (res) {
        return 'External limit set: ' + siteExternalText(res.json.site) + '.';
      });
    });
    var clear = button('Clear external limit', function (b) {
      b.disabled = true;
      siteSend('DELETE', sitePath('/external-limit'), 'External limit cleared.', function () { b.disabled = false; });
    });
    add(external, labelled('Amps per phase', x.amps), labelled('kW', x.kw), labelled('Until (your time; empty: until cleared)', x.until),
      add(h('div', 'row-actions'), setLimit, clear));

    // A circuit: admin.
    var circuit = h('form', 'edit site-circuit-form');
    circuit.autocomplete = 'off';
    var c = {
      circuitId: textInput('circuitId', 'text', 'e.g. row-a'), name: textInput('name', 'text', 'the id when empty'),
      parentId: choice('parentId', [['', 'grid connection']]), amps: numberInput('amps', 'A per phase'), kw: numberInput('kw', 'kW'),
    };
    c.circuitId.required = true; c.circuitId.maxLength = 64;
    var saveCircuit = submitButton('Save circuit');
    circuit.addEventListener('submit', function (e) {
      e.preventDefault();
      var id = c.circuitId.value.trim();
      var body = { parentId: c.parentId.value || null, limit: { amps: siteNumber(c.amps), kw: siteNumber(c.kw) } };
      if (c.name.value.trim()) body.name = c.name.value.trim();
      siteSubmit(circuit, saveCircuit, 'PUT', sitePath('/circuits/' + enc(id)), body, function (res) {
        return (res.status === 201 ? 'Added' : 'Replaced') + ' circuit ' + id + ' on ' + (body.parentId ? 'circuit ' + body.parentId : 'the grid connection') + '.';
      });
    });
    add(circuit, labelled('Circuit id', c.circuitId), labelled('Name', c.name), labelled('Hangs from', c.parentId),
      labelled('Limit, amps per phase', c.amps), labelled('Limit, kW', c.kw), saveCircuit,
      h('p', 'note', 'Saving an existing id replaces that circuit. A child may have a higher limit than its parent; the parent still binds.'));

    // A charger: admin.
    var charger = h('form', 'edit site-charger-form');
    charger.autocomplete = 'off';
    var g = {
      chargerId: textInput('chargerId', 'text', 'a registered or connected charger'), evseId: numberInput('evseId', 'whole charger', '1'),
      circuitId: choice('circuitId', [['', 'grid connection']]), maxAmps: numberInput('maxAmps', 'its rating, A per phase'),
      phases: choice('phases', [['3', '3'], ['1', '1']]),
      phaseRotation: choice('phaseRotation', [['', 'unknown']].concat(PHASE_ROTATIONS.map(function (r) { return [r, r]; }))),
      fallbackAmps: numberInput('fallbackAmps', '0 (default)'), priority: numberInput('priority', '0 (default)', '1'),
    };
    g.chargerId.required = true; g.maxAmps.required = true;
    var putCharger = submitButton('Put on the site');
    charger.addEventListener('submit', function (e) {
      e.preventDefault();
      var id = g.chargerId.value.trim();
      var body = { evseId: siteNumber(g.evseId), circuitId: g.circuitId.value || null, phaseRotation: g.phaseRotation.value || null,
        maxAmps: siteNumber(g.maxAmps), phases: Number(g.phases.value) };
      ['fallbackAmps', 'priority'].forEach(function (k) { var n = siteNumber(g[k]); if (n !== null) body[k] = n; });
      siteSubmit(charger, putCharger, 'PUT', sitePath('/chargers/' + enc(id)), body, function (res) {
        return (res.status === 201 ? 'Put ' : 'Changed ') + id + (body.evseId === null ? '' : ' EVSE ' + body.evseId) + ' on ' +
          (body.circuitId ? 'circuit ' + body.circuitId : 'the grid connection') + '; it is sent its fallback, then its sessions\' shares.';
      });
    });
    add(charger, labelled('Charger id', g.chargerId), labelled('EVSE (wired on its own)', g.evseId), labelled('Circuit', g.circuitId),
      labelled('Max amps', g.maxAmps), labelled('Phases', g.phases), labelled('Phase rotation', g.phaseRotation),
      labelled('Fallback amps', g.fallbackAmps), labelled('Priority (−100..100)', g.priority), putCharger,
      h('p', 'note', 'A charger is on one site at most. Fallback: what a session may draw before its share comes, or while the CSMS cannot be reached.'));

    return {
      external: scoped('command', external),
      circuit: scoped('admin', add(h('section', 'admin-box'), h('h4', null, 'Add or replace a circuit'), circuit)),
      charger: scoped('admin', add(h('section', 'admin-box'), h('h4', null, 'Put a charger on the site'), charger)),
      circuitChoices: [c.parentId, g.circuitId],
    };
  }
  /** The circuit pickers list the site's circuits (the grid connection first), keeping what was picked when it is still there. */
  function siteFormChoices(forms, site) {
    forms.circuitChoices.forEach(function (select) {
      var picked = select.value;
      select.replaceChildren();
      [['', 'grid connection']].concat(site.circuits.map(function (c) { return [c.circuitId, c.circuitId + (c.name !== c.circuitId ? ' (' + c.name + ')' : '')]; }))
        .forEach(function (o) { var opt = h('option', null, o[1]); opt.value = o[0]; add(select, opt); });
      select.value = site.circuits.some(function (c) { return c.circuitId === picked; }) ? picked : '';
    });
  }
`;
