// The charger screen's DER tabs, 2.1 chargers only: the DER controls it has (GET /der-controls) and its DER alarms (GET /der-alarms).

export const DER = String.raw`
  /** A control's setting in one line: its field, then its scalar values (a curve's points counted). */
  function derSetting(setting) {
    var field = Object.keys(setting || {})[0];
    if (!field) return '—';
    var s = setting[field], parts = [];
    Object.keys(s).forEach(function (k) {
      if (k === 'priority' || k === 'startTime' || k === 'duration' || k === 'customData') return;
      if (k === 'curveData') parts.push(s[k].length + ' points');
      else if (s[k] === null || typeof s[k] !== 'object') parts.push(k + ' ' + s[k]);
    });
    return h('span', 'tech', field + (parts.length ? ': ' + parts.join(', ') : ''));
  }
  tabView({ key: 'der-controls', title: 'DER controls', path: '/der-controls', list: 'controls', only: ['ocpp2.1'],
    head: ['Control', 'Type', 'Kind', 'Priority', 'Window', 'Setting', 'Superseded', 'State', 'Known from'],
    cells: function (c) {
      var span = c.startTime ? time(c.startTime) + (c.duration !== null ? ' for ' + c.duration + ' s' : '') : '—';
      return [h('span', 'mono', c.controlId), c.controlType, c.isDefault ? 'default' : 'scheduled', String(c.priority), span,
        derSetting(c.setting), c.isSuperseded ? 'yes' : 'no', c.state ? c.state + ' ' + time(c.stateAt) : '—',
        (c.source === 'set' ? 'set' : 'report ' + c.requestId) + ' at ' + time(c.updatedAt)];
    } }, 'connections');
  tabView({ key: 'der-alarms', title: 'DER alarms', path: '/der-alarms', list: 'alarms', only: ['ocpp2.1'],
    head: ['Type', 'Grid event', 'Began', 'Ended', 'Open', 'Info'],
    cells: function (a) {
      return [a.controlType, orDash(a.gridEventFault), a.startedAt ? time(a.startedAt) : 'not seen', time(a.endedAt), a.open ? 'yes' : 'no',
        h('span', 'tech', [a.extraInfo, a.endExtraInfo].filter(Boolean).join(' / ') || '—')];
    } }, 'connections');
`;
