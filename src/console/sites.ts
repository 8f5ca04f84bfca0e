// The console's sites list (#/sites, issue 17): the sites with their limit, time zone and how many
// circuits and chargers each has, a page of 50 at a time (GET /sites, keyset paged); an admin
// creates one (POST /sites: id, name, limit in amps and/or kW, minAmps, voltage, time zone).
// Each site links to its own screen (site-detail.ts). Also what the site screens share: amps and
// limits in words and the number fields of their forms.

export const SITES = String.raw`
  var SITE_PAGE = 50;
  state.sites = { built: false, list: [], paging: newPaging(), shown: null, say: null };
  function siteHash(id) { return '#/sites/' + enc(id); }
  /** Amps in words, to 0.1 A. */
  function siteAmps(x) { return x === null || x === undefined ? '—' : String(Math.round(x * 10) / 10) + ' A'; }
  /** A site or circuit limit ({ amps, kw }) in words: "32 A per phase · 22 kW". */
  function siteLimitText(limit) {
    if (!limit) return '—';
    var parts = [];
    if (limit.amps !== null && limit.amps !== undefined) parts.push(siteAmps(limit.amps) + ' per phase');
    if (limit.kw !== null && limit.kw !== undefined) parts.push(String(limit.kw) + ' kW');
    return parts.length ? parts.join(' · ') : 'none';
  }
  /** A number field of a site form: its number, or null when left empty (the API's default, or none). */
  function siteNumber(input) { var v = input.value.trim(); return v === '' ? null : Number(v); }
  function numberInput(name, placeholder, step) {
    var el = textInput(name, 'number', placeholder);
    el.step = step || 'any';
    return el;
  }
  function sitesQuery() {
    var cursor = pageCursor(state.sites.paging);
    return '/sites?limit=' + SITE_PAGE + (cursor ? '&cursor=' + enc(cursor) : '');
  }
  function loadSites() {
    buildSites();
    var query = sitesQuery();
    return read(query).then(function (r) {
      if (query !== sitesQuery()) return;
      var s = state.sites;
      var text = query + JSON.stringify(r);
      s.list = r.sites; s.paging.next = r.nextCursor || null;
      if (s.shown !== text) { s.shown = text; renderSites(); }
    });
  }
  function sitesAnswer(kind, text) { state.sites.say(kind, text); }
  function buildSites() {
    var s = state.sites;
    if (s.built) return;
    s.built = true;
    s.say = answerBox();
    var form = h('form', 'edit site-form');
    form.autocomplete = 'off';
    var f = {
      siteId: textInput('siteId', 'text', 'e.g. depot (A-Z a-z 0-9 . _ -)'),
      name: textInput('name', 'text', 'shown to people; the id when empty'),
      amps: numberInput('amps', 'A per phase'),
      kw: numberInput('kw', 'kW in total'),
      minAmps: numberInput('minAmps', '6 (default)'),
      voltage: numberInput('voltage', '230 (default)'),
      timeZone: textInput('timeZone', 'text', 'UTC (default), e.g. Europe/Amsterdam'),
    };
    f.siteId.required = true; f.siteId.maxLength = 64;
    var submit = h('button', null, 'Create site');
    submit.type = 'submit';
    form.addEventListener('submit', function (e) {
      e.preventDefault();
      var siteId = f.siteId.value.trim();
      var body = { siteId: siteId, limit: { amps: siteNumber(f.amps), kw: siteNumber(f.kw) } };
      if (f.name.value.trim()) body.name = f.name.value.trim();
      ['minAmps', 'voltage'].forEach(function (k) { var n = siteNumber(f[k]); if (n !== null) body[k] = n; });
      if (f.timeZone.value.trim()) body.timeZone = f.timeZone.value.trim();
      submit.disabled = true;
      call('POST', '/sites', body).then(function (res) {
        if (!res.ok) { sitesAnswer('bad', res.status + ' ' + errorText(res)); return; }
        sitesAnswer('ok', 'Created site ' + siteId + ', limit ' + siteLimitText(res.json.site.limit) + '.');
        form.reset();
        refreshNow();
      }, function (error) { sitesAnswer('bad', error.message); }).finally(function () { submit.disabled = false; });
    });
    add(form,
      labelled('Site id', f.siteId), labelled('Name', f.name), labelled('Limit, amps per phase', f.amps), labelled('Limit, kW', f.kw),
      labelled('Minimum amps', f.minAmps), labelled('Voltage', f.voltage), labelled('Time zone', f.timeZone), submit,
      h('p', 'note', 'At least one limit. A share is 0 or at least the minimum amps (below it a car does not charge). ' +
        'The time zone is the daily schedule\'s. Circuits, chargers and the external limit are set on the site\'s screen.'));
    $('sites').replaceChildren(h('div', 'site-list'), h('div', 'pager site-pager'),
      scoped('admin', add(h('section', 'admin-box'), h('h3', null, 'Create a site'), form, s.say.box)));
  }
  function renderSites() {
    var s = state.sites;
    var box = $('sites').querySelector('.site-list');
    box.replaceChildren();
    if (s.list.length === 0) {
      add(box, h('p', 'note', s.paging.cursors.length > 1 ? 'No more sites.' : 'No site yet: a site is a grid connection with a limit, shared by the chargers behind it.'));
    } else {
      var t = table(['Site', 'Name', 'Limit', 'Daily schedule', 'External limit', 'Time zone', 'Circuits', 'Chargers', 'Changed'], 'sites cards');
      s.list.forEach(function (x) {
        var tr = row([link(x.siteId, siteHash(x.siteId), 'mono'), x.name, siteLimitText(x.limit),
          x.dailySchedule.length ? x.dailySchedule.length + ' period(s)' : 'none',
          x.externalLimit ? siteLimitText(x.externalLimit.limit) : 'none', x.timeZone, String(x.circuitCount), String(x.chargerCount), time(x.updatedAt)], 'pick');
        tr.setAttribute('data-site', x.siteId);
        tr.addEventListener('click', function (e) { if (e.target.tagName !== 'A') location.hash = siteHash(x.siteId); });
        add(t.tBodies[0], tr);
      });
      add(box, scroller(labelCards(t)));
    }
    renderPager($('sites').querySelector('.site-pager'), s.paging, s.list.length || null, refreshNow);
  }
  /** "Forget" the token: the site screens are built again for the next token. */
  function forgetSites() {
    state.sites = { built: false, list: [], paging: newPaging(), shown: null, say: null };
    siteReset(null);
    $('sites').replaceChildren(); $('site-detail').replaceChildren();
  }
`;
