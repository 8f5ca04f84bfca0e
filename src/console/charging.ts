// The console's smart-charging view of one charger: the charging profiles it has installed
// (GET /chargers/{id}/charging-profiles) and, for an EVSE and a span of time, the composite schedule
// it will apply (GET /chargers/{id}/composite-schedule): the limit over time drawn as an SVG step
// chart (DOM only, no library) with its periods as a table too, for screen readers and exact values.
// Read when the charger screen opens, on "Show", and after a *ChargingProfile command is answered:
// these reads copy the charger's waiting facts to D1 first, so they are not polled.

export const CHARGING = String.raw`
  var SCHEDULE_SPANS = [[3600, '1 hour'], [21600, '6 hours'], [86400, '24 hours'], [604800, '7 days']];
  function chargingPanel(charger) {
    var v16 = charger.protocol === 'ocpp1.6';
    var list = h('div', 'profiles-box');
    var out = h('div', 'schedule-box');
    var form = h('form', 'schedule-form');
    var evse = h('input'); evse.type = 'number'; evse.min = '0'; evse.step = '1'; evse.value = '1'; evse.name = 'evseId';
    var span = h('select'); span.name = 'duration';
    SCHEDULE_SPANS.forEach(function (s) { var o = h('option', null, s[1]); o.value = String(s[0]); add(span, o); });
    var unit = h('select'); unit.name = 'unit';
    ['A', 'W'].forEach(function (u) { add(unit, h('option', null, u)); });
    var showButton = h('button', null, 'Show'); showButton.type = 'submit';
    add(form,
      add(h('label'), document.createTextNode((v16 ? 'Connector' : 'EVSE') + ' (0: whole charger) '), evse),
      add(h('label'), document.createTextNode('Next '), span),
      add(h('label'), document.createTextNode('Unit '), unit), showButton);
    var view = { chargerId: charger.id, list: list, out: out, query: function () {
      return '?evseId=' + enc(evse.value.trim()) + '&duration=' + enc(span.value) + '&unit=' + enc(unit.value);
    } };
    state.charging = view;
    form.addEventListener('submit', function (e) { e.preventDefault(); loadSchedule(view); });
    var box = add(h('div', 'charging'),
      add(h('div', 'pager'), h('h4', null, 'Installed profiles'), button('Reload', function () { loadCharging(view); })), list,
      h('h4', null, 'Composite schedule'), form, out);
    loadCharging(view);
    return box;
  }
  /** A charging-profile command was answered: read the profiles and the schedule again. */
  function chargingChanged() { if (state.charging && state.charger && state.charging.chargerId === state.charger.id) loadCharging(state.charging); }
  function loadCharging(view) {
    view.list.replaceChildren(h('p', 'note', 'Loading the charging profiles…'));
    read('/chargers/' + enc(view.chargerId) + '/charging-profiles').then(function (json) {
      if (state.charging !== view) return;
      renderProfiles(view.list, json.chargingProfiles || []);
    }, function (error) { view.list.replaceChildren(h('p', 'result bad', 'Charging profiles: ' + error.message)); });
    loadSchedule(view);
  }
  /** A profile's schedules in words: "A: 0 s 16, 1800 s 10". */
  function scheduleText(profile) {
    var schedules = Array.isArray(profile.chargingSchedule) ? profile.chargingSchedule : profile.chargingSchedule ? [profile.chargingSchedule] : [];
    return schedules.map(function (s) {
      return s.chargingRateUnit + ': ' + (s.chargingSchedulePeriod || []).map(function (p) { return p.startPeriod + ' s ' + p.limit; }).join(', ') +
        (s.startSchedule ? ' from ' + time(s.startSchedule) : '');
    }).join('; ') || '—';
  }
  function renderProfiles(box, profiles) {
    box.replaceChildren();
    if (profiles.length === 0) { add(box, h('p', 'note', 'No charging profile installed, as far as the charger\'s answers tell.')); return; }
    var t = table(['Id', 'EVSE', 'Purpose', 'Stack level', 'Kind', 'Transaction', 'Schedule', 'Installed'], 'profiles');
    profiles.forEach(function (p) {
      var kind = String(p.profile.chargingProfileKind || '—') + (p.profile.recurrencyKind ? ' (' + p.profile.recurrencyKind + ')' : '');
      add(t.tBodies[0], row([String(p.profileId), String(p.evseId), p.purpose, String(p.stackLevel), kind, orDash(p.transactionId),
        h('span', 'tech', scheduleText(p.profile)), time(p.installedAt)]));
    });
    add(box, scroller(t));
  }
  function loadSchedule(view) {
    view.out.replaceChildren(h('p', 'note', 'Computing the composite schedule…'));
    read('/chargers/' + enc(view.chargerId) + '/composite-schedule' + view.query()).then(function (json) {
      if (state.charging !== view) return;
      view.out.replaceChildren();
      renderSchedule(view.out, json.compositeSchedule);
    }, function (error) { view.out.replaceChildren(h('p', 'result bad', 'Composite schedule: ' + error.message)); });
  }
  function limitText(limit, unit) { return limit === null || limit === undefined ? 'no limit known' : String(Math.round(limit * 10) / 10) + ' ' + unit; }
  /** The limit over time as a step chart (a gap where nothing limits the EVSE), and the same periods as a table. */
  function renderSchedule(box, cs) {
    var unit = cs.chargingRateUnit, periods = cs.periods || [];
    var start = Date.parse(cs.scheduleStart), duration = cs.duration || 1;
    var limited = periods.filter(function (p) { return p.limit !== null && p.limit !== undefined; });
    var caption = (limited.length ? 'Limit on ' : 'Nothing limits ') + (cs.evseId === 0 ? 'the whole charger' : 'EVSE ' + cs.evseId) +
      ' from ' + time(cs.scheduleStart) + ' for ' + Math.round(duration / 60) + ' min, in ' + unit + ': ' +
      periods.map(function (p) { return '+' + p.startPeriod + ' s ' + limitText(p.limit, unit); }).join(', ');
    add(box, h('p', 'note', caption));
    var W = 640, H = 220, L = 70, R = 12, T = 16, B = 28;
    var top = Math.max.apply(null, limited.map(function (p) { return p.limit; }).concat([1])) * 1.15;
    var x = function (s) { return (L + s / duration * (W - L - R)).toFixed(1); };
    var y = function (v) { return (H - B - v / top * (H - T - B)).toFixed(1); };
    var chart = svg('svg', { viewBox: '0 0 ' + W + ' ' + H, class: 'chart schedule', role: 'img', 'aria-label': caption });
    add(chart, svg('title', {}, caption),
      svg('line', { x1: L, y1: H - B, x2: W - R, y2: H - B, class: 'axis' }),
      svg('line', { x1: L, y1: T, x2: L, y2: H - B, class: 'axis' }),
      svg('text', { x: L - 6, y: y(top / 1.15) , 'text-anchor': 'end', class: 'label' }, limitText(top / 1.15, unit)),
      svg('text', { x: L - 6, y: H - B, 'text-anchor': 'end', class: 'label' }, '0 ' + unit),
      svg('text', { x: L, y: H - 8, class: 'label' }, clock(cs.scheduleStart)),
      svg('text', { x: W - R, y: H - 8, 'text-anchor': 'end', class: 'label' }, clock(new Date(start + duration * 1000).toISOString())));
    var d = '', pen = false;
    periods.forEach(function (p, i) {
      var end = i + 1 < periods.length ? periods[i + 1].startPeriod : duration;
      if (p.limit === null || p.limit === undefined) {
        pen = false;
        add(chart, svg('rect', { x: x(p.startPeriod), y: T, width: Math.max(0, x(end) - x(p.startPeriod)).toFixed(1), height: H - T - B, class: 'nolimit' }));
        return;
      }
      d += (pen ? ' V' : ' M' + x(p.startPeriod) + ' ') + y(p.limit) + ' H' + x(end);
      pen = true;
      if (periods.length <= 12) {
        add(chart, svg('text', { x: x(p.startPeriod) + 4, y: Number(y(p.limit)) - 4, class: 'label step' }, limitText(p.limit, unit)));
      }
    });
    if (d) add(chart, svg('path', { d: d.trim(), class: 'line' }));
    add(box, chart);
    var t = table(['From', 'After', 'Limit', 'Phases'], 'schedule-periods');
    periods.forEach(function (p) {
      add(t.tBodies[0], row([time(new Date(start + p.startPeriod * 1000).toISOString()), '+' + p.startPeriod + ' s', limitText(p.limit, unit),
        p.numberPhases === undefined || p.numberPhases === null ? '—' : String(p.numberPhases)]));
    });
    add(box, scroller(t));
  }
`;
