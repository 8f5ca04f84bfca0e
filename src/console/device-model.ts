// The charger screen's 2.0.1 device model tab: the components, variables and attributes the stored
// reports and answers hold (GET /configuration), searched by name; one or many rows read again from
// the charger (GetVariables), a value edited and sent (SetVariables), and the charger's result per
// item shown beside its row (Accepted / Rejected / UnknownVariable / RebootRequired…). A full report
// can be asked for (GetBaseReport). Credentials and security variables are not editable here.

export const DEVICE_MODEL = String.raw`
  tabView({ key: 'device-model', title: 'Device model', only: ['ocpp2.0.1', 'ocpp2.1'], mount: mountDeviceModel }, 'certificates');
  /** One attribute's identity: the same for a stored setting and for a Get/SetVariables result. */
  function attributeKey(component, componentInstance, evseId, connectorId, variable, variableInstance, attributeType) {
    return JSON.stringify([component, componentInstance || '', evseId === undefined ? null : evseId, connectorId === undefined ? null : connectorId,
      variable, variableInstance || '', attributeType || 'Actual']);
  }
  function settingKey(s) { return attributeKey(s.component, s.componentInstance, s.evseId, s.connectorId, s.variable, s.variableInstance, s.attributeType); }
  function resultKey(r) {
    var evse = r.component.evse || {};
    return attributeKey(r.component.name, r.component.instance, evse.id, evse.connectorId, r.variable.name, r.variable.instance, r.attributeType);
  }
  /** The ComponentType / VariableType of a stored setting, as Get/SetVariables take them. */
  function targetOf(s) {
    var component = { name: s.component };
    if (s.componentInstance) component.instance = s.componentInstance;
    if (s.evseId !== null) { component.evse = { id: s.evseId }; if (s.connectorId !== null) component.evse.connectorId = s.connectorId; }
    var variable = { name: s.variable };
    if (s.variableInstance) variable.instance = s.variableInstance;
    return { component: component, variable: variable, attributeType: s.attributeType };
  }
  function attributeComponent(s) {
    return s.component + (s.componentInstance ? ' / ' + s.componentInstance : '') +
      (s.evseId !== null ? ' (EVSE ' + s.evseId + (s.connectorId !== null ? ' / ' + s.connectorId : '') + ')' : '');
  }
  /** What the charger reported a variable takes (VariableCharacteristics): its type, unit, range or list. */
  function characteristicsText(c) {
    if (!c) return '';
    var range = c.minLimit !== undefined || c.maxLimit !== undefined ? (c.minLimit !== undefined ? c.minLimit : '') + '…' + (c.maxLimit !== undefined ? c.maxLimit : '') : '';
    return ' · ' + [c.dataType, c.unit, range, c.valuesList].filter(function (x) { return x !== undefined && x !== ''; }).join(', ');
  }
  function mountDeviceModel(body, chargerId) {
    var settings = [], answers = {}, drafts = {}, picked = {}, filterText = '', loaded = false;
    var getPicked = button('Refresh selected (GetVariables)', function () {
      var targets = settings.filter(function (s) { return picked[settingKey(s)]; });
      if (targets.length === 0) { tools.line.textContent = 'Select the rows to read again first.'; return; }
      getPicked.disabled = true;
      targets.forEach(function (s) { answers[settingKey(s)] = { status: 'Sending…', at: new Date().toISOString() }; });
      render();
      commandCall(chargerId, 'GetVariables', { getVariableData: targets.map(targetOf) }).then(function (out) {
        getPicked.disabled = !mayCommand();
        var at = new Date().toISOString();
        if (!out.ok) {
          targets.forEach(function (s) { answers[settingKey(s)] = { status: 'Not sent', detail: out.message, at: at }; });
          tools.line.textContent = 'GetVariables failed: ' + out.message;
        } else {
          out.result.getVariableResult.forEach(function (r) {
            answers[resultKey(r)] = { status: r.attributeStatus, at: at, what: 'GetVariables' + (r.attributeValue !== undefined ? ': ' + r.attributeValue : '') };
          });
          tools.line.textContent = 'The charger answered ' + out.result.getVariableResult.length + ' of ' + targets.length + ' at ' + clock(at) + '.';
        }
        return load();
      });
    });
    var report = button('Ask for a full report (GetBaseReport)', function () {
      report.disabled = true;
      commandCall(chargerId, 'GetBaseReport', { requestId: Math.floor(Math.random() * 2147483646) + 1, reportBase: 'FullInventory' }).then(function (out) {
        report.disabled = !mayCommand();
        tools.line.textContent = out.ok ? 'GetBaseReport: ' + out.result.status + '. Its parts arrive as NotifyReport: press Reload once they have.'
          : 'GetBaseReport failed: ' + out.message;
      });
    });
    var again = button('Reload', function () { load(); });
    getPicked.disabled = report.disabled = !mayCommand();
    var tools = editorBar('Search components and variables', function (text) { filterText = text; render(); }, [getPicked, report, again]);
    var box = h('div');
    add(body, tools.bar, tools.line, box);
    function load() {
      return read('/chargers/' + enc(chargerId) + '/configuration').then(function (json) {
        settings = json.settings.filter(function (s) { return s.component !== ''; });
        loaded = true;
        render();
      }, function (error) { tools.line.textContent = 'Reading the device model failed: ' + error.message; });
    }
    function set(s, value, sendButton) {
      var key = settingKey(s);
      answers[key] = { status: 'Sending…', at: new Date().toISOString() };
      sendButton.disabled = true;
      render();
      var item = targetOf(s);
      item.attributeValue = value;
      commandCall(chargerId, 'SetVariables', { setVariableData: [item] }).then(function (out) {
        var at = new Date().toISOString();
        if (!out.ok) answers[key] = { status: 'Not sent', detail: out.message, at: at };
        else {
          out.result.setVariableResult.forEach(function (r) {
            var info = r.attributeStatusInfo;
            answers[resultKey(r)] = { status: r.attributeStatus, detail: info ? [info.reasonCode, info.additionalInfo].filter(Boolean).join(': ') : '',
              at: at, what: 'SetVariables ' + value };
            if (r.attributeStatus === 'Accepted' || r.attributeStatus === 'RebootRequired') delete drafts[resultKey(r)];
          });
        }
        return load();
      });
    }
    function matches(s) {
      if (!filterText) return true;
      return (attributeComponent(s) + ' ' + s.variable + ' ' + s.variableInstance).toLowerCase().indexOf(filterText) >= 0;
    }
    function render() { rebuild(box, draw); }
    function draw() {
      if (!loaded) { add(box, h('p', 'note', 'Loading the device model…')); return; }
      if (settings.length === 0) { add(box, h('p', 'note', 'No device model known yet: ask for a full report, then Reload.')); return; }
      var shown = settings.filter(matches);
      var all = h('input');
      all.type = 'checkbox';
      all.setAttribute('aria-label', 'Select all shown');
      all.checked = shown.length > 0 && shown.slice(0, ROWS_SHOWN).every(function (s) { return picked[settingKey(s)]; });
      all.addEventListener('change', function () { shown.slice(0, ROWS_SHOWN).forEach(function (s) { picked[settingKey(s)] = all.checked; }); render(); });
      var t = table(['', 'Component', 'Variable', 'Attribute', 'Value', 'Mutability', 'Charger\'s answer'], 'device-model');
      t.tHead.rows[0].cells[0].appendChild(all);
      shown.slice(0, ROWS_SHOWN).forEach(function (s) {
        var key = settingKey(s);
        var label = attributeComponent(s) + ' ' + s.variable + (s.variableInstance ? ' / ' + s.variableInstance : '') + ' ' + s.attributeType;
        var pick = h('input');
        pick.type = 'checkbox';
        pick.checked = !!picked[key];
        pick.setAttribute('aria-label', 'Select ' + label);
        pick.addEventListener('change', function () { picked[key] = pick.checked; });
        var why = adminOnly(s);
        var fixed = why || s.mutability === 'ReadOnly';
        var value = fixed ? h('code', 'frame', orDash(s.value)) : valueEditor(key, label, s.value, drafts, function (v, b) { set(s, v, b); });
        var tr = row([pick, attributeComponent(s), s.variable + (s.variableInstance ? ' / ' + s.variableInstance : ''), s.attributeType + characteristicsText(s.characteristics), value,
          why ? 'admin route only' : orDash(s.mutability), answerChip(answers[key])]);
        if (why) tr.title = why;
        tr.dataset.variable = s.component + '.' + s.variable;
        add(t.tBodies[0], tr);
      });
      add(box, scroller(t));
      if (shown.length > ROWS_SHOWN) add(box, h('p', 'note', (shown.length - ROWS_SHOWN) + ' more: narrow the search.'));
      add(box, h('p', 'note', shown.length + ' of ' + settings.length + ' attributes.'));
    }
    render();
    load();
    return { reload: load };
  }
`;
